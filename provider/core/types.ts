/**
 * Types shared by the provider, its lifecycle and the modules that decide for them. They live here so
 * that none of those modules imports another only for its types.
 */
import type { AutopilotInputs, AutopilotOutputs } from "./autopilot";
import type { StackSettings } from "./credentials";
import type { RotationStatus } from "./rotation";
import type { ClientKind } from "./stytch-types";

/** Inputs after `check`: every default applied; an autopilot input is present only when given. */
export interface ClientSecretRotationInputs extends AutopilotInputs {
  clientId: string;
  clientKind: ClientKind;
  promoted: boolean;
  triggers: Record<string, unknown>;
  /** The last four of the current secret that an emergency rotation revokes (see `revocation.ts`). */
  emergencyRevokeSecretEnding?: string;
}

/**
 * Outputs stored in the state. They echo the inputs because `diff` and `update` only see old outputs.
 * The autopilot outputs are present exactly when an autopilot input is.
 */
export interface ClientSecretRotationOutputs
  extends ClientSecretRotationInputs, Partial<AutopilotOutputs> {
  /** See {@link RotationStatus}. */
  status: RotationStatus;
  /** The new client secret. Marked secret by the resource (`additionalSecretOutputs`). */
  newClientSecret: string;
  newClientSecretLastFour: string;
  /** Last four of the secret that was current when the rotation started; tells "cancelled" from "superseded". */
  previousClientSecretLastFour: string;
}

/**
 * The outputs that are always secret: the dynamic resource lists them in `additionalSecretOutputs`, the
 * native plugin returns them wrapped as secrets, and the schema marks them `secret: true`.
 */
export const SECRET_OUTPUTS: readonly string[] = [
  "newClientSecret",
] satisfies ReadonlyArray<keyof ClientSecretRotationOutputs>;

/** Inputs as the engine sends them to `check`: anything may be missing, mistyped or unknown. */
export type RawInputs = {
  readonly [K in keyof ClientSecretRotationInputs]?: unknown;
};

/**
 * What `configure` read from the stack config, for the calls of one provider process: the connection
 * settings, and the raw `stytch:cancelOrphanedRotation` authorizations (see `orphaned-rotation.ts`).
 */
export interface ProviderSettings extends StackSettings {
  cancelOrphanedRotation?: unknown;
}

/**
 * A problem with the inputs, found before any call: `property` names the input, or is `""` for a problem
 * reported as the resource's (the engine prints a failed property's value, and some values may be secrets).
 */
export interface InputFailure {
  property: string;
  reason: string;
}

/** What `check` decides: the inputs normalized (defaults applied), and any problems with them. */
export interface CheckOutcome {
  inputs: ClientSecretRotationInputs;
  failures?: InputFailure[];
}

/** What `diff` decides: whether anything changes, which inputs force a new rotation, and in which order. */
export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A rotation that `create` started: its id (the client id and the new secret's last four) and outputs. */
export interface Created {
  id: string;
  outs: ClientSecretRotationOutputs;
}

/** A rotation as `update` left it: always the full outputs, the new secret included. */
export interface Updated {
  outs: ClientSecretRotationOutputs;
}

/** What `read` (refresh) found: the rotation with its new status, or, with an empty `id`, none at all. */
export interface ReadOutcome {
  id: string;
  props?: ClientSecretRotationOutputs;
}
