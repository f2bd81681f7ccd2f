/**
 * Resolution of the Stytch project credentials and API base URL, at call time, inside the provider
 * process. They are never resource inputs and never captured in the serialized provider: capturing them
 * would write the project secret into the state (pulumi/pulumi#8265).
 */
import { ConfigurationError } from "./errors";
import { isStytchShapedProjectId, shownSetting } from "./printable";

/**
 * Where each setting comes from: stack config key first, then environment variable. The TSDoc of each
 * entry is the setting's description in the native provider's schema (`npm run schema`), and so in every
 * SDK.
 */
export const CREDENTIAL_SOURCES = {
  /**
   * The Stytch project id (`project-test-…` or `project-live-…`). Falls back to the `STYTCH_PROJECT_ID`
   * environment variable.
   */
  projectId: { configKey: "stytch:projectId", envVar: "STYTCH_PROJECT_ID" },
  /**
   * The Stytch project secret; set it with `pulumi config set --secret stytch:secret …`. Falls back to the
   * `STYTCH_SECRET` environment variable. Never a resource input, never stored by the provider.
   */
  secret: { configKey: "stytch:secret", envVar: "STYTCH_SECRET" },
  /**
   * The Stytch API base URL. Default: `https://test.stytch.com` for a `project-test-…` id,
   * `https://api.stytch.com` for a `project-live-…` id. `https://` must name a Stytch API host unless
   * `allowedApiHost` names it; plain `http://` only on loopback (the emulator). Falls back to the
   * `STYTCH_BASE_URL` environment variable.
   */
  baseUrl: { configKey: "stytch:baseUrl", envVar: "STYTCH_BASE_URL" },
  /**
   * Deadline of one HTTP attempt to Stytch, in milliseconds (a positive whole number; default 20000).
   * Falls back to the `STYTCH_REQUEST_TIMEOUT_MS` environment variable.
   */
  requestTimeoutMs: {
    configKey: "stytch:requestTimeoutMs",
    envVar: "STYTCH_REQUEST_TIMEOUT_MS",
  },
  /**
   * An `https://` host other than Stytch's own that `baseUrl` may name, exactly: a Stytch custom domain, or
   * a proxy of yours that forwards to Stytch. Every request sends the project secret to it. Falls back to
   * the `STYTCH_ALLOWED_API_HOST` environment variable.
   */
  allowedApiHost: {
    configKey: "stytch:allowedApiHost",
    envVar: "STYTCH_ALLOWED_API_HOST",
  },
  /**
   * Where to deliver the rotation's events (started, promoted, blocked, unblocked, overdue, cancelled,
   * refused): an `https://` URL that receives each as a signed CloudEvents JSON `POST` (plain `http://`
   * only on loopback). Unset: no events. Kept secret, since a webhook URL often carries a token. A
   * delivery that fails never fails or changes a rotation; the `pulumi up` prints a warning. Falls back to
   * the `STYTCH_ROTATION_EVENTS_URL` environment variable.
   */
  eventsUrl: {
    configKey: "stytch:eventsUrl",
    envVar: "STYTCH_ROTATION_EVENTS_URL",
  },
  /**
   * The key that signs every event, as the Standard Webhooks specification says (`webhook-signature`):
   * `whsec_` followed by at least 24 bytes in base64. Required with `eventsUrl`; set it with
   * `pulumi config set --secret`. Falls back to the `STYTCH_ROTATION_EVENTS_SECRET` environment variable.
   */
  eventsSigningSecret: {
    configKey: "stytch:eventsSigningSecret",
    envVar: "STYTCH_ROTATION_EVENTS_SECRET",
  },
  /**
   * The body of each event: `cloudevents` (the default: CloudEvents 1.0 structured JSON) or `slack` (a
   * Slack incoming webhook's `{"text": …}`, one line per event, with the same secret-free facts). Both are
   * signed the same way. Falls back to the `STYTCH_ROTATION_EVENTS_FORMAT` environment variable.
   */
  eventsFormat: {
    configKey: "stytch:eventsFormat",
    envVar: "STYTCH_ROTATION_EVENTS_FORMAT",
  },
} as const;

/** A setting of {@link CREDENTIAL_SOURCES}, by name. */
export type SettingName = keyof typeof CREDENTIAL_SOURCES;

/**
 * The settings that are secret whatever their value: the project secret, the events' signing key, and the
 * events URL (a webhook URL often carries its own token). The native plugin stores them as secrets, and
 * the schema marks them `secret: true`.
 */
export const ALWAYS_SECRET_SETTINGS: readonly SettingName[] = [
  "secret",
  "eventsUrl",
  "eventsSigningSecret",
];

/**
 * Which of some settings (by name, as in {@link CREDENTIAL_SOURCES}) must be kept secret wherever they
 * are stored: {@link ALWAYS_SECRET_SETTINGS} always, and a project id without a project id's shape, which
 * is most likely the project secret set under the wrong key.
 */
export function secretSettingNames(values: Record<string, unknown>): string[] {
  const projectId = values["projectId"];
  return [
    ...ALWAYS_SECRET_SETTINGS,
    ...(projectId !== undefined && !isStytchShapedProjectId(projectId)
      ? ["projectId"]
      : []),
  ];
}

