/**
 * `ClientSecretRotation`: zero-downtime rotation of Stytch M2M and Connected App client secrets as a
 * Pulumi dynamic resource.
 */
export {
  ClientSecretRotation,
  type ClientSecretRotationArgs,
} from "./resource";
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
  StytchApiError,
  StytchRequestError,
  isStytchApiError,
  isStytchRequestError,
  type StytchRequestErrorCode,
} from "./errors";
