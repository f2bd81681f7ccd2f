/**
 * A thin typed client for the four Stytch endpoints a secret rotation needs, on node-fetch v2 (CommonJS,
 * matching this package's `module: commonjs`; v3 is ESM-only, node-fetch#1279).
 *
 * Retry policy. GET is idempotent and is retried on 429, 5xx, timeouts and network errors. The three
 * rotate calls are POSTs that are NOT idempotent (a second rotate/start fails with
 * `*_already_rotating_secret` and the first answer's secret is gone for good), so they are retried here
 * only when the request provably was not applied: a 429, or a connection that never opened. Every other
 * failure is thrown to the caller, which reads the client and reconciles (see `rotation.ts`).
 *
 * Every answer is checked for the fields the provider reads before it is used; an unusable answer is a
 * `StytchRequestError` (`invalid_response`) that may have been applied, so a mutating call is reconciled
 * like a lost one. Redirects are never followed: they would carry the project's credentials (or, on the
 * token endpoint, a client secret) to whatever host the redirect names.
 */
import type { StytchConnection } from "./credentials";
import {
  StytchApiError,
  StytchRequestError,
  isStytchApiError,
  isStytchRequestError,
} from "./errors";
import {
  exchange,
  loadNodeFetch,
  redirectHost,
  type FetchLike,
} from "./http-exchange";
import { shownClientId } from "./printable";
import {
  CLIENT_KIND_WIRE,
  clientRecordProblem,
  completedClientProblem,
  rotateStartProblem,
  type ClientKind,
  type StytchClientRecord,
  type StytchClientWithNextClientSecret,
  type StytchErrorJSON,
} from "./stytch-types";

/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Attempts in total for one call, the first included. @default 5 */
  attempts: number;
  /** Backoff before the second attempt; doubles each time, with jitter. @default 250 */
  baseDelayMs: number;
  /** Longest backoff between attempts. @default 8000 */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one fails the call at once instead of stalling the deploy. @default 60000 */
  maxRetryAfterMs: number;
}

/** The defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export type { FetchLike } from "./http-exchange";

/** Options of {@link StytchClient}. */
export interface StytchClientOptions {
  connection: StytchConnection;
  /** @default node-fetch */
  fetch?: FetchLike;
  /** Waits between attempts. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
}

// Connection errors that prove the request never left this machine: safe to send again.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** The Stytch API client used by the provider. */
export class StytchClient {
  private readonly connection: StytchConnection;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: RetryPolicy;

