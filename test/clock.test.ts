/**
 * The settable clock (`provider/core/clock.ts`) and its guard: `STYTCH_ROTATION_TEST_CLOCK` stands in for
 * the clock only while the Stytch base URL is a loopback address (the emulator); anywhere else it is
 * ignored, and the `up` says so. Through `pulumi`: test/e2e/windows.test.ts.
 */
import { TEST_CLOCK_ENV, rotationNow } from "../provider/core/clock";

const SET = "2031-01-06T09:00:00.000Z";

function nowWith(
  settings: Record<string, string>,
  env: Record<string, string>,
): { now: number; said: string[] } {
  const said: string[] = [];
  const now = rotationNow(settings, (line) => said.push(line), env);
  return { now, said };
}

describe("the test clock", () => {
  test.each([
    ["stack config", { baseUrl: "http://127.0.0.1:41001" }, {}],
    ["the environment", {}, { STYTCH_BASE_URL: "http://localhost:41002" }],
    ["IPv6 loopback", { baseUrl: "http://[::1]:41003" }, {}],
  ])(
    "is honoured with a loopback base URL from %s, and says so",
    (_from, settings, env) => {
      const { now, said } = nowWith(settings, {
        ...env,
        [TEST_CLOCK_ENV]: SET,
      });
      expect(new Date(now).toISOString()).toBe(SET);
      expect(said).toEqual([
        expect.stringContaining(`Using the test clock ${SET}`),
      ]);
    },
  );

  test.each([
    [
      "a Stytch host",
      { baseUrl: "https://test.stytch.com" },
      "host test.stytch.com",
    ],
    [
      "a custom domain",
      { baseUrl: "https://login.example.com" },
      "host login.example.com",
    ],
    [
      "a host that only looks local",
      { baseUrl: "https://127.0.0.1.example.com" },
      "host 127.0.0.1.example.com",
    ],
    ["no base URL (Stytch's default)", {}, "Stytch's default API host"],
  ])("is ignored, with a warning, against %s", (_what, settings, names) => {
    const before = Date.now();
    const { now, said } = nowWith(settings, { [TEST_CLOCK_ENV]: SET });
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan(Date.parse(SET));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`${TEST_CLOCK_ENV} is set but ignored`);
    expect(said[0]).toContain(names);
  });

  test("is ignored, with a warning, for a live project even on a loopback base URL (a proxy)", () => {
    const { now, said } = nowWith(
      {
        baseUrl: "http://127.0.0.1:41006",
        projectId: "project-live-00000000-0000-4000-8000-000000000000",
      },
      { [TEST_CLOCK_ENV]: SET },
    );
    expect(now).toBeLessThan(Date.parse(SET));
    expect(said).toEqual([
      expect.stringContaining("the project is a live one"),
    ]);
  });

  test("a value that is not an instant is ignored, with a warning", () => {
    const { now, said } = nowWith(
      { baseUrl: "http://127.0.0.1:41004" },
      { [TEST_CLOCK_ENV]: "next tuesday" },
    );
    expect(now).toBeLessThan(Date.parse(SET));
    expect(said[0]).toContain("is not an ISO 8601 instant");
  });

  test("unset: the real clock, and nothing said", () => {
    const { said } = nowWith({ baseUrl: "http://127.0.0.1:41005" }, {});
    expect(said).toEqual([]);
  });
});
