/**
 * `ClientSecretRotationProvider`: the dynamic provider behind {@link ClientSecretRotation}.
 *
 * Lifecycle → Stytch calls (`{kind}` is `m2m` or `connected_apps`):
 *
 * | method    | calls                                                                                  |
 * |-----------|----------------------------------------------------------------------------------------|
 * | configure | none: remembers `stytch:*` stack config for this process                              |
 * | check     | none: validates inputs, so bad input fails before any call                            |
 * | diff      | none: promote = update; clientId/clientKind/triggers change, or a cancelled or          |
 * |           | superseded rotation, = replacement (an update that refuses, if promoted is true)       |
 * | create    | GET /v1/{kind}/clients/{id}, POST …/secrets/rotate/start (+ POST …/secrets/rotate if      |
 * |           | promoted)                                                                              |
 * | read      | GET /v1/{kind}/clients/{id}                                                            |
 * | update    | GET /v1/{kind}/clients/{id}, then POST …/secrets/rotate                                 |
 * | delete    | pending: GET, then POST …/secrets/rotate/cancel if still ours; otherwise none            |
 *
 * This object is serialized into the state as `__provider`, so it holds no credentials: they are
 * resolved per call from `configure` (stack config) or the environment. Its methods only forward to
 * `./lifecycle`, which the serialized form `require`s instead of carrying its code (see there).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { StackSettings } from "./credentials";
import {
  checkInputs,
  createRotation,
  deleteRotation,
  diffRotation,
  readRotation,
  updateRotation,
} from "./lifecycle";
import type { RotationStatus } from "./rotation";
import type { ClientKind } from "./stytch-types";

/** Inputs after `check`: every default applied. */
export interface ClientSecretRotationInputs {
  clientId: string;
  clientKind: ClientKind;
  promoted: boolean;
  triggers: Record<string, unknown>;
}

/** Outputs stored in the state. They echo the inputs because `diff` and `update` only see old outputs. */
export interface ClientSecretRotationOutputs extends ClientSecretRotationInputs {
  /** See {@link RotationStatus}. */
  status: RotationStatus;
  /** The new client secret. Marked secret by the resource (`additionalSecretOutputs`). */
  newClientSecret: string;
  newClientSecretLastFour: string;
  /** Last four of the secret that was current when the rotation started; tells "cancelled" from "superseded". */
  previousClientSecretLastFour: string;
}

/** Inputs as the engine sends them to `check`: anything may be missing, mistyped or unknown. */
export type RawInputs = {
  readonly [K in keyof ClientSecretRotationInputs]?: unknown;
};

/**
 * The dynamic provider of {@link ClientSecretRotation}. Exported so that it can be exercised directly;
 * `new ClientSecretRotationProvider()` takes no arguments.
 */
export class ClientSecretRotationProvider implements dynamic.ResourceProvider<
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs
> {
  // Filled by `configure` inside the provider process only; empty when the provider is serialized.
  private stackSettings: StackSettings = {};

  /** Remembers the `stytch:*` stack config (secrets arrive decrypted) for the calls of this process. */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.stackSettings = {
      projectId: req.config.get("stytch:projectId"),
      secret: req.config.get("stytch:secret"),
      baseUrl: req.config.get("stytch:baseUrl"),
      requestTimeoutMs: req.config.get("stytch:requestTimeoutMs"),
    };
  }

  /** Validates and normalizes inputs; makes no call to Stytch. */
  async check(
    olds: Partial<ClientSecretRotationInputs>,
    news: RawInputs,
  ): Promise<dynamic.CheckResult<ClientSecretRotationInputs>> {
    return checkInputs(olds ?? {}, news ?? {});
  }

  /** Decides between no-op, update (promotion) and replacement; makes no call to Stytch. */
  async diff(
    _id: string,
    olds: ClientSecretRotationOutputs,
    news: ClientSecretRotationInputs,
  ): Promise<dynamic.DiffResult> {
    return diffRotation(olds, news);
  }

  /** Starts a rotation; completes it at once when `promoted` is already true (emergency rotation). */
  async create(
    inputs: ClientSecretRotationInputs,
  ): Promise<dynamic.CreateResult<ClientSecretRotationOutputs>> {
    return createRotation(this.stackSettings, inputs);
  }

  /** Refresh: compares Stytch's last-four fields with ours. Never fabricates a secret. */
  async read(
    id: string,
    props?: ClientSecretRotationOutputs,
  ): Promise<dynamic.ReadResult<ClientSecretRotationOutputs>> {
    return readRotation(this.stackSettings, id, props);
  }

  /** Completes the rotation (`promoted` false → true) and returns the full outputs, new secret included. */
  async update(
    _id: string,
    olds: ClientSecretRotationOutputs,
    news: ClientSecretRotationInputs,
  ): Promise<dynamic.UpdateResult<ClientSecretRotationOutputs>> {
    return updateRotation(this.stackSettings, olds, news);
  }

  /** Cancels the rotation if it is still pending and still ours; a promoted rotation needs no call. */
  async delete(_id: string, props: ClientSecretRotationOutputs): Promise<void> {
    return deleteRotation(this.stackSettings, props);
  }
}
