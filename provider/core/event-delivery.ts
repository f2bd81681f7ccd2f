/**
 * How a rotation's events reach the stack's webhook: where (`stytch:eventsUrl`), signed how (Standard
 * Webhooks, with `stytch:eventsSigningSecret`), and what happens when the receiver does not take them.
 *
 * - **Signed** as the Standard Webhooks specification says: `webhook-id` (the event's id, the same on every
 *   retry), `webhook-timestamp` (seconds, the real clock at each attempt) and
 *   `webhook-signature: v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">`, keyed with the base64
 *   after the secret's `whsec_` prefix. The body is the CloudEvents JSON (`rotation-events.ts`), sent as
 *   `application/cloudevents+json`. Node's `crypto` computes the HMAC; no library is needed for it.
 * - **Never in the way of a rotation.** Delivery runs after the operation has decided and done everything
 *   at Stytch, and nothing it meets is thrown: a receiver that is down, slow, refuses or redirects costs a
 *   warning line in the `up`, which names the event and why, never the URL's path or query (they may hold
 *   a token). Attempts are bounded ({@link EVENT_RETRY_POLICY}, {@link EVENT_ATTEMPT_TIMEOUT_MS}), and once
 *   an event could not be delivered the operation's later events are not tried (the receiver is not
 *   answering); undelivered events are not kept to be sent again.
 * - **Two bodies.** CloudEvents JSON by default; with `stytch:eventsFormat: slack`, the `{"text": …}` of a
 *   Slack incoming webhook, built from the same CloudEvent (`slackMessageOf`), signed the same way.
 * - **Only where a secret-free event may go.** `https://` to any host, plain `http://` only to loopback,
 *   no credentials in the URL; redirects are never followed (the signature would go with them). Events
 *   are never sent unsigned: without a valid signing secret, none is sent and the `up` says why.
 */
import { createHmac } from "node:crypto";
import {
  CREDENTIAL_SOURCES,
  isLoopbackHost,
  settingValue,
  type StackSettings,
} from "./credentials";
import { slackMessageOf, type CloudEvent } from "./rotation-events";
import {
  exchange,
  loadNodeFetch,
  redirectHost,
  type FetchLike,
} from "./http-exchange";
import { backoffMs, parseRetryAfter, type RetryPolicy } from "./stytch-client";

/** Where events go, and the key that signs them. Never printed: see {@link EventSink.shownUrl}. */
export interface EventSink {
  /** The full URL, as configured. */
  url: string;
  /** What messages show of it: its origin only (a path or query may hold a token). */
  shownUrl: string;
  /** The HMAC key: the bytes the base64 after `whsec_` encodes. */
  signingKey: Buffer;
  /** The body each event travels in. */
  format: EventFormat;
}

/** The body of an event: CloudEvents structured JSON, or a Slack incoming webhook's message. */
export type EventFormat = "cloudevents" | "slack";

/** The values of {@link EventFormat}, the default first. */
export const EVENT_FORMATS: readonly EventFormat[] = ["cloudevents", "slack"];

/** How events are retried: a few attempts within the `up`, and a short `Retry-After` at most. */
export const EVENT_RETRY_POLICY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
};

/** Deadline of one delivery attempt, answer included. */
export const EVENT_ATTEMPT_TIMEOUT_MS = 5_000;

/** The shortest signing key the Standard Webhooks specification allows. */
const MIN_KEY_BYTES = 24;

/**
 * The configured sink: `undefined` when no events URL is set, a problem (a secret-free sentence) when the
 * URL or the signing secret cannot be used, else the sink.
 */
