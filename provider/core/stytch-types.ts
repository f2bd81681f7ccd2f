/**
 * Wire shapes of the Stytch endpoints this package calls, named as in stytch-node
 * (`lib/b2c/m2m.ts`, `lib/b2c/connected_apps.ts`). Fields are snake_case exactly as on the wire.
 *
 * Only the `…WithNextClientSecret` types carry a plaintext secret: the type tells where one enters.
 */

/** The two kinds of Stytch client whose secret can be rotated. */
export type ClientKind = "m2m" | "connected_app";

/** Every client kind, for validation messages and loops. */
export const CLIENT_KINDS: readonly ClientKind[] = ["m2m", "connected_app"];

/** The prefixes of Stytch client ids, with the kind each names (docs/stytch-api.md, "Clients and their secrets"). */
export const CLIENT_ID_PREFIXES: ReadonlyArray<readonly [string, ClientKind]> =
  [
    ["m2m-client-", "m2m"],
    ["connected-app-", "connected_app"],
    // Connected Apps were formerly "IDP clients"; their ids keep the old prefix.
    ["idp-client-", "connected_app"],
  ];

/** URL path segment and response payload key per client kind (docs/stytch-api.md, "Clients and their secrets"). */
export const CLIENT_KIND_WIRE = {
  m2m: { pathSegment: "m2m", payloadKey: "m2m_client" },
  connected_app: { pathSegment: "connected_apps", payloadKey: "connected_app" },
} as const;

/** Fields every success response carries. */
export interface StytchResponseBase {
  request_id: string;
  status_code: number;
}

/** An M2M client as returned by get, rotate and rotate/cancel. */
export interface M2MClient {
  client_id: string;
  client_name: string;
  client_description: string;
  status: string;
  scopes: string[];
  client_secret_last_four: string;
  next_client_secret_last_four: string | null;
  trusted_metadata?: Record<string, unknown>;
}

/** The rotate/start answer for an M2M client: the only time the next secret is shown. */
export interface M2MClientWithNextClientSecret extends M2MClient {
  next_client_secret: string;
}

/** A Connected App as returned by get, rotate and rotate/cancel (the fields this package reads). */
export interface ConnectedApp {
  client_id: string;
  client_name: string;
  client_description: string;
  status: string;
  client_type: string;
  client_secret_last_four?: string | null;
  next_client_secret_last_four?: string | null;
}

/** The rotate/start answer for a Connected App: the only time the next secret is shown. */
export interface ConnectedAppWithNextClientSecret extends ConnectedApp {
  client_secret_last_four: string;
  next_client_secret: string;
}

/** A client of either kind. */
export type StytchClientRecord = M2MClient | ConnectedApp;

/** A rotate/start answer of either kind. */
export type StytchClientWithNextClientSecret =
  M2MClientWithNextClientSecret | ConnectedAppWithNextClientSecret;

/** Stytch's error body on every non-OAuth endpoint (docs/stytch-api.md, "Errors"). */
export interface StytchErrorJSON {
  status_code: number;
  request_id: string;
  error_type: string;
  error_message: string;
  error_url?: string;
}

/** The error types this package branches on. */
export const STYTCH_ERROR_TYPES = {
  notFound: {
    m2m: "m2m_client_not_found",
    connected_app: "connected_app_not_found",
  },
  alreadyRotating: {
    m2m: "m2m_client_already_rotating_secret",
    connected_app: "connected_app_already_rotating_secret",
  },
  notRotating: {
    m2m: "m2m_client_not_rotating_secret",
    connected_app: "connected_app_not_rotating_secret",
  },
  publicConnectedApp: "public_connected_apps_do_not_have_secrets",
  tooManyRequests: "too_many_requests",
} as const;

/**
 * Why a client object in an answer cannot be read, or undefined when it can: the last four of the current
 * secret and of the next one, where present, are strings (null or absent means none: a public Connected
 * App has no secret, and nothing is pending).
 */
export function clientRecordProblem(payload: object): string | undefined {
  const record = payload as Record<string, unknown>;
  for (const field of [
    "client_secret_last_four",
    "next_client_secret_last_four",
  ]) {
    const value = record[field];
    if (value !== undefined && value !== null && typeof value !== "string") {
      return `its "${field}" is not a string`;
    }
  }
  return undefined;
}

/**
 * Why a rotate (complete) answer's client cannot be used, or undefined when it can: the provider confirms
 * from it which secret is current now, so it must name one.
 */
export function completedClientProblem(payload: object): string | undefined {
  const current = (payload as Record<string, unknown>)[
    "client_secret_last_four"
  ];
  if (typeof current !== "string" || current === "") {
    return 'it names no current secret ("client_secret_last_four")';
  }
  return clientRecordProblem(payload);
}

/**
 * Why a rotate/start answer's client cannot be used, or undefined when it can: besides the client's own
 * fields, it must carry the new secret, consistent with its last four. Without it, a rotation would be
 * pending at Stytch that nobody can use.
 */
export function rotateStartProblem(payload: object): string | undefined {
  const record = payload as Record<string, unknown>;
  const secret = record["next_client_secret"];
  if (typeof secret !== "string" || secret === "") {
    return 'it has no "next_client_secret"';
  }
  const lastFour = record["next_client_secret_last_four"];
  if (typeof lastFour === "string" && !secret.endsWith(lastFour)) {
    return 'its "next_client_secret" does not end in its "next_client_secret_last_four"';
  }
  return clientRecordProblem(payload);
}
