/**
 * `startEmulator()`: an in-memory Stytch emulator on a real loopback HTTP server (`node:http` only).
 *
 * A real server rather than an in-process interceptor (nock, msw) because Pulumi runs a dynamic provider in
 * a separate Node process, which only a socket can reach. Shaped like ky's test server
 * (`test/helpers/create-http-test-server.ts`): ephemeral port by default, `close()` ends keep-alive
 * connections first so tests never hang.
 *
 * Each request goes: read body → match route → control route? answer, done → take a fault rule → delay →
 * reset / injected status / apply (auth, handler) → drop or send → record.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { FaultList, type FaultController } from "./faults";
import {
  ApiError,
  OAuthError,
  defaultErrorMessage,
  defaultErrorType,
  newRequestId,
} from "./responses";
import {
  FAULTABLE_ROUTES,
  matchRoute,
  type RouteMatch,
  type RouteServices,
  type ServedRequest,
} from "./routes";
import {
  EmulatorState,
  type AlreadyRotatingMode,
  type SecretMatch,
} from "./state";
import { TokenIssuer } from "./tokens";
import type { ConnectedApp, ConnectedAppClientType, M2MClient } from "./wire";

/** Options of {@link startEmulator}; every field is optional. */
export interface EmulatorOptions {
  /** TCP port. Default `0`: an ephemeral port, see {@link RunningEmulator.url}. */
  port?: number;
  /** Interface to listen on. Default `"127.0.0.1"`: loopback only, the provider accepts `http://` only there. */
  host?: string;
  /** Project id for Basic auth and the token path. Default `"project-test-"` + a random UUID. */
  projectId?: string;
  /** Project secret for Basic auth. Default `"secret-test-"` + random base64url. */
  projectSecret?: string;
  /**
   * Create one M2M client, one confidential Connected App (`first_party`) and one public Connected App
   * (`first_party_public`) at start, see {@link RunningEmulator.seeded}. Default `true`.
   */
  seed?: boolean;
  /**
   * What rotate/start does while a rotation is pending: `"reject"` (default) fails with
   * `m2m_client_already_rotating_secret` / `connected_app_already_rotating_secret` as Stytch's error types
   * imply; `"replace"` discards the pending next secret and issues a fresh one (docs/stytch-api.md, "Rotation").
   */
  alreadyRotating?: AlreadyRotatingMode;
  /** The Connected App `creation_method` value (unknown enum, docs/stytch-api.md, "Clients and their secrets"). Default `"API"`. */
  creationMethod?: string;
  /**
   * Called after each served request is recorded (the CLI's `--verbose` log). It sees exactly what
   * {@link RunningEmulator.requests} holds: method, path, route, client id and status, never a body.
   */
  onRequest?: (request: ServedRequest) => void;
}

