/**
 * When the schedule may act: rotation windows and the spread of due times across a fleet, as pure
 * functions of (inputs, client id, time). `autopilot.ts` asks them where a due time falls and whether a
 * step may happen now.
 *
 * - **A rotation window** (`rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlin"`) is the set of instants
 *   whose wall-clock time in the window's time zone falls on one of its days, at or after its start and
 *   before its end. An end before the start runs past midnight into the next day (`"Fri 22:00-04:00"` is
 *   Friday night to Saturday morning). Daylight-saving changes are taken from the zone itself (Node's
 *   `Intl`): a window that opens in the hour a spring change skips opens when that hour ends, and one that
 *   opens in the hour an autumn change repeats opens at its first occurrence.
 * - **Spread.** A fleet of rotations that share a policy and were started in one `up` would otherwise fall
 *   due in one `up` again, period after period. Each client instead rotates on its own phase: its next
 *   rotation falls due at the last instant, at or before one period after its start, that lies on a grid
 *   spaced half the period apart and offset by a stable hash of its client id. So the due time is never
 *   later than `rotateEvery` (a rotation is never older than its policy allows) and never sooner than half
 *   of it (the first period after a fleet starts is shortened by at most that, once); from then on each
 *   client rotates exactly a period apart on its own phase, however late its `up`s ran, and a fleet is
 *   spread evenly over half the period.
 */
import { createHash } from "node:crypto";
import { shownText } from "./printable";

/** A parsed {@link WindowInput}: the days (0 = Sunday), the hours as minutes of the day, and the zone. */
export interface RotationWindow {
  days: ReadonlySet<number>;
  /** Minutes after local midnight at which the window opens. */
  startMinute: number;
  /** Minutes after local midnight at which it closes; at or below `startMinute`, on the next day. */
  endMinute: number;
  timeZone: string;
}

/**
 * The text form of a rotation window: days, hours and an optional IANA time zone (default `UTC`), e.g.
 * `"Mon-Fri 09:00-17:00 Europe/Berlin"`, `"Tue,Thu 10:00-16:00"`, `"Sat 22:00-06:00 America/New_York"`.
 */
export type WindowInput = string;

/**
 * {@link spreadDueAt} spreads due times over the last 1/SPREAD_DIVISOR of the period: half. A whole period
 * would spread a fleet twice as thin, but could make a client's first rotation due minutes after it
 * started; half is as wide as a spread can be while a client's first period keeps at least half its length.
 */
export const SPREAD_DIVISOR = 2;

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;
const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** A window's text, or why it is not one (a reason that starts with `rotationWindow`). */
export function parseWindow(
  text: unknown,
): { window: RotationWindow } | { problem: string } {
  const example =
    'e.g. "Mon-Fri 09:00-17:00 Europe/Berlin": days (Mon, Tue, …, ranges such as Mon-Fri, lists such as ' +
    "Tue,Thu), hours HH:MM-HH:MM, and an IANA time zone (default UTC)";
  if (typeof text !== "string") {
    return {
      problem: `rotationWindow must be a string, ${example}; got ${text === null ? "null" : Array.isArray(text) ? "a list" : `a ${typeof text}`}.`,
    };
  }
  const parts = text.trim().split(/\s+/);
  if (text.length > 100 || parts.length < 2 || parts.length > 3) {
    return {
      problem: `rotationWindow must be days, hours and an optional time zone, ${example}; got ${shownText(text)}.`,
    };
  }
  const [daysText, hoursText, zoneText = "UTC"] = parts as [
    string,
    string,
    string?,
  ];
  const days = parseDays(daysText);
  if (typeof days === "string") {
    return { problem: `rotationWindow days ${days}, ${example}.` };
  }
  const hours = /^([^-]+)-([^-]+)$/.exec(hoursText);
  const start = hours ? minuteOfDay(hours[1]!) : undefined;
  const end = hours ? minuteOfDay(hours[2]!) : undefined;
  if (start === undefined || end === undefined || start === MINUTES_PER_DAY) {
    return {
      problem: `rotationWindow hours must be HH:MM-HH:MM between 00:00 and 24:00 (${shownText(hoursText)} is not), ${example}.`,
    };
  }
  if (start === end) {
    return {
      problem: `rotationWindow hours ${hoursText} open and close at the same time; for whole days write 00:00-24:00.`,
    };
  }
  const timeZone = canonicalZone(zoneText);
  if (timeZone === undefined) {
    return {
      problem: `rotationWindow time zone ${shownText(zoneText)} is not an IANA time zone name such as UTC, Europe/Berlin or America/New_York.`,
    };
  }
  return { window: { days, startMinute: start, endMinute: end, timeZone } };
}

