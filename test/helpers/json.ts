/**
 * Reading parsed JSON in tests, such as the bodies the emulator answers. Each reader checks what it finds,
 * so that a missing or misspelt field fails where it is read, naming its path, instead of going on as
 * `undefined` (which an `any` body would let through to the next check).
 */

/** A parsed JSON object. Read nested fields with {@link at}, or {@link stringAt} where a string must be. */
export type Json = Record<string, unknown>;

/** Object keys and array indexes, outermost first. */
type JsonPath = Array<string | number>;

/**
 * The value at `path` in a parsed JSON value, or `undefined` where a step is missing; for assertions,
 * which then show what they got.
 */
export function at(value: unknown, ...path: JsonPath): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/**
 * The string at `path`, for a value a test goes on to use (a secret to authenticate with, an id for a
 * path). A missing field must not go on as `undefined`, which a check such as "this secret no longer
 * works" would wrongly pass.
 */
export function stringAt(value: unknown, ...path: JsonPath): string {
  return expectAt("string", value, path);
}

/** The object at `path`, for reading its keys. */
export function objectAt(value: unknown, ...path: JsonPath): Json {
  return expectAt("object", value, path);
}

/** The array at `path`. */
export function arrayAt(value: unknown, ...path: JsonPath): unknown[] {
  return expectAt("array", value, path);
}

interface Kinds {
  string: string;
  object: Json;
  array: unknown[];
}

/**
 * The value at `path` if it is of `kind`. Otherwise fails the test, naming the path and the kind found
 * there but never the value: it may be a secret.
 */
function expectAt<K extends keyof Kinds>(
  kind: K,
  value: unknown,
  path: JsonPath,
): Kinds[K] {
  const found = at(value, ...path);
  if (kindOf(found) !== kind) {
    throw new Error(
      `expected ${kind} at ${path.join(".")}, found ${kindOf(found)}`,
    );
  }
  return found as Kinds[K];
}

/** `typeof`, with arrays and null told apart from objects. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}
