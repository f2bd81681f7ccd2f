/**
 * `ClientSecretRotation`: zero-downtime rotation of Stytch M2M and Connected App client secrets as a
 * Pulumi dynamic resource.
 */
export {
  ClientSecretRotation,
  secretFingerprint,
  type ClientSecretRotationArgs,
} from "./resource";
export type { AutopilotInputs, AutopilotOutputs } from "./autopilot";
export {
  ClientSecretRotationProvider,
  type ClientSecretRotationInputs,
  type ClientSecretRotationOutputs,
} from "./provider";
export type { RotationStatus } from "./rotation";
export type { ClientKind } from "./stytch-types";
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
} from "./errors";