/** True when `ms` lies inside the window. */
export function isInWindow(window: RotationWindow, ms: number): boolean {
  const local = localTime(window.timeZone, ms);
  const minute = local.minuteOfDay;
  if (window.startMinute < window.endMinute) {
    return (
      window.days.has(local.weekday) &&
      minute >= window.startMinute &&
      minute < window.endMinute
    );
  }
  // Past midnight: from the start on a listed day, or before the end on the day after one.
  return (
    (window.days.has(local.weekday) && minute >= window.startMinute) ||
    (window.days.has((local.weekday + 6) % 7) && minute < window.endMinute)
  );
}

/**
 * The first instant at or after `ms` inside the window: `ms` itself when it is inside, else the next
 * opening. A window every listed day of which falls in a skipped hour never opens; then `undefined`.
 */
export function nextWindowOpening(
  window: RotationWindow,
  ms: number,
): number | undefined {
  if (isInWindow(window, ms)) return ms;
  const today = localTime(window.timeZone, ms);
  // Eight days: the next listed day is at most a week away, plus today's opening if it is still to come.
  for (let k = 0; k <= 8; k++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + k));
    if (!window.days.has(day.getUTCDay())) continue;
    const opening = firstInstantAtOrAfterLocal(
      window.timeZone,
      day.getTime() + window.startMinute * MINUTE_MS,
    );
    if (opening >= ms && isInWindow(window, opening)) return opening;
  }
  return undefined;
}

/**
 * The longest stretch, in milliseconds, during which the window stays closed: what a step that falls due
 * just as it closes may have to wait. Measured on wall-clock time, plus an hour for a daylight-saving
 * change inside the stretch.
 */