/**
 * One setting's value: the stack config's, else the environment's, trimmed; undefined when neither sets
 * it (or sets only whitespace).
 */
export function settingValue(
  stack: StackSettings,
  name: SettingName,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromStack = stack[name]?.trim();
  if (fromStack) return fromStack;
  const fromEnv = env[CREDENTIAL_SOURCES[name].envVar]?.trim();
  return fromEnv || undefined;
}

/**
 * The Stytch base URL's host when one is set (stack config, then environment) and parses, lower case;
 * undefined otherwise. For decisions that depend on talking to the emulator, made without credentials.
 */
export function configuredBaseUrlHost(
  stack: StackSettings,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const raw = settingValue(stack, "baseUrl", env);
  if (raw === undefined) return undefined;
  try {
    return new URL(raw).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Settings read from stack config in the provider's `configure`; each may be absent. */
export type StackSettings = Partial<Record<SettingName, string>>;

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
  const pick = (name: SettingName) => settingValue(stack, name, env);
  const howToSet = (name: SettingName, example: string, secret = false) => {
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

  // Never printed unless it has a project id's shape: a project secret set as the project id (the two
  // swapped) would otherwise appear in this very message.
  if (!isStytchShapedProjectId(projectId)) {
    const swapped = isStytchShapedProjectId(secret)
      ? " The project secret setting holds a project id: were the two swapped?"
      : "";
    throw new ConfigurationError(
      `The Stytch project id (${shownSetting(projectId, isStytchShapedProjectId)}) does not start with ` +
        `project-test- or project-live-, so it is not a Stytch project id.${swapped} Check both settings: ` +
        `${howToSet("projectId", "project-test-…")}, and ${howToSet("secret", "<secret>", true)}.`,
    );
  }

  const explicitBaseUrl = pick("baseUrl");
  const baseUrl = explicitBaseUrl
    ? validateBaseUrl(
        explicitBaseUrl,
        pick("allowedApiHost"),
        howToSet("baseUrl", "https://test.stytch.com"),
      )
    : projectId.startsWith("project-live-")
      ? LIVE_BASE_URL
      : TEST_BASE_URL;

  const timeoutText = pick("requestTimeoutMs");
  let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  if (timeoutText !== undefined) {
    requestTimeoutMs = Number(timeoutText);
    if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) {
      throw new ConfigurationError(
        `The Stytch request timeout (${shownSetting(timeoutText, (v) => /^[\w.+-]{1,12}$/.test(v))}) is not ` +
          `a positive whole number of milliseconds: ${howToSet("requestTimeoutMs", "20000")}.`,
      );
    }
  }
  return { projectId, secret, baseUrl, requestTimeoutMs };
}

/**
 * Stytch's own API hosts, which may receive the project's credentials without further settings: the live
 * and test API, and every project's default domain (`*.customers.stytch.dev`).
 */
function isStytchApiHost(hostname: string): boolean {
  return (
    hostname === "api.stytch.com" ||
    hostname === "test.stytch.com" ||
    hostname.endsWith(".customers.stytch.dev")
  );
}

/**
 * Accepts `https://` on Stytch's own API hosts, on the one host `allowedHost` names (a Stytch custom
 * domain, or an egress proxy that forwards to Stytch), and plain `http://` only on loopback (the
 * emulator): every request carries the project secret, or a client secret, to this address. The value
 * itself is printed only as its origin, and only once it has parsed as a URL without credentials.
 */
function validateBaseUrl(
  raw: string,
  allowedHost: string | undefined,
  howToFix: string,
): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `The Stytch base URL (${shownSetting(raw, () => false)}) is not a valid URL: ${howToFix}.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `The Stytch base URL must not contain credentials; set the project id and secret separately and ${howToFix}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      `The Stytch base URL must start with https://: ${howToFix}.`,
    );
  }
  const hostname = url.hostname.toLowerCase();
  if (isLoopbackHost(hostname)) return url.origin;
  if (url.protocol === "http:") {
    throw new ConfigurationError(
      `The Stytch base URL "${url.origin}" uses plain http:// on a non-loopback host, which would send the ` +
        `project secret unencrypted; use https://, or http:// only for 127.0.0.1, localhost or [::1]: ${howToFix}.`,
    );
  }
  const allowed = allowedHost?.toLowerCase();
  if (!isStytchApiHost(hostname) && hostname !== allowed) {
    const { configKey, envVar } = CREDENTIAL_SOURCES.allowedApiHost;
    throw new ConfigurationError(
      `The Stytch base URL "${url.origin}" is not a Stytch API host (api.stytch.com, test.stytch.com or ` +
        "<project domain>.customers.stytch.dev), and every request sends the project secret to it. If it " +
        "is your Stytch custom domain, or a proxy of yours that forwards to Stytch, allow exactly that host " +
        `with \`pulumi config set ${configKey} ${hostname}\` (or the ${envVar} environment variable); ` +
        `otherwise ${howToFix}.`,
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
