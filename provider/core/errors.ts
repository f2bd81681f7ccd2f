/**
 * Errors thrown by the Stytch client and the provider.
 *
 * Anything thrown inside a dynamic provider can be printed by the Pulumi host (`${e}: ${e.stack}`), so
 * every message here is built from whitelisted, secret-free fields only: no request options, no headers,
 * no response body beyond Stytch's own error fields.
 *
 * Guards check `name` rather than `instanceof` because the provider runs as re-serialized code in another
 * process, where a second copy of these classes may exist.
 */

/** Base class of every error this package throws. */
export class ClientSecretRotationError extends Error {
  override name: string = "ClientSecretRotationError";
}

/** Stytch answered with a non-2xx status and an error body. */
export class StytchApiError extends ClientSecretRotationError {
  override name = "StytchApiError" as const;
  /** HTTP status, equal to the body's `status_code`. */
  readonly statusCode: number;
  /** Stytch's `error_type`, e.g. `m2m_client_already_rotating_secret`: branch on this. */
  readonly errorType: string;
  /** Stytch's human-readable `error_message`. */
  readonly errorMessage: string;
  /** Stytch's `request_id`, for support requests. */
  readonly requestId: string;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path of the failed call (ids only; never credentials). */
  readonly path: string;
  /** The `Retry-After` header in milliseconds, when Stytch sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(fields: {
    statusCode: number;
    errorType: string;
    errorMessage: string;
    requestId: string;
    method: string;
    path: string;
    retryAfterMs?: number | undefined;
  }) {
    super(
      `Stytch ${fields.method} ${fields.path} failed with ${fields.statusCode} ${fields.errorType}: ` +
        `${fields.errorMessage} (request_id ${fields.requestId || "none"})`,
    );
    this.statusCode = fields.statusCode;
    this.errorType = fields.errorType;
    this.errorMessage = fields.errorMessage;
    this.requestId = fields.requestId;
    this.method = fields.method;
    this.path = fields.path;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/**
 * Why a request got no usable answer: no answer in time, no connection, an answer without what the
 * provider reads, or a redirect (never followed).
 */
export type StytchRequestErrorCode =
  "timeout" | "network" | "invalid_response" | "redirect";

/**
 * Stytch could not be reached, did not answer in time, answered with something the provider cannot use, or
 * answered with a redirect.
 */
export class StytchRequestError extends ClientSecretRotationError {
  override name = "StytchRequestError" as const;
  /** `timeout`, `network`, `invalid_response` or `redirect`. */
  readonly code: StytchRequestErrorCode;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path of the failed call (ids only; never credentials). */
  readonly path: string;
  /**
   * False only when the request provably never reached Stytch (connection refused, DNS failure), so a
   * non-idempotent call may be sent again without reading the client first.
   */
  readonly mayHaveReachedStytch: boolean;

  constructor(fields: {
    code: StytchRequestErrorCode;
    method: string;
    path: string;
    detail: string;
    mayHaveReachedStytch: boolean;
    cause?: unknown;
  }) {
    super(
      `Stytch ${fields.method} ${fields.path} failed (${fields.code}): ${fields.detail}`,
      {
        cause: fields.cause,
      },
    );
    this.code = fields.code;
    this.method = fields.method;
    this.path = fields.path;
    this.mayHaveReachedStytch = fields.mayHaveReachedStytch;
  }
}

/** Input or configuration that cannot work, found before any call to Stytch. */
export class ConfigurationError extends ClientSecretRotationError {
  override name = "ConfigurationError" as const;
}

/**
 * The client's rotation state at Stytch is not what this resource expects (cancelled, completed or
 * replaced outside Pulumi, or a rotation left pending by someone else). The message says what to do.
 */
export class RotationConflictError extends ClientSecretRotationError {
  override name = "RotationConflictError" as const;
}

/**
 * A rotation has been pending longer than its `maxPendingAge` (a gate blocks its promotion, or nobody
 * promoted it): the `up` fails so that the pipeline turns red. Nothing was changed at Stytch.
 */
export class RotationOverdueError extends ClientSecretRotationError {
  override name = "RotationOverdueError" as const;
}

/** True for a {@link StytchApiError}, also across copies of this package. */
export function isStytchApiError(error: unknown): error is StytchApiError {
  return error instanceof Error && error.name === "StytchApiError";
}

/** True for a {@link StytchApiError} with this `error_type`, e.g. `m2m_client_not_found`. */
export function isStytchErrorType(
  error: unknown,
  errorType: string,
): error is StytchApiError {
  return isStytchApiError(error) && error.errorType === errorType;
}

/** True for a {@link StytchRequestError}, also across copies of this package. */
export function isStytchRequestError(
  error: unknown,
): error is StytchRequestError {
  return error instanceof Error && error.name === "StytchRequestError";
}

/**
 * True when a failed non-idempotent call may have been applied by Stytch even though we got no success
 * answer: the caller must read the client and reconcile instead of blindly retrying or giving up.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  if (isStytchApiError(error)) return error.statusCode >= 500;
  if (isStytchRequestError(error)) return error.mayHaveReachedStytch;
  return false;
}

/**
 * A failure as one sentence for another error's message. Safe to embed: every error this package throws
 * is built from secret-free fields.
 */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.endsWith(".") ? text : `${text}.`;
}