  constructor(options: StytchClientOptions) {
    this.connection = options.connection;
    this.fetchImpl = options.fetch ?? loadNodeFetch;
    this.sleep =
      options.sleep ??
      ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** The per-attempt deadline: how long an unanswered request of ours may still be in flight at Stytch. */
  get requestTimeoutMs(): number {
    return this.connection.requestTimeoutMs;
  }

  /** Waits, with the injected sleep, so that reconciliation polls stay under a test's control. */
  pause(ms: number): Promise<void> {
    return this.sleep(ms);
  }

  /**
   * `GET /v1/{kind}/clients/{client_id}`.
   * @throws {@link StytchApiError} on a non-2xx answer (e.g. `m2m_client_not_found`, 404).
   * @throws {@link StytchRequestError} when Stytch cannot be reached after all retries.
   */
  getClient(kind: ClientKind, clientId: string): Promise<StytchClientRecord> {
    return this.call(kind, "GET", clientId, "", true, clientRecordProblem);
  }

  /**
   * `POST …/secrets/rotate/start`: creates the next secret. **Important:** the answer is the only time
   * `next_client_secret` is ever visible.
   * @throws {@link StytchApiError} e.g. `*_already_rotating_secret`; a 5xx may have been applied.
   * @throws {@link StytchRequestError} check `mayHaveReachedStytch` before sending it again.
   */
  rotateStart(
    kind: ClientKind,
    clientId: string,
  ): Promise<StytchClientWithNextClientSecret> {
    return this.call(
      kind,
      "POST",
      clientId,
      "/secrets/rotate/start",
      false,
      rotateStartProblem,
    );
  }

  /**
   * `POST …/secrets/rotate`: the next secret becomes the client secret; the old one stops working.
   * @throws {@link StytchApiError} e.g. `*_not_rotating_secret`; a 5xx may have been applied.
   * @throws {@link StytchRequestError} check `mayHaveReachedStytch` before sending it again.
   */
  rotate(kind: ClientKind, clientId: string): Promise<StytchClientRecord> {
    return this.call(
      kind,
      "POST",
      clientId,
      "/secrets/rotate",
      false,
      completedClientProblem,
    );
  }

  /**
   * `POST …/secrets/rotate/cancel`: discards the next secret; the old one stays the only valid one.
   * @throws {@link StytchApiError} e.g. `*_not_rotating_secret`; a 5xx may have been applied.
   * @throws {@link StytchRequestError} check `mayHaveReachedStytch` before sending it again.
   */
  rotateCancel(
    kind: ClientKind,
    clientId: string,
  ): Promise<StytchClientRecord> {
    return this.call(
      kind,
      "POST",
      clientId,
      "/secrets/rotate/cancel",
      false,
      clientRecordProblem,
    );
  }

  /**
   * Proves that `secret` authenticates `clientId` at Stytch, without changing anything: an M2M client
   * gets an access token (`POST /v1/public/{project_id}/oauth2/token`, client credentials), a Connected
   * App introspects a token that does not exist (`…/oauth2/introspect`), which only valid client
   * credentials may do (docs/stytch-api.md, "Proving that a secret works"). Sent with the client's credentials, never the project's.
   *
   * @returns `{ accepted: false, reason }` when Stytch refuses the secret; the reason carries Stytch's error
   * type, description and request id, never the secret.
   * @throws {@link StytchApiError} / {@link StytchRequestError} when Stytch could not answer (5xx, network),
   * after retries: nothing is known about the secret then.
   */
  async authenticateClient(
    kind: ClientKind,
    clientId: string,
    secret: string,
  ): Promise<{ accepted: true } | { accepted: false; reason: string }> {
    const endpoint = kind === "m2m" ? "token" : "introspect";
    const path = `/v1/public/${encodeURIComponent(this.connection.projectId)}/oauth2/${endpoint}`;
    const form: Record<string, string> =
      kind === "m2m"
        ? { grant_type: "client_credentials" }
        : { token: "pulumi-stytch-client-secret-rotation-check" };
    try {
      await this.withRetries(true, () =>
        this.attempt("POST", path, path, {
          clientCredentials: { clientId, secret },
          form,
        }),
      );
      return { accepted: true };
    } catch (error) {
      if (
        isStytchApiError(error) &&
        error.statusCode >= 400 &&
        error.statusCode < 500 &&
        error.statusCode !== 429
      ) {
        return {
          accepted: false,
          reason: `Stytch refused it with ${error.statusCode} ${error.errorType}: ${error.errorMessage} (request_id ${error.requestId || "none"})`,
        };
      }
      throw error;
    }
  }

  private async call<T>(
    kind: ClientKind,
    method: "GET" | "POST",
    clientId: string,
    suffix: string,
    idempotent: boolean,
    unusable: (payload: object) => string | undefined,
  ): Promise<T> {
    const wire = CLIENT_KIND_WIRE[kind];
    const clients = `/v1/${wire.pathSegment}/clients/`;
    const path = `${clients}${encodeURIComponent(clientId)}${suffix}`;
    // What messages show: the id only when it has a Stytch id's shape (see printable.ts).
    const shownPath = `${clients}${shownClientId(clientId)}${suffix}`;
    return this.withRetries(idempotent, async () => {
      const body = await this.attempt(method, path, shownPath);
      const payload = body[wire.payloadKey];
      const problem =
        typeof payload !== "object" || payload === null
          ? `the answer has no "${wire.payloadKey}" object`
          : unusable(payload);
      if (problem !== undefined) {
        throw new StytchRequestError({
          code: "invalid_response",
          method,
          path: shownPath,
          detail: `Stytch answered, but ${problem.startsWith("the answer") ? problem : `the "${wire.payloadKey}" in the answer is unusable: ${problem}`}`,
          mayHaveReachedStytch: true,
        });
      }
      return payload as T;
    });
  }

  /** Runs `send` until it succeeds or {@link StytchClient.retryDelay} says to give up. */
  private async withRetries<T>(
    idempotent: boolean,
    send: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const waitMs = this.retryDelay(error, attempt, idempotent);
        if (waitMs === undefined) throw error;
        await this.sleep(waitMs);
      }
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error must be thrown. */
  private retryDelay(
    error: unknown,
    attempt: number,
    idempotent: boolean,
  ): number | undefined {
    if (attempt >= this.retry.attempts) return undefined;
    const jittered = backoffMs(this.retry, attempt);
    if (isStytchApiError(error)) {
      if (error.statusCode === 429) {
        if (error.retryAfterMs === undefined) return jittered;
        return error.retryAfterMs <= this.retry.maxRetryAfterMs
          ? error.retryAfterMs
          : undefined;
      }
      return idempotent && error.statusCode >= 500 ? jittered : undefined;
    }
    if (isStytchRequestError(error)) {
      // A redirect is an answer, not a passing fault: asking again gets the same one.
      if (error.code === "redirect") return undefined;
      return idempotent || !error.mayHaveReachedStytch ? jittered : undefined;
    }
    return undefined;
  }

  /**
   * One HTTP exchange with a hard deadline covering the whole answer. Never retries. Authenticated with
   * the project credentials, or with a client's own for the OAuth endpoints (then the body is a form).
   */
  private async attempt(
    method: string,
    path: string,
    shownPath: string,
    oauth?: {
      clientCredentials: { clientId: string; secret: string };
      form: Record<string, string>;
    },
  ): Promise<Record<string, unknown>> {
    const url = new URL(path, this.connection.baseUrl).toString();
    const answer = await exchange(
      this.fetchImpl,
      url,
      {
        method,
        ...(oauth
          ? {
              // As stytch-node's m2m.token: the client's credentials in a form body, no Authorization.
              headers: {
                Accept: "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
              },
              body: new URLSearchParams({
                ...oauth.form,
                client_id: oauth.clientCredentials.clientId,
                client_secret: oauth.clientCredentials.secret,
              }).toString(),
            }
          : {
              headers: {
                Authorization: authorizationHeader(this.connection),
                Accept: "application/json",
                ...(method === "POST"
                  ? { "Content-Type": "application/json" }
                  : {}),
              },
              // stytch-node sends `{}` on these POSTs; Stytch ignores the body, the path names the client.
              ...(method === "POST" ? { body: "{}" } : {}),
            }),
      },
      this.connection.requestTimeoutMs,
    );
    if (!answer.answered) {
      throw toRequestError(
        answer.error,
        method,
        shownPath,
        answer.timedOut,
        this.connection.requestTimeoutMs,
      );
    }
    const { response, text } = answer;

    if (response.status >= 300 && response.status < 400) {
      throw new StytchRequestError({
        code: "redirect",
        method,
        path: shownPath,
        detail:
          `the server answered ${response.status} with a redirect to ${redirectHost(response, url)}, which is ` +
          "not followed: it would carry the project's credentials or a client secret to another address. " +
          "Set stytch:baseUrl (or STYTCH_BASE_URL) to the address that answers the Stytch API itself",
        mayHaveReachedStytch: true,
      });
    }

    // Status before JSON: a proxy's HTML 502 must still count as a 5xx, not as a parse failure.
    const parsed = parseJsonObject(text);
    if (response.status >= 200 && response.status < 300) {
      if (!parsed) {
        throw new StytchRequestError({
          code: "invalid_response",
          method,
          path: shownPath,
          detail: `Stytch answered ${response.status} with a body that is not a JSON object`,
          mayHaveReachedStytch: true,
        });
      }
      return parsed;
    }
    const error = (parsed ?? {}) as Partial<StytchErrorJSON> & {
      error?: unknown;
      error_description?: unknown;
    };
    throw new StytchApiError({
      statusCode: response.status,
      errorType:
        stringField(error.error_type) ??
        stringField(error.error) ??
        `http_${response.status}`,
      errorMessage:
        stringField(error.error_message) ??
        stringField(error.error_description) ??
        (parsed
          ? "no error_message in the answer"
          : "the answer is not Stytch JSON"),
      requestId: stringField(error.request_id) ?? "",
      method,
      path: shownPath,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    });
  }
}

/**
 * The wait after failed attempt number `attempt` (1 for the first): `baseDelayMs` doubled per attempt, at
 * most `maxDelayMs`, with jitter (half to all of it), so that many clients failing together do not retry
 * together.
 */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  const backoff = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** (attempt - 1),
  );
  return Math.round(backoff * (0.5 + Math.random() / 2));
}

/** The only place the project credentials are turned into a header. */
function authorizationHeader(connection: StytchConnection): string {
  return (
    "Basic " +
    Buffer.from(`${connection.projectId}:${connection.secret}`).toString(
      "base64",
    )
  );
}

function toRequestError(
  error: unknown,
  method: string,
  path: string,
  timedOut: boolean,
  timeoutMs: number,
): StytchRequestError {
  if (timedOut) {
    return new StytchRequestError({
      code: "timeout",
      method,
      path,
      detail: `no complete answer within ${timeoutMs} ms`,
      mayHaveReachedStytch: true,
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const errno = typeof code === "string" ? code : "unknown";
  return new StytchRequestError({
    code: "network",
    method,
    path,
    detail: `connection failed (${errno})`,
    mayHaveReachedStytch: !NOT_SENT_CODES.has(errno),
    // Not the fetch error itself as `cause`: its message holds the whole URL.
  });
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Parses `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined if absent or malformed. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
