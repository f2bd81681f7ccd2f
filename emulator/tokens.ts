/**
 * M2M access tokens the official SDKs can verify: RS256 JWTs with a `kid` header, signed with the
 * emulator's own key pairs, and the JSON Web Key Set that verifies them (docs/stytch-api.md, "Proving that a secret works").
 *
 * Signing and key encoding are left to `jose`, the library stytch-node itself verifies with. Its major
 * version 5 is used on purpose: version 6 is ESM-only, which a CommonJS package cannot `require` on the
 * Node 20 releases before 20.19 that `engines` allows, nor can jest 29 load it without a transform.
 *
 * Key pairs are made on first use, not at start: an RSA key takes about 0.1 s of CPU, and most emulators
 * (one per test) never issue a token.
 */
import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from "jose";
import type { JWK } from "./wire";

/** Seconds an access token is valid for, as at Stytch (`expires_in`, and `exp` − `iat`). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

const ALGORITHM = "RS256";

/** One signing key: the private half stays here, the public half is published in the key set. */
interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
}

/**
 * Issues a project's M2M access tokens and publishes the keys that verify them. Every key ever used stays
 * in the key set, so a token stays verifiable until it expires even after {@link TokenIssuer.rotateKey}.
 */
export class TokenIssuer {
  // A promise chain rather than an array: key generation is asynchronous, and a rotation requested while
  // the first key is still being made must append to it, not race it.
  private keys: Promise<readonly SigningKey[]> | null = null;

  /** @param projectId The project the tokens are for: their issuer and audience. */
  constructor(private readonly projectId: string) {}

  /**
   * An access token for an M2M client with Stytch's standard claims: `sub` = client id, `iss` =
   * `stytch.com/{project_id}`, `aud` = `[project_id]`, `scope` space-delimited, `iat` = `nbf`, `exp` one
   * hour later, and a unique `jti`; header `typ: "JWT"` and the current key's `kid`.
   */
  async issueM2MToken(
    clientId: string,
    scopes: readonly string[],
  ): Promise<string> {
    const keys = await this.allKeys();
    // allKeys() always holds at least one key; the last one is the current signing key.
    const current = keys[keys.length - 1]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: scopes.join(" ") })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: current.kid })
      .setSubject(clientId)
      .setIssuer(`stytch.com/${this.projectId}`)
      .setAudience([this.projectId])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ACCESS_TOKEN_LIFETIME_SECONDS)
      .setJti(randomUUID())
      .sign(current.privateKey);
  }

  /** The public keys of every signing key made so far, oldest first (the `keys` of the JWKS answer). */
  async jwks(): Promise<JWK[]> {
    return (await this.allKeys()).map((key) => ({ ...key.publicJwk }));
  }

  /**
   * Makes a new key the signing key. The previous keys stay published, as at a real key rotation, so
   * tokens they signed still verify until they expire.
   * @returns The new key's `kid`.
   */
  async rotateKey(): Promise<string> {
    const rotated = this.allKeys().then(async (keys) => [
      ...keys,
      await newSigningKey(),
    ]);
    this.keys = rotated;
    const keys = await rotated;
    return keys[keys.length - 1]!.kid;
  }

  private allKeys(): Promise<readonly SigningKey[]> {
    this.keys ??= newSigningKey().then((key) => [key]);
    return this.keys;
  }
}

async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(ALGORITHM);
  const { n, e } = await exportJWK(publicKey);
  const kid = `jwk-test-${randomUUID()}`;
  if (n === undefined || e === undefined) {
    throw new Error("jose exported an RSA public key without n or e");
  }
  return {
    kid,
    privateKey,
    publicJwk: {
      kty: "RSA",
      use: "sig",
      key_ops: ["verify"],
      alg: ALGORITHM,
      kid,
      n,
      e,
    },
  };
}
