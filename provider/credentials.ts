/**
 * Resolution of the Stytch project credentials and API base URL, at call time, inside the provider
 * process. They are never resource inputs and never captured in the serialized provider: capturing them
 * would write the project secret into the state (pulumi/pulumi#8265).
 */
import { ConfigurationError } from "./errors";

/** Where each setting comes from: stack config key first, then environment variable. */
export const CREDENTIAL_SOURCES = {
  projectId: { configKey: "stytch:projectId", envVar: "STYTCH_PROJECT_ID" },
  secret: { configKey: "stytch:secret", envVar: "STYTCH_SECRET" },
  baseUrl: { configKey: "stytch:baseUrl", envVar: "STYTCH_BASE_URL" },
  requestTimeoutMs: {
    configKey: "stytch:requestTimeoutMs",
    envVar: "STYTCH_REQUEST_TIMEOUT_MS",
  },
} as const;

/** Settings read from stack config in the provider's `configure`; each may be absent. */
export type StackSettings = Partial<
  Record<keyof typeof CREDENTIAL_SOURCES, string>
>;

/** Everything needed to talk to one Stytch project. */
export interface StytchConnection {
  projectId: string;
  /** The project secret. Never log or throw it. */
  secret: string;
  /** Base URL without a trailing slash, e.g. `https://test.stytch.com`. */
  baseUrl: string;
  /** Deadline for one HTTP attempt. */
  requestTimeoutMs: number;
}

/** Per-attempt deadline when none is configured; Stytch answers these calls in well under a second. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

const LIVE_BASE_URL = "https://api.stytch.com";
const TEST_BASE_URL = "https://test.stytch.com";

/**
 * Resolves the connection settings, stack config first, then the environment.
 *
 * @throws {@link ConfigurationError} naming both ways to set a missing or invalid value.
 */
export function resolveConnection(
  stack: StackSettings,
  env: NodeJS.ProcessEnv = process.env,
): StytchConnection {
  const pick = (name: keyof typeof CREDENTIAL_SOURCES): string | undefined => {
    const fromStack = stack[name]?.trim();
    if (fromStack) return fromStack;
    const fromEnv = env[CREDENTIAL_SOURCES[name].envVar]?.trim();
    return fromEnv || undefined;
  };
  const howToSet = (
    name: keyof typeof CREDENTIAL_SOURCES,
    example: string,
    secret = false,
  ) => {
    const { configKey, envVar } = CREDENTIAL_SOURCES[name];
    return `run \`pulumi config set ${secret ? "--secret " : ""}${configKey} ${example}\` or set the ${envVar} environment variable`;
  };

  const projectId = pick("projectId");
  const secret = pick("secret");
  const missing: string[] = [];
  if (!projectId)
    missing.push(
      `the Stytch project id is not set: ${howToSet("projectId", "project-test-…")}`,
    );
  if (!secret)
    missing.push(
      `the Stytch project secret is not set: ${howToSet("secret", "<secret>", true)}`,
    );
  if (!projectId || !secret)
    throw new ConfigurationError(capitalize(missing.join("; ")) + ".");

  const explicitBaseUrl = pick("baseUrl");
  let baseUrl: string;
  if (explicitBaseUrl) {
    baseUrl = validateBaseUrl(
      explicitBaseUrl,
      howToSet("baseUrl", "https://test.stytch.com"),
    );
  } else if (projectId.startsWith("project-live-")) {
    baseUrl = LIVE_BASE_URL;
  } else if (projectId.startsWith("project-test-")) {
    baseUrl = TEST_BASE_URL;
  } else {
    throw new ConfigurationError(
      `The Stytch project id "${projectId}" starts with neither project-test- nor project-live-, so the API ` +
        `base URL cannot be chosen: check the project id, or ${howToSet("baseUrl", "https://test.stytch.com")}.`,
    );
  }

  const timeoutText = pick("requestTimeoutMs");
  let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    requestTimeoutMs = Number(timeoutText);
    if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) {
      throw new ConfigurationError(
        `The Stytch request timeout "${timeoutText}" is not a positive whole number of milliseconds: ` +
          `${howToSet("requestTimeoutMs", "20000")}.`,
      );
    }
  }
  return { projectId, secret, baseUrl, requestTimeoutMs };
}

/**
 * Accepts `https://` anywhere and plain `http://` only on loopback (the emulator): the project secret
 * travels in every request's Authorization header.
 */
function validateBaseUrl(raw: string, howToFix: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `The Stytch base URL "${raw}" is not a valid URL: ${howToFix}.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `The Stytch base URL must not contain credentials; set the project id and secret separately and ${howToFix}.`,
    );
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ConfigurationError(
      `The Stytch base URL "${url.origin}" uses plain http:// on a non-loopback host, which would send the ` +
        `project secret unencrypted; use https://, or http:// only for 127.0.0.1, localhost or [::1]: ${howToFix}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      `The Stytch base URL "${raw}" must start with https://: ${howToFix}.`,
    );
  }
  // stytch-node builds request URLs with new URL(path, base), which drops any path prefix; so do we.
  return url.origin;
}

/** True for 127.0.0.0/8, localhost and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
