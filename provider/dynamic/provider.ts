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
import { CREDENTIAL_SOURCES } from "../core/credentials";
import { carriable } from "../core/engine-values";
import {
  checkInputs,
  createRotation,
  deleteRotation,
  diffRotation,
  readRotation,
  updateRotation,
} from "../core/lifecycle";
import { ORPHAN_AUTHORIZATION_KEY } from "../core/orphaned-rotation";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  ProviderSettings,
  RawInputs,
} from "../core/types";

export type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  RawInputs,
} from "../core/types";

/**
 * The dynamic provider of {@link ClientSecretRotation}. Exported so that it can be exercised directly;
 * `new ClientSecretRotationProvider()` takes no arguments.
 */
export class ClientSecretRotationProvider implements dynamic.ResourceProvider<
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs
> {
  // Filled by `configure` inside the provider process only; empty when the provider is serialized.
  private settings: ProviderSettings = {};

  /** Remembers the `stytch:*` stack config (secrets arrive decrypted) for the calls of this process. */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    const settings: ProviderSettings = {
      cancelOrphanedRotation: req.config.get(ORPHAN_AUTHORIZATION_KEY),
    };
    for (const [name, { configKey }] of Object.entries(CREDENTIAL_SOURCES)) {
      settings[name as keyof typeof CREDENTIAL_SOURCES] =
        req.config.get(configKey);
    }
    this.settings = settings;
  }

  /** Validates and normalizes inputs; makes no call to Stytch. */
  async check(
    olds: Partial<ClientSecretRotationInputs>,
    news: RawInputs,
  ): Promise<dynamic.CheckResult<ClientSecretRotationInputs>> {
    return carriable(checkInputs(olds ?? {}, news ?? {}), "check result");
  }

  /** Decides between no-op, update (promotion) and replacement; makes no call to Stytch. */
  async diff(
    _id: string,
    olds: ClientSecretRotationOutputs,
    news: ClientSecretRotationInputs,
  ): Promise<dynamic.DiffResult> {
    return carriable(diffRotation(olds, news, this.settings), "diff result");
  }

  /** Starts a rotation; completes it at once when `promoted` is already true (emergency rotation). */
  async create(
    inputs: ClientSecretRotationInputs,
  ): Promise<dynamic.CreateResult<ClientSecretRotationOutputs>> {
    return carriable(
      await createRotation(this.settings, inputs),
      "create result",
    );
  }

  /** Refresh: compares Stytch's last-four fields with ours. Never fabricates a secret. */
  async read(
    id: string,
    props?: ClientSecretRotationOutputs,
  ): Promise<dynamic.ReadResult<ClientSecretRotationOutputs>> {
    return carriable(
      await readRotation(this.settings, id, props),
      "read result",
    );
  }

  /** Completes the rotation (`promoted` false → true) and returns the full outputs, new secret included. */
  async update(
    _id: string,
    olds: ClientSecretRotationOutputs,
    news: ClientSecretRotationInputs,
  ): Promise<dynamic.UpdateResult<ClientSecretRotationOutputs>> {
    return carriable(
      await updateRotation(this.settings, olds, news),
      "update result",
    );
  }

  /** Cancels the rotation if it is still pending and still ours; a promoted rotation needs no call. */
  async delete(_id: string, props: ClientSecretRotationOutputs): Promise<void> {
    return deleteRotation(this.settings, props);
  }
}