export function resolveEventSink(
  settings: StackSettings,
  env: NodeJS.ProcessEnv = process.env,
): EventSink | { problem: string } | undefined {
  const raw = settingValue(settings, "eventsUrl", env);
  if (raw === undefined) return undefined;
  const urlSetting = describeSetting("eventsUrl");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      problem: `${urlSetting} is not a valid URL (a value of ${raw.length} characters, not shown).`,
    };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { problem: `${urlSetting} must start with https://.` };
  }
  if (url.username || url.password) {
    return {
      problem: `${urlSetting} must not contain credentials (user:password@); events are signed with ${describeSetting("eventsSigningSecret")} instead.`,
    };
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return {
      problem: `${urlSetting} (${url.origin}) uses plain http:// on a host that is not loopback; use https://, or http:// only for 127.0.0.1, localhost or [::1].`,
    };
  }
  const secret = settingValue(settings, "eventsSigningSecret", env);
  const secretSetting = describeSetting("eventsSigningSecret");
  if (secret === undefined) {
    return {
      problem: `${urlSetting} is set but ${secretSetting} is not, and events are never sent unsigned: set it (pulumi config set --secret) to whsec_ followed by at least ${MIN_KEY_BYTES} random bytes in base64, and give the receiver the same.`,
    };
  }
  const key = signingKeyOf(secret);
  if (key === undefined) {
    return {
      problem: `${secretSetting} (a value of ${secret.length} characters, not shown) is not whsec_ followed by at least ${MIN_KEY_BYTES} bytes in base64, the Standard Webhooks form, e.g. from: node -e "console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))".`,
    };
  }
  const format = settingValue(settings, "eventsFormat", env) ?? "cloudevents";
  if (!(EVENT_FORMATS as readonly string[]).includes(format)) {
    return {
      problem: `${describeSetting("eventsFormat")} must be ${EVENT_FORMATS.join(" or ")} (a value of ${format.length} characters, not shown).`,
    };
  }
  return {
    url: url.toString(),
    shownUrl: url.origin,
    signingKey: key,
    format: format as EventFormat,
  };
}

/** The `whsec_…` secret's key bytes, or undefined when it is not in that form or too short. */
export function signingKeyOf(secret: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return undefined;
  const key = Buffer.from(match[1]!, "base64");
  return key.length >= MIN_KEY_BYTES ? key : undefined;
}

/**
 * The `webhook-signature` of a message: `v1,` and the base64 HMAC-SHA256, keyed with `key`, of
 * `<id>.<timestamp>.<body>`.
 */
export function webhookSignature(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac("sha256", key)
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

/**
 * The headers and body of one delivery attempt of `event` in `format`, signed at `timestampSeconds`. A
 * Slack message carries the same `webhook-*` headers (Slack ignores them; a relay in between can check
 * them).
 */
export function signedRequest(
  key: Buffer,
  event: CloudEvent,
  timestampSeconds: number,
  format: EventFormat = "cloudevents",
): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(
    format === "slack" ? { text: slackMessageOf(event) } : event,
  );
  return {
    body,
    headers: {
      "Content-Type":
        format === "slack"
          ? "application/json; charset=utf-8"
          : "application/cloudevents+json; charset=utf-8",
      "User-Agent": "pulumi-stytch-client-secret-rotation",
      "webhook-id": event.id,
      "webhook-timestamp": String(timestampSeconds),
      "webhook-signature": webhookSignature(
        key,
        event.id,
        timestampSeconds,
        body,
      ),
    },
  };
}

/** What became of one event. */
export interface DeliveryOutcome {
  id: string;
  type: string;
  delivered: boolean;
  /** Attempts made (0: not tried, because an earlier event of the operation failed). */
  attempts: number;
  /** Why it was not delivered, when it was not. */
  why?: string;
}

/** Options of {@link deliverEvents}; all but `warn` and `about` exist for the tests. */
export interface DeliveryOptions {
  /** Receives the warning line when an event is not delivered. */
  warn: (message: string) => void;
  /** What the warning says the events are about, e.g. `the rotation of m2m-client-test-…`. */
  about: string;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  policy?: RetryPolicy;
  /** Deadline of one attempt. @default {@link EVENT_ATTEMPT_TIMEOUT_MS} */
  attemptTimeoutMs?: number;
}

/**
 * Delivers `events` in order; never throws. An event that is not delivered after the policy's attempts
 * stops the rest, and one warning line names what was not delivered and why.
 */