export function longestClosedMs(window: RotationWindow): number {
  const open: boolean[] = [];
  for (let minute = 0; minute < 7 * MINUTES_PER_DAY; minute += 1) {
    const weekday = Math.floor(minute / MINUTES_PER_DAY);
    const ofDay = minute % MINUTES_PER_DAY;
    open.push(
      window.startMinute < window.endMinute
        ? window.days.has(weekday) &&
            ofDay >= window.startMinute &&
            ofDay < window.endMinute
        : (window.days.has(weekday) && ofDay >= window.startMinute) ||
            (window.days.has((weekday + 6) % 7) && ofDay < window.endMinute),
    );
  }
  // Walk the week twice so that a stretch across Sunday midnight is measured whole.
  let longest = 0;
  let run = 0;
  for (let i = 0; i < open.length * 2; i++) {
    run = open[i % open.length] ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return Math.min(longest, 7 * MINUTES_PER_DAY) * MINUTE_MS + 3_600_000;
}

/**
 * When a client's next rotation falls due under spreading: the last instant at or before
 * `startedAt + periodMs` that lies on the client's own grid, which is spaced half the period apart
 * ({@link SPREAD_DIVISOR}) and offset from the Unix epoch by {@link spreadPhase} of the client id. So it
 * lies in `(startedAt + period − period/2, startedAt + period]`.
 */
export function spreadDueAt(
  clientId: string,
  startedAtMs: number,
  periodMs: number,
): number {
  const spacing = spreadSpacingMs(periodMs);
  const end = startedAtMs + periodMs;
  if (spacing === 0) return end;
  const phase = spreadPhase(clientId, spacing);
  return end - mod(end - phase, spacing);
}

/**
 * The client's offset on its grid, in whole seconds below `spacingMs`: the first 48 bits of SHA-256 of
 * the client id, as a fraction of the spacing. Stable across runs, machines and versions of Node.
 */
export function spreadPhase(clientId: string, spacingMs: number): number {
  const fraction =
    createHash("sha256").update(clientId).digest().readUIntBE(0, 6) / 2 ** 48;
  return Math.floor((fraction * spacingMs) / 1000) * 1000;
}

/** The spacing of the spread grid for a period: half of it, in whole seconds (0 for periods under 2 s). */
export function spreadSpacingMs(periodMs: number): number {
  return Math.floor(periodMs / SPREAD_DIVISOR / 1000) * 1000;
}

/** The days of a window's text: `Mon-Fri`, `Sat,Sun`, `Fri-Mon`, `Mon,Wed-Fri`; or what is wrong. */
function parseDays(text: string): Set<number> | string {
  const days = new Set<number>();
  for (const item of text.toLowerCase().split(",")) {
    const range = /^([a-z]{3})(?:-([a-z]{3}))?$/.exec(item);
    const first = range ? dayIndex(range[1]!) : -1;
    const last = range?.[2] === undefined ? first : dayIndex(range[2]);
    if (first < 0 || last < 0) {
      return `must be three-letter day names (Mon, Tue, Wed, Thu, Fri, Sat, Sun), single or as ranges; got ${shownText(item)}`;
    }
    for (let day = first; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === last) break;
    }
  }
  return days;
}

function dayIndex(name: string): number {
  return (DAY_NAMES as readonly string[]).indexOf(name);
}

function minuteOfDay(text: string): number | undefined {
  const match = TIME.exec(text);
  if (!match) return undefined;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  return minute <= MINUTES_PER_DAY ? minute : undefined;
}

/** The zone's canonical name (`utc` → `UTC`), or undefined when `Intl` does not know it. */
function canonicalZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: name,
    }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
  /** The local wall-clock time read as if it were UTC, in ms: compared with {@link firstInstantAtOrAfterLocal}'s target. */
  wallMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of `ms` in `timeZone`. */
function localTime(timeZone: string, ms: number): LocalTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0 } = parts;
  const second = parts["second"] ?? 0;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    minuteOfDay: hour * 60 + minute,
    wallMs,
  };
}

/**
 * The first instant whose wall-clock time in `timeZone` is at or after `wallMs` (a local date and time
 * written as if it were UTC): the earlier of two when an autumn change repeats that time, the end of the
 * skipped hour when a spring change skips it. Assumes at most one offset change within a day of it, as
 * every zone has.
 */
function firstInstantAtOrAfterLocal(timeZone: string, wallMs: number): number {
  const offsetAt = (ms: number) => localTime(timeZone, ms).wallMs - ms;
  const candidates = [
    wallMs - offsetAt(wallMs - DAY_MS),
    wallMs - offsetAt(wallMs + DAY_MS),
  ];
  const exact = candidates.filter(
    (ms) => localTime(timeZone, ms).wallMs === wallMs,
  );
  if (exact.length > 0) return Math.min(...exact);
  // Skipped: the offset changed in between. The first minute whose wall time reaches the target is the
  // change itself; found by halving, on whole minutes (zones change offset on a minute boundary).
  let low = Math.floor(Math.min(...candidates) / MINUTE_MS);
  let high = Math.ceil(Math.max(...candidates) / MINUTE_MS);
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (localTime(timeZone, middle * MINUTE_MS).wallMs >= wallMs) high = middle;
    else low = middle + 1;
  }
  return low * MINUTE_MS;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** A piece of a window's text for a message: quoted when short and printable, otherwise described. */
