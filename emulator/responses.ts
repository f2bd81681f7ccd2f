/**
 * The emulator's two error families and the JSON bodies they turn into.
 *
 * Every answer is JSON with `status_code` equal to the HTTP status and a fresh `request_id`, because the
 * SDKs depend on it: stytch-node throws a `RequestError` (losing the status) on any non-JSON body, and
 * Python/Java reject error bodies that lack `status_code`, `error_message` or `error_url`
 * (docs/stytch-api.md, "Errors").
 */
import { randomUUID } from "node:crypto";
import type { OAuth2ErrorJSON, StytchErrorJSON } from "./wire";

/** A fresh request id shaped like Stytch's test-environment ids (docs/stytch-api.md, "Clients and their secrets"). */
export function newRequestId(): string {
  return `request-id-test-${randomUUID()}`;
}

/** Stytch's error URL for a status and error type (the format live responses use). */
export function errorUrl(status: number, type: string): string {
  return `https://stytch.com/docs/api/errors/${status}#${type}`;
}

/**
 * A Stytch API error (`{status_code, request_id, error_type, error_message, error_url}`), thrown by the
 * state machine and the route handlers and rendered by the server. Its message never contains a secret:
 * every message is a fixed sentence plus, at most, a client id.
 */
export class ApiError extends Error {
  override name = "ApiError" as const;

  /**
   * @param status HTTP status, echoed as `status_code`.
   * @param errorType Stytch `error_type`, e.g. `m2m_client_not_found`.
   * @param message Stytch `error_message`.
   * @param headers Extra response headers (e.g. `Allow` on a 405, `Retry-After` on an injected 429).
   */
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The JSON body for this error, with the given request id. */
  toJSON(requestId: string = newRequestId()): StytchErrorJSON {
    return {
      status_code: this.status,
      request_id: requestId,
      error_type: this.errorType,
      error_message: this.message,
      error_url: errorUrl(this.status, this.errorType),
    };
  }
}

/**
 * An OAuth2-shaped error (`{status_code, request_id, error, error_description, error_uri}`), used only by
 * the token and introspection endpoints, which answer in that shape (docs/stytch-api.md, "Proving that a secret works").
 */
export class OAuthError extends Error {
  override name = "OAuthError" as const;

  /**
   * @param status HTTP status; Stytch answers 400 even for bad client credentials (stytch-node #314).
   * @param error OAuth2 `error`, e.g. `invalid_client`.
   * @param description OAuth2 `error_description`.
   */
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }

  /** The JSON body for this error, with the given request id. */
  toJSON(requestId: string = newRequestId()): OAuth2ErrorJSON {
    return {
      status_code: this.status,
      request_id: requestId,
      error: this.error,
      error_description: this.message,
      error_uri: errorUrl(this.status, this.error),
    };
  }
}

/** Stytch's message for a rate-limited request (docs/stytch-api.md, "Errors"). */
export const TOO_MANY_REQUESTS_MESSAGE = "Too many requests have been made.";

/**
 * The `error_type` an injected status gets when the fault rule names none: the real type for the statuses
 * Stytch documents (429 `too_many_requests`, 500 `internal_server_error`), and descriptive ones for the
 * gateway statuses a load balancer in front of Stytch would produce.
 */
export function defaultErrorType(status: number): string {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized_credentials";
    case 403:
      return "forbidden";
    case 404:
      return "route_not_found";
    case 408:
      return "request_timeout";
    case 409:
      return "conflict";
    case 429:
      return "too_many_requests";
    case 502:
      return "bad_gateway";
    case 503:
      return "service_unavailable";
    case 504:
      return "gateway_timeout";
    default:
      return status >= 500 ? "internal_server_error" : "bad_request";
  }
}

/** A human sentence for an injected status, matching Stytch's wording where it is known. */
export function defaultErrorMessage(status: number): string {
  if (status === 429) return TOO_MANY_REQUESTS_MESSAGE;
  if (status >= 500) {
    return "Oops, something seems to have gone wrong. Please try again.";
  }
  return "The request could not be processed.";
}
