/**
 * A local, in-memory Stytch emulator on real loopback HTTP: Basic auth, M2M clients and Connected Apps
 * with create / get / update / search / delete and secret rotation (start, complete, cancel), the M2M
 * token endpoint with RS256 access tokens and the JWKS that verifies them (so the official SDKs'
 * `m2m.authenticateToken` works), Connected App introspection, Stytch's error JSON, secrets stored only as
 * hashes, fault injection and a log of the requests served.
 *
 * This is the package's `./emulator` entry point; everything public is exported here by name.
 *
 * @example
 * ```ts
 * import { startEmulator } from "pulumi-stytch-client-secret-rotation/emulator";
 *
 * const emulator = await startEmulator();
 * // STYTCH_BASE_URL=emulator.url, STYTCH_PROJECT_ID=emulator.projectId, STYTCH_SECRET=emulator.projectSecret
 * const clientId = emulator.seeded!.m2m.clientId;
 * // … rotate through the provider, then check without making (or recording) a request:
 * emulator.getClient(clientId); // { client_secret_last_four, next_client_secret_last_four, … }
 * await emulator.close();
 * ```
 */
export {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
  type SeededClient,
} from "./server";
export { ROUTE_TEMPLATES, type ServedRequest } from "./routes";
export type { FaultController, FaultRule } from "./faults";
export type { AlreadyRotatingMode, SecretMatch } from "./state";
export { ApiError, OAuthError } from "./responses";
export type {
  ClientKind,
  ConnectedApp,
  ConnectedAppClientType,
  ConnectedAppWithClientSecret,
  ConnectedAppWithNextClientSecret,
  JWK,
  M2MClient,
  M2MClientWithClientSecret,
  M2MClientWithNextClientSecret,
  OAuth2ErrorJSON,
  StytchErrorJSON,
} from "./wire";
