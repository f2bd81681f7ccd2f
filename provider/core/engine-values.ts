/**
 * What the Pulumi engine can carry between itself and a dynamic provider.
 *
 * The Node.js dynamic-provider host converts every result with protobuf's `Struct.fromJavaScript`, which
 * throws `Unexpected struct type.` on `undefined` (and on functions, symbols, bigints), and the user then
 * sees that instead of our message. The provider passes every result through {@link carriable}, so no
 * method can hand the engine a value it cannot carry, on any path.
 */

/**
 * Pulumi's placeholder for a value not known during preview (`unknownValue` in the Node.js SDK's
 * `runtime/rpc.ts`). Copied rather than imported so that the provider process does not load the Pulumi
 * runtime for it. It is internal to Pulumi: never show it to a user (see {@link withoutUnknowns}).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True for Pulumi's unknown placeholder. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Text with every unknown placeholder replaced by a word a user understands. */
export function withoutUnknowns(text: string): string {
  return text
    .split(JSON.stringify(UNKNOWN))
    .join("(unknown until apply)")
    .split(UNKNOWN)
    .join("(unknown until apply)");
}

/**
 * A copy of `value` that the engine can carry: object keys holding `undefined` are left out, as the
 * engine's own serializer does for resource inputs, and anything that is not JSON-like (a function, a
 * symbol, a bigint, a non-finite number) is rejected here with a message naming where it is, rather than
 * by protobuf with one that names nothing.
 */
export function carriable<T>(value: T, where = "result"): T {
  return carry(value, where) as T;
}

function carry(value: unknown, where: string): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      break;
    case "object":
      if (Array.isArray(value)) {
        return value.map((item, i) =>
          item === undefined ? null : carry(item, `${where}[${i}]`),
        );
      }
      if (isPlainObject(value)) {
        const copy: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) {
          if (item !== undefined) copy[key] = carry(item, `${where}.${key}`);
        }
        return copy;
      }
      break;
    // What the engine cannot carry: rejected below, like the non-finite numbers and other objects.
    case "undefined":
    case "function":
    case "symbol":
    case "bigint":
      break;
  }
  throw new TypeError(
    `ClientSecretRotation internal error: ${where} is a ${describeType(value)}, which the Pulumi engine cannot carry.`,
  );
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (typeof value === "number") return `non-finite number (${value})`;
  if (typeof value === "object" && value !== null) {
    return `${value.constructor?.name ?? "object"} object`;
  }
  return typeof value;
}
