/**
 * The time the rules run on: the machine's clock, or, against the emulator only, one that a test sets.
 *
 * Windows, spreads and overlap periods of days cannot be tested by waiting. So the environment variable
 * {@link TEST_CLOCK_ENV} (an ISO 8601 instant) stands in for the clock, but only while the provider talks
 * to a Stytch on a loopback address (`stytch:baseUrl` or `STYTCH_BASE_URL` naming 127.0.0.1, localhost or
 * [::1]): the emulator. Production talks to Stytch's own https hosts, where the variable is ignored and
 * every `up` says so, so a variable left in a runner's environment cannot move a real rotation's schedule.
 * A `project-live-…` project id is never on the test clock either, even through a loopback proxy: the
 * one way a real project could be reached on loopback. When it is honoured, every `up` says that too.
 */
import {
  configuredBaseUrlHost,
  isLoopbackHost,
  settingValue,
} from "./credentials";
import type { StackSettings } from "./credentials";

/** The environment variable that sets the clock against the emulator: an ISO 8601 instant. */
export const TEST_CLOCK_ENV = "STYTCH_ROTATION_TEST_CLOCK";

/** Messages already printed by this process: one line each per provider process, not one per resource. */
const told = new Set<string>();

/**
 * The current time in milliseconds for the rules: the real clock, or {@link TEST_CLOCK_ENV} when the
 * Stytch base URL is a loopback address. `warn` receives one line per process saying which, whenever the
 * variable is set.
 */
export function rotationNow(
  settings: StackSettings,
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = env[TEST_CLOCK_ENV]?.trim();
  if (!raw) return Date.now();
  const host = configuredBaseUrlHost(settings, env);
  if (host === undefined || !isLoopbackHost(host)) {
    once(
      warn,
      `${TEST_CLOCK_ENV} is set but ignored: it stands in for the clock only while the Stytch base URL is a ` +
        "loopback address (the emulator), and this provider talks to " +
        `${host === undefined ? "Stytch's default API host" : `host ${host}`}. The real clock is used.`,
    );
    return Date.now();
  }
  if (settingValue(settings, "projectId", env)?.startsWith("project-live-")) {
    once(
      warn,
      `${TEST_CLOCK_ENV} is set but ignored: the project is a live one (project-live-…), whose rotations ` +
        "always run on the real clock, whatever the base URL.",
    );
    return Date.now();
  }
  const ms = /^\d{4}-\d\d-\d\dT/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    once(
      warn,
      `${TEST_CLOCK_ENV} is not an ISO 8601 instant such as 2026-12-07T09:00:00Z, so it is ignored; the real clock is used.`,
    );
    return Date.now();
  }
  once(
    warn,
    `Using the test clock ${new Date(ms).toISOString()} from ${TEST_CLOCK_ENV} (honoured because the Stytch ` +
      `base URL is on loopback, host ${host}).`,
  );
  return ms;
}

function once(warn: (message: string) => void, message: string): void {
  if (told.has(message)) return;
  told.add(message);
  warn(message);
}
