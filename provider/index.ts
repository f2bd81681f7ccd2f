/**
 * `ClientSecretRotation`: zero-downtime rotation of Stytch M2M and Connected App client secrets as a
 * Pulumi dynamic resource.
 */
export {
  ClientSecretRotation,
  secretFingerprint,
  type ClientSecretRotationArgs,
} from "./dynamic/resource";
export type { AutopilotInputs, AutopilotOutputs } from "./core/autopilot";
export {
  ClientSecretRotationProvider,
  type ClientSecretRotationInputs,
  type ClientSecretRotationOutputs,
} from "./dynamic/provider";
export type { RotationStatus } from "./core/rotation";
export type { ClientKind } from "./core/stytch-types";
export {
  ClientSecretRotationError,
  ConfigurationError,
  RotationConflictError,
  RotationOverdueError,
  StytchApiError,
  StytchRequestError,
  isStytchApiError,
  isStytchRequestError,
  type StytchRequestErrorCode,
} from "./core/errors";
