/**
 * The values of the Pulumi provider protocol as the core wants them, and back.
 *
 * A provider that accepts secrets (it says so in `Handshake` and `Configure`) receives every secret the
 * program or the state holds as an object carrying Pulumi's secret signature, and the engine stores and
 * prints as secret exactly what the provider hands back wrapped the same way: the engine no longer
 * copies the secret bit from inputs to outputs for such a provider. So this module unwraps every value
 * before the core sees it, remembers which top-level properties held a secret, and wraps those again,
 * plus the properties the resource always makes secret, in everything it returns. A property that held a
 * secret anywhere inside is returned secret whole, as the engine itself does for arrays
 * (`annotateSecrets` in `pkg/resource/plugin/provider_plugin.go`).
 *
 * Values the engine does not know yet (preview) arrive as its unknown placeholder string, which the core
 * already understands (`engine-values.ts`); they pass through untouched.
 */

/** The key and value that mark an object as one of Pulumi's special values (`sdk/go/common/resource/sig`). */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret: `{ [SIGNATURE_KEY]: SECRET_SIGNATURE, value }`. */
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** A property bag as `Struct.toJavaScript()` gives it. */
export type PropertyBag = Record<string, unknown>;

/** Property values with every secret unwrapped, and the names of the top-level properties that held one. */
export interface Unwrapped {
  values: PropertyBag;
  secretKeys: Set<string>;
}

/** True for a value wrapped as a Pulumi secret. */
export function isSecretValue(value: unknown): value is { value?: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** `value` wrapped as a Pulumi secret. */
export function secretValue(value: unknown): PropertyBag {
  return { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** Unwraps every secret in a property bag (deeply) and records which top-level properties held one. */
export function unwrapSecrets(bag: PropertyBag | undefined): Unwrapped {
  const secretKeys = new Set<string>();
  const values: PropertyBag = {};
  for (const [key, value] of Object.entries(bag ?? {})) {
    const found = { secret: false };
    values[key] = unwrap(value, found);
    if (found.secret) secretKeys.add(key);
  }
  return { values, secretKeys };
}

function unwrap(value: unknown, found: { secret: boolean }): unknown {
  if (isSecretValue(value)) {
    found.secret = true;
    return unwrap(value.value, found);
  }
  if (Array.isArray(value)) return value.map((item) => unwrap(item, found));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, unwrap(item, found)]),
    );
  }
  return value;
}

/** A copy of `bag` with the named top-level properties wrapped as secrets (those it has). */
export function wrapSecrets(
  bag: object,
  secretKeys: Iterable<string>,
): PropertyBag {
  const wrapped: PropertyBag = { ...bag };
  for (const key of secretKeys) {
    if (key in wrapped && !isSecretValue(wrapped[key])) {
      wrapped[key] = secretValue(wrapped[key]);
    }
  }
  return wrapped;
}

/** The union of the secret properties of some unwrapped bags. */
export function secretKeysOf(...bags: Unwrapped[]): Set<string> {
  return new Set(bags.flatMap((bag) => [...bag.secretKeys]));
}