export async function deliverEvents(
  sink: EventSink,
  events: readonly CloudEvent[],
  options: DeliveryOptions,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const event of events) {
    const failed = outcomes.find((outcome) => !outcome.delivered);
    if (failed) {
      outcomes.push({
        id: event.id,
        type: event.type,
        delivered: false,
        attempts: 0,
        why: "not tried after the event before it failed",
      });
      continue;
    }
    try {
      outcomes.push(await deliverOne(sink, event, options));
    } catch (error) {
      // Nothing here may fail a rotation, whatever goes wrong in this code itself.
      outcomes.push({
        id: event.id,
        type: event.type,
        delivered: false,
        attempts: 1,
        why: `internal error: ${error instanceof Error ? error.name : "unknown"}`,
      });
    }
  }
  const lost = outcomes.filter((outcome) => !outcome.delivered);
  if (lost.length > 0) {
    const first = lost[0]!;
    const rest = lost.slice(1).map((outcome) => shortType(outcome.type));
    options.warn(
      `The ${shortType(first.type)} event of ${options.about} (webhook-id ${first.id}) was not delivered to ` +
        `${sink.shownUrl}: ${first.why ?? "unknown"} (${first.attempts} attempt${first.attempts === 1 ? "" : "s"})` +
        `${rest.length > 0 ? `; not sent either: ${rest.join(", ")}` : ""}. The rotation is not affected, ` +
        "and these events are not sent again.",
    );
  }
  return outcomes;
}

/** One event, attempt after attempt, until it is delivered or the policy says to stop. */
async function deliverOne(
  sink: EventSink,
  event: CloudEvent,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const policy = options.policy ?? EVENT_RETRY_POLICY;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(
      sink,
      event,
      options.fetch ?? loadNodeFetch,
      options.attemptTimeoutMs ?? EVENT_ATTEMPT_TIMEOUT_MS,
    );
    const outcome = { id: event.id, type: event.type, attempts: attempt };
    if (result.delivered) return { ...outcome, delivered: true };
    const retryAfterTooLong =
      result.retryAfterMs !== undefined &&
      result.retryAfterMs > policy.maxRetryAfterMs;
    if (!result.retry || attempt >= policy.attempts || retryAfterTooLong) {
      const why = retryAfterTooLong
        ? `${result.why}, asking to retry after ${Math.ceil(result.retryAfterMs! / 1000)} s, longer than the ${policy.maxRetryAfterMs / 1000} s an up waits`
        : result.why;
      return { ...outcome, delivered: false, why };
    }
    await sleep(result.retryAfterMs ?? backoffMs(policy, attempt));
  }
}

interface AttemptResult {
  delivered: boolean;
  /** Whether another attempt may succeed. */
  retry: boolean;
  why: string;
  retryAfterMs?: number;
}

/** One POST with a deadline over the whole exchange; never throws. */
async function attemptOnce(
  sink: EventSink,
  event: CloudEvent,
  fetchImpl: FetchLike,
  timeoutMs: number,
): Promise<AttemptResult> {
  const { headers, body } = signedRequest(
    sink.signingKey,
    event,
    Math.floor(Date.now() / 1000),
    sink.format,
  );
  // The signed event, and whatever token the URL holds, go only where the stack said: no redirect is
  // followed. The answer's body says nothing we use; it is read within the deadline to free the connection.
  const answer = await exchange(
    fetchImpl,
    sink.url,
    { method: "POST", headers, body },
    timeoutMs,
  );
  if (!answer.answered) {
    const code = (answer.error as { code?: unknown } | null)?.code;
    return {
      delivered: false,
      retry: true,
      why: answer.timedOut
        ? `no answer within ${timeoutMs} ms`
        : `connection failed (${typeof code === "string" ? code : "unknown"})`,
    };
  }
  const { response } = answer;
  const status = response.status;
  if (status >= 200 && status < 300) {
    return { delivered: true, retry: false, why: "" };
  }
  if (status >= 300 && status < 400) {
    return {
      delivered: false,
      retry: false,
      why: `the receiver answered ${status} with a redirect to ${redirectHost(response, sink.url)}, which is not followed`,
    };
  }
  const retry = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retry
    ? parseRetryAfter(response.headers.get("retry-after"))
    : undefined;
  return {
    delivered: false,
    retry,
    why: `the receiver answered ${status}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** `…client_secret_rotation.started` → `started`. */
function shortType(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}

/** A setting as messages name it: its config key and its environment variable. */
function describeSetting(
  name: "eventsUrl" | "eventsSigningSecret" | "eventsFormat",
): string {
  const { configKey, envVar } = CREDENTIAL_SOURCES[name];
  return `${configKey} (or ${envVar})`;
}
