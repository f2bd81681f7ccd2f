/**
 * The fingerprint of a client secret: what a consumer reports to show which secret it uses, without
 * revealing it.
 *
 * A fingerprint is public (a plain stack output, a log line), so it must not let anyone recover the secret
 * or test a guess more cheaply than guessing against Stytch itself. A fast hash would allow billions of
 * offline guesses a second, which matters for custom M2M secrets (Stytch accepts 8 characters). So it is
 * scrypt, memory-hard and slow on purpose (about 0.1 s and 32 MiB per fingerprint), over a fixed,
 * versioned salt: every consumer computes the same value from the same secret with no shared key.
 */
import { scryptSync } from "node:crypto";

const VERSION = "sfp1";
const SALT = "pulumi-stytch-client-secret-rotation/secret-fingerprint/v1";
// N = 2^15, r = 8: 128 · N · r = 32 MiB per evaluation.
const COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 16;

/** `sfp1:` followed by 22 base64url characters. */
const FINGERPRINT_FORMAT = /^sfp1:[A-Za-z0-9_-]{22}$/;

/**
 * The fingerprint of `secret`, e.g. `sfp1:3q2-7wA0…`. Deterministic: the same secret always gives the
 * same fingerprint, in any program.
 */
export function fingerprintOf(secret: string): string {
  const key = scryptSync(secret, SALT, KEY_BYTES, COST);
  return `${VERSION}:${key.toString("base64url")}`;
}

/** True for a string shaped like a fingerprint from {@link fingerprintOf}. */
export function isFingerprint(value: unknown): value is string {
  return typeof value === "string" && FINGERPRINT_FORMAT.test(value);
}
