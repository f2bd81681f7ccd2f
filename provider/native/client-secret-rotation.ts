/**
 * `stytch:index:ClientSecretRotation` for the native plugin: the resource object that the protocol shell
 * (`server.ts`) dispatches to, and the only module of the plugin that imports the core.
 *
 * Each method is one call of the function the dynamic provider (`../provider.ts`) calls for the same
 * verb, on plain values: the shell has unwrapped secrets before and wraps them again after. So every
 * rule, message and Stytch call is the core's, and nothing is decided here twice. Results pass through
 * {@link carriable}, as the dynamic provider's do, because protobuf's `Struct` cannot carry `undefined`.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  ALWAYS_SECRET_SETTINGS,
  CREDENTIAL_SOURCES,
} from "../core/credentials";
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

/** The resource's type token in the `stytch` schema. */
export const ROTATION_TYPE = "stytch:index:ClientSecretRotation";

/** The token of the function that computes a secret's fingerprint, for consumers in every language. */
export const FINGERPRINT_FUNCTION = "stytch:index:secretFingerprint";

/** The outputs the plugin always returns as secrets (the core's list, which the schema marks too). */
export { SECRET_OUTPUTS } from "../core/types";

/** The provider configuration key of a stack config key: `stytch:projectId` → `projectId`. */
function configName(stackKey: string): string {
  return stackKey.slice(stackKey.indexOf(":") + 1);
}

/** The provider configuration the core reads, by provider config name, with the core's setting it fills. */
const SETTINGS_BY_CONFIG_NAME: ReadonlyMap<string, keyof ProviderSettings> =
  new Map<string, keyof ProviderSettings>([
    ...Object.entries(CREDENTIAL_SOURCES).map(
      ([setting, { configKey }]) =>
        [configName(configKey), setting as keyof ProviderSettings] as const,
    ),
    [configName(ORPHAN_AUTHORIZATION_KEY), "cancelOrphanedRotation"],
  ]);

/** The provider configuration that is secret whatever the stack config says (`secret: true` in the schema). */
export const SECRET_CONFIG: readonly string[] = ALWAYS_SECRET_SETTINGS.map(
  (setting) => configName(CREDENTIAL_SOURCES[setting].configKey),
);

/**
 * The settings the core reads, from a `Configure` request: its `args` (the provider's inputs, secrets
 * unwrapped) first, then the older `variables` (`stytch:config:projectId` → string). Either may be empty (a
 * stack with no `stytch:*` config): the core then falls back to the environment at call time.
 */
export function settingsFromConfig(
  args: Record<string, unknown>,
  variables: ReadonlyMap<string, string>,
): ProviderSettings {
  const settings: ProviderSettings = {};
  for (const [name, setting] of SETTINGS_BY_CONFIG_NAME) {
    const value = args[name] ?? variables.get(`stytch:config:${name}`);
    if (value === undefined || value === null) continue;
    if (setting === "cancelOrphanedRotation") {
      // The core parses this one itself, from a JSON string or the object `--path` config makes.
      settings.cancelOrphanedRotation = value;
    } else {
      settings[setting] =
        typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return settings;
}

/** The resource's lifecycle on plain values (no secret wrappers), each verb one call of the core. */
export const clientSecretRotation = {
  check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): dynamic.CheckResult<ClientSecretRotationInputs> {
    return carriable(
      checkInputs(
        olds as Partial<ClientSecretRotationInputs>,
        news as RawInputs,
      ),
      "check result",
    );
  },

  diff(
    settings: ProviderSettings,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): dynamic.DiffResult {
    return carriable(
      diffRotation(
        olds as unknown as ClientSecretRotationOutputs,
        news as unknown as ClientSecretRotationInputs,
        settings,
      ),
      "diff result",
    );
  },

  async create(
    settings: ProviderSettings,
    inputs: Record<string, unknown>,
  ): Promise<dynamic.CreateResult<ClientSecretRotationOutputs>> {
    return carriable(
      await createRotation(
        settings,
        inputs as unknown as ClientSecretRotationInputs,
      ),
      "create result",
    );
  },

  async read(
    settings: ProviderSettings,
    id: string,
    props: Record<string, unknown> | undefined,
  ): Promise<dynamic.ReadResult<ClientSecretRotationOutputs>> {
    return carriable(
      await readRotation(
        settings,
        id,
        props as ClientSecretRotationOutputs | undefined,
      ),
      "read result",
    );
  },

  async update(
    settings: ProviderSettings,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.UpdateResult<ClientSecretRotationOutputs>> {
    return carriable(
      await updateRotation(
        settings,
        olds as unknown as ClientSecretRotationOutputs,
        news as unknown as ClientSecretRotationInputs,
      ),
      "update result",
    );
  },

  async delete(
    settings: ProviderSettings,
    props: Record<string, unknown>,
  ): Promise<void> {
    await deleteRotation(
      settings,
      props as unknown as ClientSecretRotationOutputs,
    );
  },
};
