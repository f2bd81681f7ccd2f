/**
 * Rotation windows and the spread of due times (`provider/core/rotation-windows.ts`), as pure functions of
 * time: windows across daylight-saving changes in named zones, windows past midnight, and how the due
 * times of 100 clients started in one `up` spread across a period.
 */
import {
  isInWindow,
  longestClosedMs,
  nextWindowOpening,
  parseWindow,
  spreadDueAt,
  spreadSpacingMs,
  type RotationWindow,
} from "../provider/core/rotation-windows";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function windowOf(text: string): RotationWindow {
  const parsed = parseWindow(text);
  if ("problem" in parsed) throw new Error(parsed.problem);
  return parsed.window;
}

const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();
const opening = (text: string, at: string) =>
  iso(nextWindowOpening(windowOf(text), Date.parse(at)));

describe("parseWindow", () => {
  test.each([
    ["Mon-Fri 09:00-17:00", [1, 2, 3, 4, 5], 540, 1020, "UTC"],
    [
      "mon,wed,FRI 00:00-24:00 europe/berlin",
      [1, 3, 5],
      0,
      1440,
      "Europe/Berlin",
    ],
    [
      "Fri-Mon 22:00-04:00 America/New_York",
      [5, 6, 0, 1],
      1320,
      240,
      "America/New_York",
    ],
    ["Sat 10:30-11:45 UTC", [6], 630, 705, "UTC"],
  ])("%s", (text, days, start, end, zone) => {
    const window = windowOf(text);
    expect([...window.days].sort()).toEqual([...days].sort());
    expect(window).toMatchObject({
      startMinute: start,
      endMinute: end,
      timeZone: zone,
    });
  });

  test.each([
    [42, "rotationWindow must be a string"],
    ["Mon-Fri", "must be days, hours and an optional time zone"],
    ["Mon-Fri 9-17", "hours must be HH:MM-HH:MM"],
    ["Mon-Fri 09:00-25:00", "hours must be HH:MM-HH:MM"],
    ["Mon-Fri 24:00-08:00", "hours must be HH:MM-HH:MM"],
    ["Mon-Fri 09:00-09:00", "open and close at the same time"],
    ["Monday 09:00-17:00", "three-letter day names"],
    ["Mon-Fri 09:00-17:00 Mars/Olympus_Mons", "is not an IANA time zone"],
    ["Mon-Fri 09:00-17:00 Europe/Berlin extra", "must be days, hours"],
  ])("%j is refused: %s", (text, says) => {
    const parsed = parseWindow(text);
    expect("problem" in parsed && parsed.problem).toContain(says);
    expect("problem" in parsed && parsed.problem).toMatch(/^rotationWindow/);
  });
});

describe("windows in a named zone across daylight-saving changes", () => {
  // Europe/Berlin: CET (+1) to CEST (+2) on 2026-03-29 at 02:00 local; back on 2026-10-25 at 03:00 local.
  test("the same local hours map to different UTC instants before and after the spring change", () => {
    const weekdays = "Mon-Fri 09:00-17:00 Europe/Berlin";
    expect(opening(weekdays, "2026-03-27T00:00:00Z")).toBe(
      "2026-03-27T08:00:00.000Z", // Friday 09:00 CET
    );
    expect(opening(weekdays, "2026-03-27T16:30:00Z")).toBe(
      "2026-03-30T07:00:00.000Z", // Friday 17:30 CET is closed; Monday 09:00 CEST
    );
    expect(
      isInWindow(windowOf(weekdays), Date.parse("2026-03-30T14:59:59Z")),
    ).toBe(true);
    expect(
      isInWindow(windowOf(weekdays), Date.parse("2026-03-30T15:00:00Z")),
    ).toBe(false);
  });

  test("a window that opens in the hour the spring change skips opens when that hour ends", () => {
    expect(
      opening("Sun 02:30-04:00 Europe/Berlin", "2026-03-28T12:00:00Z"),
    ).toBe(
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first local time at or after 02:30 that day
    );
    // A window wholly inside the skipped hour does not exist that day: next week's.
    expect(
      opening("Sun 02:15-02:45 Europe/Berlin", "2026-03-28T12:00:00Z"),
    ).toBe("2026-04-05T00:15:00.000Z");
  });

  test("a window that opens in the hour the autumn change repeats opens at its first occurrence", () => {
    expect(
      opening("Sun 02:30-04:00 Europe/Berlin", "2026-10-24T12:00:00Z"),
    ).toBe(
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, not 02:30 CET an hour later
    );
    // The repeated hour is inside the window both times.
    const window = windowOf("Sun 02:00-03:00 Europe/Berlin");
    expect(isInWindow(window, Date.parse("2026-10-25T00:30:00Z"))).toBe(true);
    expect(isInWindow(window, Date.parse("2026-10-25T01:30:00Z"))).toBe(true);
    expect(isInWindow(window, Date.parse("2026-10-25T02:00:00Z"))).toBe(false);
  });

  test("America/New_York: a window past midnight, across the autumn change (2026-11-01, EDT to EST)", () => {
    const nights = "Sat 22:00-04:00 America/New_York";
    expect(opening(nights, "2026-10-31T12:00:00Z")).toBe(
      "2026-11-01T02:00:00.000Z", // Saturday 22:00 EDT (-4)
    );
    const window = windowOf(nights);
    // Sunday 03:59 EST (-5) is 08:59Z, still inside; 04:00 EST is outside.
    expect(isInWindow(window, Date.parse("2026-11-01T08:59:00Z"))).toBe(true);
    expect(isInWindow(window, Date.parse("2026-11-01T09:00:00Z"))).toBe(false);
    expect(opening(nights, "2026-11-01T09:00:00Z")).toBe(
      "2026-11-08T03:00:00.000Z", // the next Saturday 22:00, now EST
    );
  });

  test("a zone without daylight saving, and UTC by default", () => {
    expect(opening("Mon 09:00-10:00 Asia/Tokyo", "2026-12-06T12:00:00Z")).toBe(
      "2026-12-07T00:00:00.000Z",
    );
    expect(opening("Mon 09:00-10:00", "2026-12-06T12:00:00Z")).toBe(
      "2026-12-07T09:00:00.000Z",
    );
  });

  test("an instant inside the window is its own opening", () => {
    expect(opening("Mon-Fri 09:00-17:00 UTC", "2026-12-08T12:34:56Z")).toBe(
      "2026-12-08T12:34:56.000Z",
    );
  });

  test("the longest closed stretch, with an hour for a daylight-saving change", () => {
    expect(longestClosedMs(windowOf("Mon-Fri 09:00-17:00"))).toBe(65 * HOUR);
    expect(longestClosedMs(windowOf("Mon-Sun 00:00-24:00"))).toBe(HOUR);
    expect(longestClosedMs(windowOf("Sat 22:00-04:00"))).toBe(
      7 * DAY - 6 * HOUR + HOUR,
    );
  });
});

