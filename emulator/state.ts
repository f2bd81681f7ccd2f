/**
 * The emulator's in-memory store: clients of both kinds, their secrets as salted hashes, and the rotation
 * state machine of docs/stytch-api.md, "Rotation". Everything here is plain data plus methods, independent of HTTP, so
 * the HTTP routes and the in-process helpers (`createM2MClient`, …) run the very same code.
 *
 * Secrets: a plaintext secret exists only in the return value of the one call that reveals it (create,
 * rotate/start). The store keeps `{salt, sha256, lastFour}` per secret, nothing else.
 */
import {
  createHash,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import { ApiError } from "./responses";
import {
  isPublicClientType,
  type ClientKind,
  type ConnectedApp,
  type ConnectedAppClientType,
  type ConnectedAppWithClientSecret,
  type ConnectedAppWithNextClientSecret,
  type M2MClient,
  type M2MClientWithClientSecret,
  type M2MClientWithNextClientSecret,
} from "./wire";

/** What `rotate/start` does while a rotation is already pending (docs/stytch-api.md, "Rotation"). */
export type AlreadyRotatingMode = "reject" | "replace";

/**
 * Per-kind facts: the id prefix of generated ids and the prefix of the kind's error types
 * (`m2m_client_not_found`, `connected_app_already_rotating_secret`, …).
 */
const KIND_INFO = {
  m2m: {
    idPrefix: "m2m-client-test-",
    errorPrefix: "m2m_client",
    label: "M2M client",
  },
  connected_app: {
    idPrefix: "connected-app-test-",
    errorPrefix: "connected_app",
    label: "Connected App",
  },
} as const satisfies Record<ClientKind, unknown>;

/**
 * A stored secret. SHA-256 with a per-secret salt rather than a slow KDF: generated secrets carry 264 bits
 * of entropy, so stretching would only slow every token request down, and the salt keeps two clients
 * with the same custom secret from sharing a hash.
 */
interface SecretRecord {
  readonly salt: string;
  readonly sha256: string;
  readonly lastFour: string;
}

type M2MProfile = Omit<
  M2MClient,
  "client_secret_last_four" | "next_client_secret_last_four"
>;
type ConnectedAppProfile = Omit<
  ConnectedApp,
  "client_secret_last_four" | "next_client_secret_last_four"
>;

/** An M2M client as stored: its wire fields except the last fours, and its secrets as hashes. */
interface StoredM2MClient {
  readonly kind: "m2m";
  profile: M2MProfile;
  secret: SecretRecord;
  nextSecret: SecretRecord | null;
}

/** A Connected App as stored. Public apps have `secret: null` for their whole life. */
interface StoredConnectedApp {
  readonly kind: "connected_app";
  profile: ConnectedAppProfile;
  secret: SecretRecord | null;
  nextSecret: SecretRecord | null;
}

/** A stored client of either kind. */
type StoredClient = StoredM2MClient | StoredConnectedApp;

/** The body of `POST /v1/m2m/clients` (docs/stytch-api.md, "Clients and their secrets"). */
export interface M2MClientCreateInput {
  scopes: string[];
  client_id?: string;
  client_secret?: string;
  client_name?: string;
  client_description?: string;
  trusted_metadata?: Record<string, unknown>;
}

/** The body of `PUT /v1/m2m/clients/:client_id`. A `trusted_metadata` key set to `null` is deleted. */
export interface M2MClientUpdateInput {
  client_name?: string;
  client_description?: string;
  status?: "active" | "inactive";
  scopes?: string[];
  trusted_metadata?: Record<string, unknown>;
}

/**
 * The body of `POST /v1/connected_apps/clients`. `client_id` is an emulator extension (the real API
 * always generates it) so that tests can pick readable or awkward ids.
 */
export interface ConnectedAppCreateInput {
  client_type: ConnectedAppClientType;
  client_id?: string;
  client_name?: string;
  client_description?: string;
  redirect_urls?: string[];
  full_access_allowed?: boolean;
  access_token_expiry_minutes?: number;
  access_token_custom_audience?: string;
  access_token_template_content?: string;
  post_logout_redirect_urls?: string[];
  logo_url?: string;
  bypass_consent_for_offline_access?: boolean;
  id_token_template_content?: string;
}

/** The body of `PUT /v1/connected_apps/clients/:client_id`: client type, id and secrets are immutable. */
export type ConnectedAppUpdateInput = Omit<
  ConnectedAppCreateInput,
  "client_type" | "client_id"
>;

/** A search query for M2M clients (docs/stytch-api.md, "Clients and their secrets"). */
export interface M2MSearchQuery {
  operator: "AND" | "OR";
  operands: Array<{
    filter_name: "client_id" | "client_name" | "scopes";
    filter_value: string[];
  }>;
}

/** Which of a client's secrets a candidate matched. */
export type SecretMatch = "current" | "next" | "invalid";

/** Options of {@link EmulatorState}. */
export interface EmulatorStateOptions {
  projectId: string;
  projectSecret: string;
  alreadyRotating: AlreadyRotatingMode;
  creationMethod: string;
}

/** A new random client secret: 33 random bytes, base64url, 44 characters (docs/stytch-api.md, "Clients and their secrets"). */
export function generateClientSecret(): string {
  return randomBytes(33).toString("base64url");
}

function sha256(salt: string, value: string): Buffer {
  return createHash("sha256").update(salt).update(value, "utf8").digest();
}

function hashSecret(secret: string): SecretRecord {
  const salt = randomBytes(16).toString("base64url");
  return {
    salt,
    sha256: sha256(salt, secret).toString("base64url"),
    lastFour: secret.slice(-4),
  };
}

// Constant time: both sides are fixed-length digests, so neither content nor length leaks.
function secretMatches(record: SecretRecord, candidate: string): boolean {
  return timingSafeEqual(
    sha256(record.salt, candidate),
    Buffer.from(record.sha256, "base64url"),
  );
}

const MAX_CLIENT_ID_LENGTH = 256;
const MIN_CUSTOM_SECRET_LENGTH = 8;
const MAX_CUSTOM_SECRET_LENGTH = 256;

/**
 * The in-memory store of one emulated Stytch project. Methods take and return wire shapes; failures are
 * thrown as {@link ApiError} with the status and `error_type` of docs/stytch-api.md, "Rotation".
 */
export class EmulatorState {
  private readonly clients = new Map<string, StoredClient>();
  private readonly projectId: string;
  // The project secret is kept as a hash too: the store never holds a usable credential.
  private readonly projectSecretHash: SecretRecord;
  private readonly alreadyRotating: AlreadyRotatingMode;
  private readonly creationMethod: string;
  private readonly chosenNextSecrets: string[] = [];

  /** @param options Project identity and behaviour switches, see {@link EmulatorStateOptions}. */
  constructor(options: EmulatorStateOptions) {
    this.projectId = options.projectId;
    this.projectSecretHash = hashSecret(options.projectSecret);
    this.alreadyRotating = options.alreadyRotating;
    this.creationMethod = options.creationMethod;
  }

  /**
   * Makes `secret` the next secret a rotate/start generates, for tests of secrets Stytch gives only by
   * chance (a last four starting with "-" is one in 64). Queued secrets are used in order.
   * @throws {@link Error} for a secret not shaped like a generated one (44 base64url characters).
   */
  chooseNextSecret(secret: string): void {
    if (!/^[A-Za-z0-9_-]{44}$/.test(secret)) {
      throw new Error(
        "a chosen next secret must be shaped like a generated one: 44 base64url characters",
      );
    }
    this.chosenNextSecrets.push(secret);
  }

  /**
   * Checks an `Authorization` header against the project's Basic credentials (docs/stytch-api.md, "Hosts and authentication").
   * @throws {@link ApiError} 400 `invalid_authorization_header` when missing or garbled, 400
   * `invalid_project_id_authentication` for another project id, 401 `unauthorized_credentials` for a wrong
   * secret.
   */
  authenticateProject(header: string | undefined): void {
    const credentials = parseBasicAuth(header);
    if (!credentials || !credentials.username || !credentials.password) {
      throw new ApiError(
        400,
        "invalid_authorization_header",
        "The authorization header provided with the request is invalid.",
      );
    }
    if (credentials.username !== this.projectId) {
      throw new ApiError(
        400,
        "invalid_project_id_authentication",
        "The project ID provided in the basic authentication header is invalid. Please check to make sure the format is correct and there are no trailing whitespaces.",
      );
    }
    if (!secretMatches(this.projectSecretHash, credentials.password)) {
      throw new ApiError(
        401,
        "unauthorized_credentials",
        "Unauthorized credentials.",
      );
    }
  }

  /** Whether `projectId` is this project's id (the token endpoint carries it in its path). */
  isProjectId(projectId: string): boolean {
    return projectId === this.projectId;
  }

  /**
   * Creates an M2M client; its first secret is generated unless `client_secret` is given.
   * @returns The create answer, the only place the plaintext secret appears.
   * @throws {@link ApiError} 400 for a duplicate or invalid `client_id`, a weak secret or bad scopes.
   */
  createM2MClient(input: M2MClientCreateInput): M2MClientWithClientSecret {
    const clientId = this.newClientId("m2m", input.client_id);
    checkScopes(input.scopes);
    const secret = input.client_secret ?? generateClientSecret();
    if (input.client_secret !== undefined) {
      validateCustomSecret(input.client_secret);
    }
    const stored: StoredM2MClient = {
      kind: "m2m",
      profile: {
        client_id: clientId,
        client_name: input.client_name ?? "",
        client_description: input.client_description ?? "",
        status: "active",
        scopes: [...input.scopes],
        trusted_metadata: { ...(input.trusted_metadata ?? {}) },
      },
      secret: hashSecret(secret),
      nextSecret: null,
    };
    this.clients.set(clientId, stored);
    const { client_id, ...rest } = m2mClientJSON(stored);
    return { client_id, client_secret: secret, ...rest };
  }

  /**
   * Creates a Connected App; confidential types get a generated secret, public types none.
   * @returns The create answer (no `creation_method`), with `client_secret` for confidential apps.
   * @throws {@link ApiError} 400 for a duplicate or invalid `client_id`.
   */
  createConnectedApp(
    input: ConnectedAppCreateInput,
  ): ConnectedAppWithClientSecret {
    const clientId = this.newClientId("connected_app", input.client_id);
    const secret = isPublicClientType(input.client_type)
      ? null
      : generateClientSecret();
    const stored: StoredConnectedApp = {
      kind: "connected_app",
      profile: {
        client_id: clientId,
        client_name: input.client_name ?? "",
        client_description: input.client_description ?? "",
        status: "active",
        full_access_allowed: input.full_access_allowed ?? false,
        client_type: input.client_type,
        redirect_urls: [...(input.redirect_urls ?? [])],
        access_token_expiry_minutes: input.access_token_expiry_minutes ?? 60,
        // A JSON-object string; the docs' example value (docs/stytch-api.md, "Clients and their secrets").
        access_token_template_content:
          input.access_token_template_content ?? "{}",
        post_logout_redirect_urls: [...(input.post_logout_redirect_urls ?? [])],
        bypass_consent_for_offline_access:
          input.bypass_consent_for_offline_access ?? false,
        access_token_custom_audience: input.access_token_custom_audience ?? "",
        logo_url: input.logo_url ?? "",
        client_id_metadata_url: "",
        id_token_template_content: input.id_token_template_content ?? "",
        creation_method: this.creationMethod,
      },
      secret: secret === null ? null : hashSecret(secret),
      nextSecret: null,
    };
    this.clients.set(clientId, stored);
    const { creation_method: _omitted, ...json } = connectedAppJSON(stored);
    return secret === null ? json : { ...json, client_secret: secret };
  }

  /**
   * Reads a client.
   * @throws {@link ApiError} 404 `m2m_client_not_found` / `connected_app_not_found`, also for an id of the
   * other kind (docs/stytch-api.md, "Rotation").
   */
  get(kind: ClientKind, clientId: string): M2MClient | ConnectedApp {
    return clientJSON(this.find(kind, clientId));
  }

  /** A client of either kind by id, or `null`: the in-process view used by tests (no HTTP, no record). */
  lookup(clientId: string): M2MClient | ConnectedApp | null {
    const stored = this.clients.get(clientId);
    return stored ? clientJSON(stored) : null;
  }

  /**
   * Updates an M2M client (top-level merge of `trusted_metadata`, a `null` value deletes the key).
   * @throws {@link ApiError} 404 when the client does not exist.
   */
  updateM2MClient(clientId: string, input: M2MClientUpdateInput): M2MClient {
    const stored = this.find("m2m", clientId) as StoredM2MClient;
    if (input.scopes) checkScopes(input.scopes);
    const { trusted_metadata, ...fields } = input;
    const profile = { ...stored.profile, ...stripUndefined(fields) };
    if (trusted_metadata !== undefined) {
      const merged = { ...profile.trusted_metadata };
      for (const [key, value] of Object.entries(trusted_metadata)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      profile.trusted_metadata = merged;
    }
    if (input.scopes) profile.scopes = [...input.scopes];
    stored.profile = profile;
    return m2mClientJSON(stored);
  }

  /**
   * Updates a Connected App's mutable fields.
   * @throws {@link ApiError} 404 when the app does not exist.
   */
  updateConnectedApp(
    clientId: string,
    input: ConnectedAppUpdateInput,
  ): ConnectedApp {
    const stored = this.find("connected_app", clientId) as StoredConnectedApp;
    stored.profile = { ...stored.profile, ...stripUndefined(input) };
    return connectedAppJSON(stored);
  }

  /**
   * Deletes a client; its secrets stop working at once.
   * @throws {@link ApiError} 404 when the client does not exist.
   */
  delete(kind: ClientKind, clientId: string): void {
    this.find(kind, clientId);
    this.clients.delete(clientId);
  }

  /**
   * Lists clients of one kind in creation order, `limit` at a time. The cursor is the opaque position of
   * the next page; `next_cursor` is `null` on the last page, as in Stytch's examples.
   */
  search(
    kind: ClientKind,
    options: { cursor?: string; limit?: number; query?: M2MSearchQuery },
  ): {
    clients: Array<M2MClient | ConnectedApp>;
    results_metadata: { total: number; next_cursor: string | null };
  } {
    const all = [...this.clients.values()].filter(
      (client) =>
        client.kind === kind &&
        (client.kind !== "m2m" ||
          !options.query ||
          matchesQuery(client, options.query)),
    );
    const start =
      options.cursor === undefined ? 0 : decodeCursor(options.cursor);
    const limit = options.limit ?? 100;
    const page = all.slice(start, start + limit);
    const end = start + page.length;
    return {
      clients: page.map(clientJSON),
      results_metadata: {
        total: all.length,
        next_cursor: end < all.length ? encodeCursor(end) : null,
      },
    };
  }

  /**
   * rotate/start: generates the next secret; from now on both secrets are valid.
   * @returns The client with `next_client_secret`, the only place that secret ever appears.
   * @throws {@link ApiError} 404 not found; 400 `public_connected_apps_do_not_have_secrets`; 400
   * `*_already_rotating_secret` while a rotation is pending, unless the store runs in `"replace"` mode,
   * where the pending next secret is discarded and a fresh one generated.
   */
  rotateStart(
    kind: ClientKind,
    clientId: string,
  ): M2MClientWithNextClientSecret | ConnectedAppWithNextClientSecret {
    const stored = this.findRotatable(kind, clientId);
    if (stored.nextSecret !== null && this.alreadyRotating === "reject") {
      throw new ApiError(
        400,
        `${KIND_INFO[kind].errorPrefix}_already_rotating_secret`,
        `The ${KIND_INFO[kind].label} is already rotating its secret. Complete or cancel the pending rotation before starting a new one.`,
      );
    }
    const next = this.chosenNextSecrets.shift() ?? generateClientSecret();
    stored.nextSecret = hashSecret(next);
    if (stored.kind === "m2m") {
      const { client_id, ...rest } = m2mClientJSON(stored);
      return { client_id, next_client_secret: next, ...rest };
    }
    const { creation_method: _omitted, ...json } = connectedAppJSON(stored);
    // findRotatable guarantees a current secret, so the last four is a string here.
    return {
      ...json,
      client_secret_last_four: stored.secret.lastFour,
      next_client_secret: next,
    };
  }

  /**
   * rotate (complete): the next secret becomes the client secret; the old one stops working.
   * @throws {@link ApiError} 404 not found; 400 `public_connected_apps_do_not_have_secrets`; 400
   * `*_not_rotating_secret` when nothing is pending.
   */
  rotate(kind: ClientKind, clientId: string): M2MClient | ConnectedApp {
    const stored = this.findRotatable(kind, clientId);
    stored.secret = this.requirePending(kind, stored);
    stored.nextSecret = null;
    return clientJSON(stored);
  }

  /**
   * rotate/cancel: the next secret is discarded; only the old one stays valid.
   * @throws {@link ApiError} as {@link EmulatorState.rotate}.
   */
  rotateCancel(kind: ClientKind, clientId: string): M2MClient | ConnectedApp {
    const stored = this.findRotatable(kind, clientId);
    this.requirePending(kind, stored);
    stored.nextSecret = null;
    return clientJSON(stored);
  }

  /** Which of a client's secrets `secret` is, if any; `"invalid"` also for unknown clients. */
  verifySecret(clientId: string, secret: string): SecretMatch {
    const stored = this.clients.get(clientId);
    if (!stored || stored.secret === null) return "invalid";
    // Check both even after a hit, so the time taken does not tell which one matched.
    const current = secretMatches(stored.secret, secret);
    const next =
      stored.nextSecret !== null && secretMatches(stored.nextSecret, secret);
    return current ? "current" : next ? "next" : "invalid";
  }

  /** The kind and status of a client, or `null`: what the token endpoint needs to decide. */
  describe(
    clientId: string,
  ):
    | { kind: "m2m"; status: "active" | "inactive"; scopes: string[] }
    | { kind: "connected_app"; status: "active" }
    | null {
    const stored = this.clients.get(clientId);
    if (!stored) return null;
    return stored.kind === "m2m"
      ? {
          kind: "m2m",
          status: stored.profile.status,
          scopes: [...stored.profile.scopes],
        }
      : { kind: "connected_app", status: stored.profile.status };
  }

  private find(kind: ClientKind, clientId: string): StoredClient {
    const stored = this.clients.get(clientId);
    if (!stored || stored.kind !== kind) {
      throw new ApiError(
        404,
        `${KIND_INFO[kind].errorPrefix}_not_found`,
        `The ${KIND_INFO[kind].label} requested could not be found.`,
      );
    }
    return stored;
  }

  private findRotatable(
    kind: ClientKind,
    clientId: string,
  ): StoredClient & { secret: SecretRecord } {
    const stored = this.find(kind, clientId);
    if (stored.secret === null) {
      throw new ApiError(
        400,
        "public_connected_apps_do_not_have_secrets",
        "Public Connected Apps do not have client secrets, so their secrets cannot be rotated.",
      );
    }
    return stored as StoredClient & { secret: SecretRecord };
  }

  private requirePending(kind: ClientKind, stored: StoredClient): SecretRecord {
    if (stored.nextSecret === null) {
      throw new ApiError(
        400,
        `${KIND_INFO[kind].errorPrefix}_not_rotating_secret`,
        `The ${KIND_INFO[kind].label} is not rotating its secret. Start a secret rotation first.`,
      );
    }
    return stored.nextSecret;
  }

  private newClientId(kind: ClientKind, requested: string | undefined): string {
    if (requested === undefined)
      return `${KIND_INFO[kind].idPrefix}${randomUUID()}`;
    const invalidType =
      kind === "m2m" ? "m2m_client_invalid_client_id" : "invalid_client_id";
    // Any printable string is allowed, so tests can exercise path encoding with awkward ids.
    if (
      requested.length === 0 ||
      requested.length > MAX_CLIENT_ID_LENGTH ||
      /[\u0000-\u001f\u007f]/.test(requested) ||
      requested.trim() !== requested
    ) {
      throw new ApiError(
        400,
        invalidType,
        `client_id must be 1 to ${MAX_CLIENT_ID_LENGTH} printable characters without surrounding whitespace.`,
      );
    }
    if (this.clients.has(requested)) {
      throw new ApiError(
        400,
        kind === "m2m" ? "duplicate_m2m_client_id" : "duplicate_client_id",
        "A client with this client_id already exists in the project.",
      );
    }
    return requested;
  }
}

/** The wire form of a stored M2M client: last fours from the hash records, never a secret. */
function m2mClientJSON(stored: StoredM2MClient): M2MClient {
  const p = stored.profile;
  return {
    client_id: p.client_id,
    client_name: p.client_name,
    client_description: p.client_description,
    status: p.status,
    scopes: [...p.scopes],
    client_secret_last_four: stored.secret.lastFour,
    trusted_metadata: structuredClone(p.trusted_metadata),
    next_client_secret_last_four: stored.nextSecret?.lastFour ?? null,
  };
}

/** The wire form of a stored Connected App, in the field order of Stytch's docs. */
function connectedAppJSON(stored: StoredConnectedApp): ConnectedApp {
  const p = stored.profile;
  return {
    client_id: p.client_id,
    client_name: p.client_name,
    client_description: p.client_description,
    status: p.status,
    client_secret_last_four: stored.secret?.lastFour ?? null,
    full_access_allowed: p.full_access_allowed,
    client_type: p.client_type,
    redirect_urls: [...p.redirect_urls],
    access_token_expiry_minutes: p.access_token_expiry_minutes,
    access_token_template_content: p.access_token_template_content,
    post_logout_redirect_urls: [...p.post_logout_redirect_urls],
    bypass_consent_for_offline_access: p.bypass_consent_for_offline_access,
    next_client_secret_last_four: stored.nextSecret?.lastFour ?? null,
    access_token_custom_audience: p.access_token_custom_audience,
    logo_url: p.logo_url,
    client_id_metadata_url: p.client_id_metadata_url,
    id_token_template_content: p.id_token_template_content,
    creation_method: p.creation_method,
  };
}

function clientJSON(stored: StoredClient): M2MClient | ConnectedApp {
  return stored.kind === "m2m"
    ? m2mClientJSON(stored)
    : connectedAppJSON(stored);
}

function matchesQuery(client: StoredM2MClient, query: M2MSearchQuery): boolean {
  if (query.operands.length === 0) return true;
  const results = query.operands.map(({ filter_name, filter_value }) => {
    switch (filter_name) {
      case "client_id":
        return filter_value.includes(client.profile.client_id);
      case "client_name":
        return filter_value.includes(client.profile.client_name);
      case "scopes":
        return client.profile.scopes.some((scope) =>
          filter_value.includes(scope),
        );
    }
  });
  return query.operator === "AND"
    ? results.every(Boolean)
    : results.some(Boolean);
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(
    Buffer.from(cursor, "base64url").toString("utf8"),
  );
  if (!match?.[1]) {
    throw new ApiError(400, "invalid_cursor", "The cursor is not valid.");
  }
  return Number(match[1]);
}

/** Create and update accept the same scopes: ones the token endpoint can be asked for. */
function checkScopes(scopes: readonly string[]): void {
  if (scopes.some((scope) => !isValidScope(scope))) {
    throw new ApiError(
      400,
      "invalid_m2m_client_scope",
      "Scopes must be non-empty strings without whitespace.",
    );
  }
}

function isValidScope(scope: string): boolean {
  return scope.length > 0 && !/\s/.test(scope);
}

function validateCustomSecret(secret: string): void {
  if (secret.length < MIN_CUSTOM_SECRET_LENGTH) {
    throw new ApiError(
      400,
      "insecure_m2m_client_secret",
      `A custom client_secret must be at least ${MIN_CUSTOM_SECRET_LENGTH} characters long.`,
    );
  }
  if (secret.length > MAX_CUSTOM_SECRET_LENGTH) {
    throw new ApiError(
      400,
      "client_secret_too_long",
      `A custom client_secret must be at most ${MAX_CUSTOM_SECRET_LENGTH} characters long.`,
    );
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/**
 * Parses `Authorization: Basic base64(user:password)`. Returns `null` for anything else, so every malformed
 * form (wrong scheme, bad base64, no colon) gets the same `invalid_authorization_header` answer.
 */
export function parseBasicAuth(
  header: string | undefined,
): { username: string; password: string } | null {
  const match = /^Basic +([A-Za-z0-9+/_-]+={0,2}) *$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}