/** A client the emulator created, with its secret as revealed at creation. */
export interface SeededClient {
  clientId: string;
  /** The plaintext client secret; `null` for public Connected Apps, which have none. */
  clientSecret: string | null;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `"http://127.0.0.1:54321"`; the API is served at its root. */
  url: string;
  /** The project id the emulator accepts (emulator-only). */
  projectId: string;
  /** The project secret the emulator accepts (emulator-only, not valid anywhere else). */
  projectSecret: string;
  /** The clients created at start, or `null` with `seed: false`. */
  seeded: {
    m2m: SeededClient;
    connectedApp: SeededClient;
    publicConnectedApp: SeededClient;
  } | null;
  /**
   * Every request served, in the order answered (live array, so tests can count API calls). Control
   * requests to `/_emulator/*` are not recorded; faulted requests are, with the fault's outcome as status.
   */
  requests: ServedRequest[];
  /** Empties {@link RunningEmulator.requests} in place. */
  clearRequests(): void;
  /** Fault injection, see {@link FaultRule}. Also reachable over HTTP at `/_emulator/faults`. */
  faults: FaultController;
  /**
   * Creates an M2M client in-process, through the same store code as `POST /v1/m2m/clients`, without
   * an HTTP request (so nothing is recorded). Default scopes `["read:users", "write:users"]`.
   * @throws {@link ApiError} for a duplicate or invalid `clientId`.
   */
  createM2MClient(opts?: {
    clientId?: string;
    scopes?: string[];
    clientName?: string;
  }): SeededClient;
  /**
   * Creates a Connected App in-process, like `POST /v1/connected_apps/clients`. Public types get
   * `clientSecret: null`.
   * @throws {@link ApiError} for a duplicate or invalid `clientId`.
   */
  createConnectedApp(opts: {
    clientType: ConnectedAppClientType;
    clientId?: string;
    clientName?: string;
  }): SeededClient;
  /**
   * A client's current wire view (what GET would answer), or `null` if it does not exist. In-process:
   * no request is made or recorded, so tests can check state without disturbing API-call counts.
   */
  getClient(clientId: string): M2MClient | ConnectedApp | null;
  /**
   * Makes a new key pair the one that signs access tokens, like `POST /_emulator/keys/rotate`. The old
   * public keys stay in the key set, so tokens issued before still verify until they expire.
   * @returns The new key's `kid`.
   */
  rotateSigningKey(): Promise<string>;
  /**
   * Which of a client's secrets `secret` is: `"current"`, `"next"` (pending rotation) or `"invalid"`
   * (also for unknown clients). In-process, in constant time, nothing recorded.
   */
  verifySecret(clientId: string, secret: string): SecretMatch;
  /**
   * Makes `secret` the next secret a rotate/start generates (in-process), for tests of secrets Stytch
   * gives only by chance, e.g. a last four starting with "-".
   * @throws {@link Error} unless it has a generated secret's shape, 44 base64url characters.
   */
  chooseNextSecret(secret: string): void;
  /**
   * A complete textual dump of the in-memory store (`util.inspect` of the real objects, no depth or
   * length limits), for debugging and for proving that it holds hashes and last fours, never a secret.
   */
  dumpState(): string;
  /** Ends open connections, cancels delayed requests (they are not applied) and stops listening. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_SCOPES = ["read:users", "write:users"];

/**
 * Starts an emulator and resolves once it listens.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * process.env.STYTCH_BASE_URL = emulator.url;
 * process.env.STYTCH_PROJECT_ID = emulator.projectId;
 * process.env.STYTCH_SECRET = emulator.projectSecret;
 * emulator.faults.inject({ route: ROUTE_TEMPLATES.m2m.rotateStart, dropResponse: true });
 * // … run the code under test …
 * await emulator.close();
 * ```
 * @throws when the port cannot be bound (e.g. `EADDRINUSE`).
 */
export async function startEmulator(
  options: EmulatorOptions = {},
): Promise<RunningEmulator> {
  const projectId = options.projectId ?? `project-test-${randomUUID()}`;
  const projectSecret =
    options.projectSecret ??
    `secret-test-${randomBytes(24).toString("base64url")}`;
  const state = new EmulatorState({
    projectId,
    projectSecret,
    alreadyRotating: options.alreadyRotating ?? "reject",
    creationMethod: options.creationMethod ?? "API",
  });
  const tokens = new TokenIssuer(projectId);
  const faults = new FaultList(FAULTABLE_ROUTES);
  const requests: ServedRequest[] = [];
  const services: RouteServices = { state, tokens, faults, requests };
  const delays = new DelayTracker();

  const createM2MClient: RunningEmulator["createM2MClient"] = (opts = {}) => {
    const created = state.createM2MClient({
      scopes: opts.scopes ?? DEFAULT_SCOPES,
      client_id: opts.clientId,
      client_name: opts.clientName,
    });
    return { clientId: created.client_id, clientSecret: created.client_secret };
  };
  const createConnectedApp: RunningEmulator["createConnectedApp"] = (opts) => {
    const created = state.createConnectedApp({
      client_type: opts.clientType,
      client_id: opts.clientId,
      client_name: opts.clientName,
    });
    return {
      clientId: created.client_id,
      clientSecret: created.client_secret ?? null,
    };
  };

  const seeded =
    options.seed === false
      ? null
      : {
          m2m: createM2MClient({ clientName: "Seeded M2M client" }),
          connectedApp: createConnectedApp({
            clientType: "first_party",
            clientName: "Seeded Connected App",
          }),
          publicConnectedApp: createConnectedApp({
            clientType: "first_party_public",
            clientName: "Seeded public Connected App",
          }),
        };

  const record = (entry: ServedRequest): void => {
    requests.push(entry);
    options.onRequest?.(entry);
  };

  const server = http.createServer((req, res) => {
    handle(req, res, services, delays, record).catch(() => {
      // Only reachable through a bug in the emulator itself; never leave the client hanging.
      req.socket.destroy();
    });
  });
  // Node answers a request it cannot parse (an unescaped space in a client id, say) with a bare 400 and
  // no body; every answer must be Stytch JSON (docs/stytch-api.md, "Errors"), or stytch-node throws RequestError.
  server.on("clientError", (_error, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(
      new ApiError(
        400,
        "bad_request",
        "The request could not be parsed: check that path parameters are URL-encoded.",
      ).toJSON(newRequestId()),
    );
    socket.end(
      "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\n" +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const address = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatHost(address.address)}:${address.port}`,
    projectId,
    projectSecret,
    seeded,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    faults,
    createM2MClient,
    createConnectedApp,
    getClient: (clientId) => state.lookup(clientId),
    rotateSigningKey: () => tokens.rotateKey(),
    verifySecret: (clientId, secret) => state.verifySecret(clientId, secret),
    chooseNextSecret: (secret) => state.chooseNextSecret(secret),
    dumpState: () => inspectDeep(state),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        delays.cancelAll();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

interface Answer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: object;
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  services: RouteServices,
  delays: DelayTracker,
  record: (entry: ServedRequest) => void,
): Promise<void> {
  // A write to a connection the client already closed must not crash the emulator.
  res.on("error", () => {});
  const method = (req.method ?? "GET").toUpperCase();
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const match = matchRoute(method, path);
  const control = match.kind === "found" && match.route.control === true;
  const route = match.kind === "found" ? match.route.template : null;
  const clientId =
    match.kind === "found" ? (match.params["client_id"] ?? null) : null;
  const served = (status: ServedRequest["status"]): void => {
    if (!control) record({ method, path, route, clientId, status });
  };

  const body = await readBody(req);
  // The client went away before sending its whole request: nothing was served.
  if (body === "aborted") return;
  if (body === "too_large") {
    served(413);
    send(
      res,
      errorAnswer(
        new ApiError(
          413,
          "request_too_large",
          "The request body is too large.",
        ),
      ),
    );
    return;
  }

  if (control) {
    send(res, await apply(match, req, body, services));
    return;
  }

  const fault = services.faults.take({ method, route, clientId });
  if (fault?.delayMs) {
    const completed = await delays.wait(fault.delayMs);
    // close() cancelled the delay: the request was never handled, like a server that went away.
    if (!completed) {
      req.socket.destroy();
      return;
    }
  }
  if (fault?.reset) {
    served("reset");
    req.socket.resetAndDestroy();
    return;
  }
  if (fault?.status !== undefined) {
    const injected = new ApiError(
      fault.status,
      fault.errorType ?? defaultErrorType(fault.status),
      defaultErrorMessage(fault.status),
      fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter },
    );
    served(fault.status);
    send(res, errorAnswer(injected));
    return;
  }

  if (fault?.redirectTo !== undefined) {
    served(307);
    send(res, {
      status: 307,
      headers: { location: fault.redirectTo },
      body: {
        status_code: 307,
        request_id: newRequestId(),
        error_type: "temporary_redirect",
        error_message: "Redirected by an emulator fault rule.",
      },
    });
    return;
  }

  const applied = await apply(match, req, body, services);
  const answer =
    fault?.omitFields === undefined
      ? applied
      : { ...applied, body: withoutFields(applied.body, fault.omitFields) };
  if (fault?.dropResponse) {
    served("dropped");
    req.socket.destroy();
    return;
  }
  if (fault?.answerDelayMs !== undefined) {
    const completed = await delays.wait(fault.answerDelayMs);
    // close() cancelled the wait: the change stays applied and the answer is never sent.
    if (!completed) {
      req.socket.destroy();
      return;
    }
  }
  // Recorded before the answer is written, so a client that awaited its response always finds it.
  served(answer.status);
  send(res, answer);
}

/** A copy of a JSON body without the named fields, at any depth (the `omitFields` fault). */
function withoutFields(body: object, fields: readonly string[]): object {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !fields.includes(key))
        .map(([key, item]) => [key, strip(item)]),
    );
  };
  return strip(body) as object;
}

/** Authenticates and runs the matched handler; turns every outcome into a JSON answer. */
async function apply(
  match: RouteMatch,
  req: http.IncomingMessage,
  body: Buffer,
  services: RouteServices,
): Promise<Answer> {
  const requestId = newRequestId();
  try {
    if (match.kind === "not_found") {
      throw new ApiError(
        404,
        "route_not_found",
        "No Stytch API route matches this method and path.",
      );
    }
    if (match.kind === "method_not_allowed") {
      throw new ApiError(
        405,
        "method_not_allowed",
        `This path does not accept this method; allowed: ${match.allowed.join(", ")}.`,
        { allow: match.allowed.join(", ") },
      );
    }
    if (match.route.auth === "project") {
      services.state.authenticateProject(req.headers.authorization);
    }
    const payload = await match.route.handle(
      { params: match.params, headers: req.headers, body },
      services,
    );
    return {
      status: 200,
      headers: {},
      body: { status_code: 200, request_id: requestId, ...payload },
    };
  } catch (error) {
    return errorAnswer(error, requestId);
  }
}

function errorAnswer(error: unknown, requestId = newRequestId()): Answer {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      headers: error.headers,
      body: error.toJSON(requestId),
    };
  }
  if (error instanceof OAuthError) {
    return { status: error.status, headers: {}, body: error.toJSON(requestId) };
  }
  // An emulator bug. The message is not echoed: a generic 500 is what a client would get from Stytch too.
  const internal = new ApiError(
    500,
    "internal_server_error",
    defaultErrorMessage(500),
  );
  return { status: 500, headers: {}, body: internal.toJSON(requestId) };
}

function send(res: http.ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}

function readBody(
  req: http.IncomingMessage,
): Promise<Buffer | "aborted" | "too_large"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(tooLarge ? "too_large" : Buffer.concat(chunks)),
    );
    req.on("error", () => resolve("aborted"));
    req.on("close", () => {
      if (!req.complete) resolve("aborted");
    });
  });
}

function listen(
  server: http.Server,
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function formatHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function inspectDeep(value: unknown): string {
  return inspect(value, {
    depth: Infinity,
    maxArrayLength: Infinity,
    maxStringLength: Infinity,
    showHidden: true,
    breakLength: Infinity,
  });
}

/**
 * The timers of delayed requests, so that `close()` can cancel them instead of leaving a jest worker
 * waiting on a 30-second `delayMs`.
 */
class DelayTracker {
  private readonly pending = new Set<{
    timer: NodeJS.Timeout;
    resolve: (completed: boolean) => void;
  }>();

  /** Resolves `true` after `ms`, or `false` at once if {@link DelayTracker.cancelAll} runs first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  /** Resolves every pending wait with `false`. */
  cancelAll(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.pending.clear();
  }
}
