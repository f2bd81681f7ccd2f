/**
 * Wire shapes the emulator sends, field for field as docs/stytch-api.md ("Clients and their secrets") describes them and named as in
 * stytch-node (`lib/b2c/m2m.ts`, `lib/b2c/connected_apps.ts`). Fields are snake_case exactly as on the wire.
 *
 * Only the `…WithClientSecret` (create) and `…WithNextClientSecret` (rotate/start) variants carry a
 * plaintext secret, so the type says where a secret leaves the emulator. The emulator keeps its own copy
 * of these types instead of importing the provider's: it must not drift along with the code it tests.
 */

/** The two kinds of Stytch client whose secret can be rotated (the provider's `clientKind` values). */
export type ClientKind = "m2m" | "connected_app";

/** Connected App client types (docs/stytch-api.md, "Clients and their secrets"). The `…_public` ones have no secret. */
export type ConnectedAppClientType =
  "first_party" | "first_party_public" | "third_party" | "third_party_public";

/** Every Connected App client type, for validation. */
export const CONNECTED_APP_CLIENT_TYPES: readonly ConnectedAppClientType[] = [
  "first_party",
  "first_party_public",
  "third_party",
  "third_party_public",
];

/** Whether a Connected App client type is public, i.e. has no client secret at all. */
export function isPublicClientType(
  clientType: ConnectedAppClientType,
): boolean {
  return clientType.endsWith("_public");
}

/** An M2M client as returned by get, update, search, rotate and rotate/cancel. */
export interface M2MClient {
  client_id: string;
  client_name: string;
  client_description: string;
  status: "active" | "inactive";
  scopes: string[];
  client_secret_last_four: string;
  trusted_metadata: Record<string, unknown>;
  next_client_secret_last_four: string | null;
}

/** The create answer for an M2M client: the only time its first secret is shown. */
export interface M2MClientWithClientSecret extends M2MClient {
  client_secret: string;
}

/** The rotate/start answer for an M2M client: the only time the next secret is shown. */
export interface M2MClientWithNextClientSecret extends M2MClient {
  next_client_secret: string;
}

/** A Connected App as returned by get, update, search, rotate and rotate/cancel. */
export interface ConnectedApp {
  client_id: string;
  client_name: string;
  client_description: string;
  status: "active";
  client_secret_last_four: string | null;
  full_access_allowed: boolean;
  client_type: ConnectedAppClientType;
  redirect_urls: string[];
  access_token_expiry_minutes: number;
  access_token_template_content: string;
  post_logout_redirect_urls: string[];
  bypass_consent_for_offline_access: boolean;
  next_client_secret_last_four: string | null;
  access_token_custom_audience: string;
  logo_url: string;
  client_id_metadata_url: string;
  id_token_template_content: string;
  creation_method: string;
}

/**
 * The create answer for a Connected App: no `creation_method`, and `client_secret` only for the
 * confidential client types (`first_party`, `third_party`).
 */
export type ConnectedAppWithClientSecret = Omit<
  ConnectedApp,
  "creation_method"
> & {
  client_secret?: string;
};

/** The rotate/start answer for a Connected App: no `creation_method`, plus `next_client_secret`. */
export type ConnectedAppWithNextClientSecret = Omit<
  ConnectedApp,
  "creation_method" | "client_secret_last_four"
> & {
  client_secret_last_four: string;
  next_client_secret: string;
};

/** Stytch's error body on every non-OAuth endpoint. */
export interface StytchErrorJSON {
  status_code: number;
  request_id: string;
  error_type: string;
  error_message: string;
  error_url: string;
}

/** The OAuth2-shaped error body of the token and introspection endpoints. */
export interface OAuth2ErrorJSON {
  status_code: number;
  request_id: string;
  error: string;
  error_description: string;
  error_uri: string;
}

/**
 * One public key of the JWKS endpoints, in Stytch's field order. `x5c` and `x5tS256` are left out:
 * the emulator has no certificate to put there, an empty `x5c` is invalid (RFC 7517 §4.7 requires one or
 * more certificates) and strict JOSE libraries reject it, and verifiers do not need them.
 */
export interface JWK {
  kty: "RSA";
  use: "sig";
  key_ops: string[];
  alg: "RS256";
  kid: string;
  n: string;
  e: string;
}
