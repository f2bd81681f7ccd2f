/**
 * The fingerprint of a client secret: what a consumer reports to show which secret it uses, without
 * revealing it.
 *
 * A fingerprint is public (a plain stack output, a log line), so it must not let anyone recover the secret
 * cheaply. It is scrypt, memory-hard and slow on purpose (about 0.1 s and 32 MiB per fingerprint), salted
 * with the client id: both the rotation and its consumers know the client id, so they compute the same
 * value with no shared key, and no single precomputed dictionary serves for every client (a fixed salt,
 * the retired `sfp1` format, let one table attack every user's custom secrets at once).
 *
 * What it does not do: it does not stop an offline guess against one client. Whoever reads the
 * fingerprint can test guesses at scrypt's cost, with no rate limit and no Stytch involved. A secret that
 * Stytch generated (264 random bits) is far out of reach; a short custom secret is not.
 */
import { scryptSync } from "node:crypto";

/** The format in use: `sfp2:` + 22 base64url characters (16 bytes of scrypt). */
export const FINGERPRINT_VERSION = "sfp2";
const SALT_PREFIX =
  "pulumi-stytch-client-secret-rotation/secret-fingerprint/v2/";
// N = 2^15, r = 8: 128 · N · r = 32 MiB per evaluation.
const COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 16;

const FINGERPRINT_FORMAT = /^sfp2:[A-Za-z0-9_-]{22}$/;
/** The retired fixed-salt format, recognised only to say how to replace it. */
const RETIRED_FORMAT = /^sfp1:[A-Za-z0-9_-]{22}$/;

/**
 * The fingerprint of `secret`, a client secret of the Stytch client `clientId`, e.g. `sfp2:3q2-7wA0…`.
 * Deterministic: the same secret of the same client always gives the same fingerprint, in any program.
 */
export function fingerprintOf(secret: string, clientId: string): string {
  const key = scryptSync(secret, SALT_PREFIX + clientId, KEY_BYTES, COST);
  return `${FINGERPRINT_VERSION}:${key.toString("base64url")}`;
}

/** True for a string shaped like a fingerprint from {@link fingerprintOf}. */
export function isFingerprint(value: unknown): value is string {
  return typeof value === "string" && FINGERPRINT_FORMAT.test(value);
}

/** True for a fingerprint in the retired fixed-salt format (`sfp1:`), which no rule accepts any more. */
export function isRetiredFingerprint(value: unknown): boolean {
  return typeof value === "string" && RETIRED_FORMAT.test(value);
}

/**
 * The fingerprint a caller asks for by name (the native provider's `stytch:index:secretFingerprint`
 * function): `{ fingerprint }`, or the problems with the arguments. Never quotes a value: one of them is a
 * secret.
 */
export function fingerprintFor(
  args: Record<string, unknown>,
):
  | { fingerprint: string }
  | { failures: Array<{ property: string; reason: string }> } {
  const failures = ["secret", "clientId"]
    .filter((name) => typeof args[name] !== "string" || args[name] === "")
    .map((property) => ({
      property,
      reason:
        property === "secret"
          ? "secret must be the client secret the consumer holds (a non-empty string)."
          : "clientId must be the id of the Stytch client the secret belongs to (a non-empty string).",
    }));
  if (failures.length > 0) return { failures };
  return {
    fingerprint: fingerprintOf(
      args["secret"] as string,
      args["clientId"] as string,
    ),
  };
}