describe("spread", () => {
  const period = 90 * DAY;
  const clients = Array.from(
    { length: 100 },
    (_, i) =>
      `m2m-client-test-${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`,
  );
  const started = Date.parse("2026-12-07T09:00:00Z");

  test("a client's next rotation falls due within the last half of its period, the same on every run", () => {
    for (const clientId of clients) {
      const due = spreadDueAt(clientId, started, period);
      expect(due).toBeLessThanOrEqual(started + period);
      expect(due).toBeGreaterThan(started + period - period / 2);
      expect(spreadDueAt(clientId, started, period)).toBe(due);
    }
    expect(spreadSpacingMs(period)).toBe(45 * DAY);
  });

  test("100 clients started in one up fall due across the last half of the period, not in one up", () => {
    const dues = clients.map((clientId) =>
      spreadDueAt(clientId, started, period),
    );
    const offsets = dues.map((due) => (started + period - due) / HOUR);
    const perDay = new Map<number, number>();
    for (const due of dues) {
      const day = Math.floor((due - started) / DAY);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const sorted = [...offsets].sort((a, b) => a - b);
    const distinctHours = new Set(dues.map((due) => Math.floor(due / HOUR)))
      .size;
    const report = {
      clients: clients.length,
      spanHours: Number((sorted.at(-1)! - sorted[0]!).toFixed(1)),
      earliestHoursBeforePeriodEnd: Number(sorted.at(-1)!.toFixed(1)),
      latestHoursBeforePeriodEnd: Number(sorted[0]!.toFixed(1)),
      medianHoursBeforePeriodEnd: Number(sorted[50]!.toFixed(1)),
      days: [...perDay.keys()]
        .sort((a, b) => a - b)
        .map((day) => `day ${day}: ${perDay.get(day) ?? 0}`),
      mostInOneDay: Math.max(...perDay.values()),
      distinctHours,
    };
    process.stderr.write(
      `[spread] 100 clients, rotateEvery 90d: ${JSON.stringify(report)}\n`,
    );
    // Most of the 45 days of a daily schedule get some, and none gets a tenth of the fleet.
    expect(perDay.size).toBeGreaterThanOrEqual(30);
    expect(report.mostInOneDay).toBeLessThan(10);
    expect(distinctHours).toBeGreaterThan(90);
  });

  test("each client keeps its own phase in every later period, however its starts drifted", () => {
    const spacing = spreadSpacingMs(period);
    for (const clientId of clients.slice(0, 10)) {
      const first = spreadDueAt(clientId, started, period);
      // The next rotation starts a few hours late (the window, a slow pipeline): its due time stays on
      // the client's grid.
      const second = spreadDueAt(clientId, first + 5 * HOUR, period);
      expect((((second - first) % spacing) + spacing) % spacing).toBe(0);
    }
  });

  test("a period under two seconds is not spread", () => {
    expect(spreadDueAt(clients[0]!, started, 1_500)).toBe(started + 1_500);
  });
});
