/**
 * The emulator's routes as one flat table of `(method, path template, handler)`, in the spirit of msw's
 * `http.post("/path/:id", handler)`. Handlers parse and validate the request, call the store, and return
 * the payload; the server adds `status_code` and `request_id` and renders thrown errors.
 *
 * Served at the root, as the SDKs require (stytch-node builds URLs with `new URL(path, base)`, which drops
 * any base path; docs/stytch-api.md, "Hosts and authentication"):
 *
 * | route | auth |
 * |---|---|
 * | `POST /v1/{m2m,connected_apps}/clients` (create), `POST …/clients/search` | project Basic |
 * | `GET`, `PUT`, `DELETE /v1/{kind}/clients/:client_id` | project Basic |
 * | `POST /v1/{kind}/clients/:client_id/secrets/rotate/start`, `…/rotate`, `…/rotate/cancel` | project Basic |
 * | `POST /v1/public/:project_id/oauth2/token` (M2M client_credentials) | client credentials |
 * | `POST /v1/public/:project_id/oauth2/introspect`, `POST /v1/oauth2/introspect` (Connected Apps) | client credentials |
 * | `GET /v1/sessions/jwks/:project_id`, `GET /v1/b2b/sessions/jwks/:project_id` (verifies access tokens) | none |
 * | `POST`/`DELETE /_emulator/faults`, `GET`/`DELETE /_emulator/requests`, `POST /_emulator/keys/rotate` (emulator control) | project Basic |
 */
import type { IncomingHttpHeaders } from "node:http";
import type { FaultList, FaultRule } from "./faults";
import { ApiError, OAuthError } from "./responses";
import {
  parseBasicAuth,
  type ConnectedAppCreateInput,
  type ConnectedAppUpdateInput,
  type EmulatorState,
  type M2MClientCreateInput,
  type M2MClientUpdateInput,
  type M2MSearchQuery,
} from "./state";
import { ACCESS_TOKEN_LIFETIME_SECONDS, type TokenIssuer } from "./tokens";
import {
  CONNECTED_APP_CLIENT_TYPES,
  type ClientKind,
  type ConnectedAppClientType,
} from "./wire";

/** One request the emulator served, as recorded in `RunningEmulator.requests`. */
export interface ServedRequest {
  /** HTTP method as received, e.g. `"POST"`. */
  method: string;
  /** Raw path as received, without the query string (ids stay encoded exactly as the client sent them). */
  path: string;
  /** The matched route template, e.g. `"/v1/m2m/clients/:client_id/secrets/rotate/start"`; `null` if none. */
  route: string | null;
  /** The decoded `:client_id` path parameter, if the route has one. */
  clientId: string | null;
  /** The HTTP status sent, or what a fault did instead of answering. */
  status: number | "reset" | "dropped";
}

/** What a handler sees of a request. */
export interface RouteRequest {
  /** Decoded path parameters, e.g. `client_id`. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The raw body; empty when none was sent. */
  readonly body: Buffer;
}

/**
 * What handlers may use: the store, the token issuer, and for the control routes the fault list and the
 * request log.
 */
export interface RouteServices {
  readonly state: EmulatorState;
  readonly tokens: TokenIssuer;
  readonly faults: FaultList;
  readonly requests: ServedRequest[];
}

/** A handler's answer: the payload fields next to `status_code` and `request_id` (always HTTP 200). */
export type RouteResult = Record<string, unknown>;

/** One entry of the route table. */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path template; `:name` segments match one path segment and are URL-decoded. */
  readonly template: string;
  /**
   * `"project"`: the project's Basic credentials are checked before the handler runs. `"client"`: the
   * handler authenticates client credentials itself (token and introspection endpoints). `"none"`: public,
   * like Stytch's key sets, which verifiers fetch without credentials.
   */
  readonly auth: "project" | "client" | "none";
  /** Emulator control routes: not recorded in `requests` and never subject to faults. */
  readonly control?: boolean;
  readonly handle: (
    request: RouteRequest,
    services: RouteServices,
  ) => RouteResult | Promise<RouteResult>;
}

/** The result of looking a request up in the route table. */
export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method_not_allowed"; allowed: string[] }
  | { kind: "not_found" };

/**
 * Every route template, for fault rules (`route: ROUTE_TEMPLATES.m2m.rotateStart`) and for reading
 * {@link ServedRequest.route} without typos.
 */
export const ROUTE_TEMPLATES = {
  m2m: {
    create: "/v1/m2m/clients",
    search: "/v1/m2m/clients/search",
    client: "/v1/m2m/clients/:client_id",
    rotateStart: "/v1/m2m/clients/:client_id/secrets/rotate/start",
    rotate: "/v1/m2m/clients/:client_id/secrets/rotate",
    rotateCancel: "/v1/m2m/clients/:client_id/secrets/rotate/cancel",
  },
  connected_app: {
    create: "/v1/connected_apps/clients",
    search: "/v1/connected_apps/clients/search",
    client: "/v1/connected_apps/clients/:client_id",
    rotateStart: "/v1/connected_apps/clients/:client_id/secrets/rotate/start",
    rotate: "/v1/connected_apps/clients/:client_id/secrets/rotate",
    rotateCancel: "/v1/connected_apps/clients/:client_id/secrets/rotate/cancel",
  },
  token: "/v1/public/:project_id/oauth2/token",
  introspect: "/v1/public/:project_id/oauth2/introspect",
  projectDomainIntrospect: "/v1/oauth2/introspect",
  jwks: "/v1/sessions/jwks/:project_id",
  b2bJwks: "/v1/b2b/sessions/jwks/:project_id",
} as const;

/** Per-kind response payload keys (docs/stytch-api.md, "Clients and their secrets"). */
const PAYLOAD_KEYS = {
  m2m: { payloadKey: "m2m_client", listKey: "m2m_clients" },
  connected_app: { payloadKey: "connected_app", listKey: "connected_apps" },
} as const satisfies Record<ClientKind, unknown>;

function clientRoutes(kind: ClientKind): Route[] {
  const { payloadKey, listKey } = PAYLOAD_KEYS[kind];
  const templates = ROUTE_TEMPLATES[kind];
  // Rotate bodies may be absent, `{}` or `{"client_id": …}` depending on the SDK: the body is
  // parsed (so malformed JSON is still a 400) and otherwise ignored, the path id wins.
  const rotate =
    (action: "rotateStart" | "rotate" | "rotateCancel"): Route["handle"] =>
    (request, { state }) => {
      jsonObject(request.body);
      return { [payloadKey]: state[action](kind, clientIdParam(request)) };
    };
  return [
    {
      method: "POST",
      template: templates.create,
      auth: "project",
      handle: (request, { state }) => ({
        [payloadKey]:
          kind === "m2m"
            ? state.createM2MClient(parseM2MCreate(jsonObject(request.body)))
            : state.createConnectedApp(
                parseConnectedAppCreate(jsonObject(request.body)),
              ),
      }),
    },
    {
      method: "POST",
      template: templates.search,
      auth: "project",
      handle: (request, { state }) => {
        const { clients, results_metadata } = state.search(
          kind,
          parseSearch(kind, jsonObject(request.body)),
        );
        return { [listKey]: clients, results_metadata };
      },
    },
    {
      method: "GET",
      template: templates.client,
      auth: "project",
      handle: (request, { state }) => ({
        [payloadKey]: state.get(kind, clientIdParam(request)),
      }),
    },
    {
      method: "PUT",
      template: templates.client,
      auth: "project",
      handle: (request, { state }) => {
        const body = jsonObject(request.body);
        const clientId = clientIdParam(request);
        return {
          [payloadKey]:
            kind === "m2m"
              ? state.updateM2MClient(clientId, parseM2MUpdate(body))
              : state.updateConnectedApp(
                  clientId,
                  parseConnectedAppUpdate(body),
                ),
        };
      },
    },
    {
      method: "DELETE",
      template: templates.client,
      auth: "project",
      handle: (request, { state }) => {
        jsonObject(request.body);
        const clientId = clientIdParam(request);
        state.delete(kind, clientId);
        return { client_id: clientId };
      },
    },
    {
      method: "POST",
      template: templates.rotateStart,
      auth: "project",
      handle: rotate("rotateStart"),
    },
    {
      method: "POST",
      template: templates.rotate,
      auth: "project",
      handle: rotate("rotate"),
    },
    {
      method: "POST",
      template: templates.rotateCancel,
      auth: "project",
      handle: rotate("rotateCancel"),
    },
  ];
}

/** The route table, in match order. */
export const ROUTES: readonly Route[] = [
  ...clientRoutes("m2m"),
  ...clientRoutes("connected_app"),
  {
    method: "POST",
    template: ROUTE_TEMPLATES.token,
    auth: "client",
    handle: handleToken,
  },
  {
    method: "POST",
    template: ROUTE_TEMPLATES.introspect,
    auth: "client",
    handle: handleIntrospect,
  },
  {
    method: "POST",
    template: ROUTE_TEMPLATES.projectDomainIntrospect,
    auth: "client",
    handle: handleIntrospect,
  },
  // Consumer and B2B clients fetch the key set from different paths (stytch-node lib/b2c/client.ts,
  // lib/b2b/client.ts); one project has one key set, so both serve it.
  {
    method: "GET",
    template: ROUTE_TEMPLATES.jwks,
    auth: "none",
    handle: handleJwks,
  },
  {
    method: "GET",
    template: ROUTE_TEMPLATES.b2bJwks,
    auth: "none",
    handle: handleJwks,
  },
  {
    method: "POST",
    template: "/_emulator/faults",
    auth: "project",
    control: true,
    handle: (request, { faults }) => {
      const rule = jsonObject(request.body);
      // JSON has no Infinity; accept the string (and null) for "every matching request".
      if (rule["times"] === "Infinity" || rule["times"] === null) {
        rule["times"] = Infinity;
      }
      try {
        // inject() validates the rule (types, ranges, known route, unknown keys) before adding it.
        faults.inject(rule as FaultRule);
      } catch (error) {
        throw new ApiError(400, "bad_request", (error as Error).message);
      }
      return { pending: faults.pending() };
    },
  },
  {
    method: "DELETE",
    template: "/_emulator/faults",
    auth: "project",
    control: true,
    handle: (_request, { faults }) => {
      faults.clear();
      return { pending: 0 };
    },
  },
  {
    method: "GET",
    template: "/_emulator/requests",
    auth: "project",
    control: true,
    handle: (_request, { requests }) => ({ requests: [...requests] }),
  },
  {
    method: "DELETE",
    template: "/_emulator/requests",
    auth: "project",
    control: true,
    handle: (_request, { requests }) => {
      requests.length = 0;
      return { requests: [] };
    },
  },
  {
    method: "POST",
    template: "/_emulator/keys/rotate",
    auth: "project",
    control: true,
    handle: async (_request, { tokens }) => {
      const kid = await tokens.rotateKey();
      return { kid, keys: await tokens.jwks() };
    },
  },
];

/** The templates a fault rule may name: every route except the emulator's own control routes. */
export const FAULTABLE_ROUTES: ReadonlySet<string> = new Set(
  ROUTES.filter((route) => !route.control).map((route) => route.template),
);

const COMPILED = ROUTES.map((route) => ({
  route,
  segments: route.template.split("/"),
}));

/**
 * Looks a request up. Path segments are split on a literal `/` before decoding, so an id sent encoded
 * (`a%2Fb`) and an id sent raw (Java and Ruby interpolate it unescaped) both arrive intact, as long
 * as the raw one contains no `/`, `?` or `#`. A segment that is not valid percent-encoding is taken as is.
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const trimmed =
    path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const segments = trimmed.split("/");
  const allowed: string[] = [];
  for (const { route, segments: template } of COMPILED) {
    const params = matchSegments(template, segments);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0
    ? { kind: "method_not_allowed", allowed: [...new Set(allowed)] }
    : { kind: "not_found" };
}

function matchSegments(
  template: readonly string[],
  segments: readonly string[],
): Record<string, string> | null {
  if (template.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, expected] of template.entries()) {
    const actual = segments[index] ?? "";
    if (expected.startsWith(":")) {
      const decoded = safeDecode(actual);
      if (decoded === "") return null;
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function clientIdParam(request: RouteRequest): string {
  // The template guarantees the parameter; the fallback only satisfies the type checker.
  return request.params["client_id"] ?? "";
}

// ---------------------------------------------------------------------------------------------------
// Token and introspection endpoints (OAuth2-shaped errors, docs/stytch-api.md, "Proving that a secret works")

const INVALID_CLIENT =
  "Client authentication failed: the client does not exist in this project or the client secret is wrong.";

async function handleToken(
  request: RouteRequest,
  { state, tokens }: RouteServices,
): Promise<RouteResult> {
  const body = oauthBody(request);
  const grantType = body["grant_type"];
  if (grantType === undefined || grantType === "") {
    throw new OAuthError(
      400,
      "invalid_request",
      "grant_type is required and must be client_credentials.",
    );
  }
  if (grantType !== "client_credentials") {
    throw new OAuthError(
      400,
      "unsupported_grant_type",
      "Only the client_credentials grant type is supported for M2M clients.",
    );
  }
  const credentials = requireClientCredentials(
    body,
    request.headers.authorization,
  );
  const client = state.describe(credentials.clientId);
  if (
    !client ||
    !state.isProjectId(request.params["project_id"] ?? "") ||
    state.verifySecret(credentials.clientId, credentials.clientSecret) ===
      "invalid"
  ) {
    throw new OAuthError(400, "invalid_client", INVALID_CLIENT);
  }
  if (client.kind !== "m2m") {
    throw new OAuthError(
      400,
      "unauthorized_client",
      "Connected App clients cannot use the client_credentials grant; check their credentials with /oauth2/introspect.",
    );
  }
  if (client.status !== "active") {
    throw new OAuthError(400, "invalid_client", "The M2M client is inactive.");
  }
  const requested = requestedScopes(body["scope"]);
  const unknown = requested.filter((scope) => !client.scopes.includes(scope));
  if (unknown.length > 0) {
    throw new OAuthError(
      400,
      "invalid_scope",
      `The client is not allowed these scopes: ${unknown.join(" ")}.`,
    );
  }
  const granted = requested.length > 0 ? requested : client.scopes;
  return {
    access_token: await tokens.issueM2MToken(credentials.clientId, granted),
    token_type: "bearer",
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
  };
}

/**
 * The project's key set. The project id in the path must be this project's; Stytch's answer for another
 * one is not documented, so the emulator answers `project_not_found` (the error type exists).
 */
async function handleJwks(
  request: RouteRequest,
  { state, tokens }: RouteServices,
): Promise<RouteResult> {
  if (!state.isProjectId(request.params["project_id"] ?? "")) {
    throw new ApiError(
      404,
      "project_not_found",
      "The project in the path could not be found.",
    );
  }
  return { keys: await tokens.jwks() };
}

/**
 * Token introspection for Connected Apps: the non-interactive way to prove that a Connected App's client
 * secret works (docs/stytch-api.md, "Proving that a secret works"). The emulator issues no Connected App tokens, so with valid client
 * credentials every token is `{active: false}`.
 */
function handleIntrospect(
  request: RouteRequest,
  { state }: RouteServices,
): RouteResult {
  const body = oauthBody(request);
  const projectId = request.params["project_id"];
  const credentials = requireClientCredentials(
    body,
    request.headers.authorization,
  );
  const client = state.describe(credentials.clientId);
  if (
    client?.kind !== "connected_app" ||
    (projectId !== undefined && !state.isProjectId(projectId)) ||
    state.verifySecret(credentials.clientId, credentials.clientSecret) ===
      "invalid"
  ) {
    throw new OAuthError(400, "invalid_client", INVALID_CLIENT);
  }
  if (typeof body["token"] !== "string" || body["token"] === "") {
    throw new OAuthError(400, "invalid_request", "token is required.");
  }
  return { active: false };
}

/**
 * Parses an OAuth2 request body: form-urlencoded (Node, Go) or JSON (Python, Ruby, Java), with or without a
 * charset, and sniffed when no content type is given (docs/stytch-api.md, "Hosts and authentication").
 */
function oauthBody(request: RouteRequest): Record<string, unknown> {
  const contentType = (request.headers["content-type"] ?? "").toLowerCase();
  const text = request.body.toString("utf8");
  const form = () => Object.fromEntries(new URLSearchParams(text));
  if (contentType.includes("application/x-www-form-urlencoded")) return form();
  if (text.trim() === "") return {};
  if (contentType.includes("json") || text.trimStart().startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      // Reported below, in the OAuth2 shape this endpoint answers with.
    }
    throw new OAuthError(
      400,
      "invalid_request",
      "The request body must be a JSON object or form-urlencoded.",
    );
  }
  return form();
}

/**
 * Client credentials from the body, else from a Basic header. Body credentials win because the Python,
 * Ruby and Java SDKs send the *project* Basic header next to the client credentials in the body.
 */
function clientCredentials(
  body: Record<string, unknown>,
  authorization: string | undefined,
): { clientId: string; clientSecret: string } | null {
  const id = body["client_id"];
  const secret = body["client_secret"];
  if (id !== undefined || secret !== undefined) {
    return typeof id === "string" && typeof secret === "string" && id !== ""
      ? { clientId: id, clientSecret: secret }
      : null;
  }
  const basic = parseBasicAuth(authorization);
  return basic && basic.username !== ""
    ? { clientId: basic.username, clientSecret: basic.password }
    : null;
}

function requireClientCredentials(
  body: Record<string, unknown>,
  authorization: string | undefined,
): { clientId: string; clientSecret: string } {
  const credentials = clientCredentials(body, authorization);
  if (!credentials) {
    throw new OAuthError(
      400,
      "invalid_request",
      "client_id and client_secret are required, in the body or in a Basic authorization header.",
    );
  }
  return credentials;
}

function requestedScopes(scope: unknown): string[] {
  if (Array.isArray(scope))
    return scope.filter((s): s is string => typeof s === "string");
  if (typeof scope !== "string") return [];
  return scope.split(/\s+/).filter((s) => s !== "");
}

// ---------------------------------------------------------------------------------------------------
// Management request bodies

/**
 * Parses a management endpoint's JSON body. No body (Go, Python, Ruby, Java on DELETE) and `{}` (Node) are
 * the same thing; the content type is not checked, so `application/json; charset=utf-8` and a missing
 * header both work.
 * @throws {@link ApiError} 400 `bad_request` for malformed JSON or a non-object.
 */
function jsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      "bad_request",
      "The request body is not valid JSON.",
    );
  }
  if (!isPlainObject(parsed)) {
    throw new ApiError(
      400,
      "bad_request",
      "The request body must be a JSON object.",
    );
  }
  return parsed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type FieldCheck<T> = { is: (value: unknown) => value is T; what: string };

const STRING: FieldCheck<string> = {
  is: (v): v is string => typeof v === "string",
  what: "a string",
};
const BOOLEAN: FieldCheck<boolean> = {
  is: (v): v is boolean => typeof v === "boolean",
  what: "a boolean",
};
const POSITIVE_INTEGER: FieldCheck<number> = {
  is: (v): v is number => Number.isInteger(v) && (v as number) > 0,
  what: "a positive integer",
};
const STRING_ARRAY: FieldCheck<string[]> = {
  is: (v): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === "string"),
  what: "an array of strings",
};
const OBJECT: FieldCheck<Record<string, unknown>> = {
  is: isPlainObject,
  what: "a JSON object",
};

/** Reads an optional field, rejecting a wrong type with the given error type. `null` counts as absent. */
function field<T>(
  body: Record<string, unknown>,
  key: string,
  check: FieldCheck<T>,
  errorType = "bad_request",
): T | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!check.is(value)) {
    throw new ApiError(400, errorType, `${key} must be ${check.what}.`);
  }
  return value;
}

function parseM2MCreate(body: Record<string, unknown>): M2MClientCreateInput {
  const scopes = field(
    body,
    "scopes",
    STRING_ARRAY,
    "invalid_m2m_client_scope",
  );
  if (scopes === undefined) {
    throw new ApiError(400, "invalid_m2m_client_scope", "scopes is required.");
  }
  return {
    scopes,
    client_id: field(body, "client_id", STRING, "m2m_client_invalid_client_id"),
    client_secret: field(
      body,
      "client_secret",
      STRING,
      "m2m_client_invalid_client_secret",
    ),
    client_name: field(
      body,
      "client_name",
      STRING,
      "m2m_client_invalid_client_name",
    ),
    client_description: field(
      body,
      "client_description",
      STRING,
      "m2m_client_invalid_client_description",
    ),
    trusted_metadata: field(body, "trusted_metadata", OBJECT),
  };
}

function parseM2MUpdate(body: Record<string, unknown>): M2MClientUpdateInput {
  const status = field(body, "status", STRING, "m2m_client_invalid_status");
  if (status !== undefined && status !== "active" && status !== "inactive") {
    throw new ApiError(
      400,
      "m2m_client_invalid_status",
      'status must be "active" or "inactive".',
    );
  }
  return {
    status,
    client_name: field(
      body,
      "client_name",
      STRING,
      "m2m_client_invalid_client_name",
    ),
    client_description: field(
      body,
      "client_description",
      STRING,
      "m2m_client_invalid_client_description",
    ),
    scopes: field(body, "scopes", STRING_ARRAY, "invalid_m2m_client_scope"),
    trusted_metadata: field(body, "trusted_metadata", OBJECT),
  };
}

function parseConnectedAppUpdate(
  body: Record<string, unknown>,
): ConnectedAppUpdateInput {
  return {
    client_name: field(body, "client_name", STRING),
    client_description: field(body, "client_description", STRING),
    redirect_urls: field(body, "redirect_urls", STRING_ARRAY),
    full_access_allowed: field(body, "full_access_allowed", BOOLEAN),
    access_token_expiry_minutes: field(
      body,
      "access_token_expiry_minutes",
      POSITIVE_INTEGER,
    ),
    access_token_custom_audience: field(
      body,
      "access_token_custom_audience",
      STRING,
    ),
    access_token_template_content: field(
      body,
      "access_token_template_content",
      STRING,
    ),
    post_logout_redirect_urls: field(
      body,
      "post_logout_redirect_urls",
      STRING_ARRAY,
    ),
    logo_url: field(body, "logo_url", STRING),
    bypass_consent_for_offline_access: field(
      body,
      "bypass_consent_for_offline_access",
      BOOLEAN,
    ),
    id_token_template_content: field(body, "id_token_template_content", STRING),
  };
}

function parseConnectedAppCreate(
  body: Record<string, unknown>,
): ConnectedAppCreateInput {
  const clientType = field(
    body,
    "client_type",
    STRING,
    "invalid_connected_app_type",
  );
  if (
    !CONNECTED_APP_CLIENT_TYPES.includes(clientType as ConnectedAppClientType)
  ) {
    throw new ApiError(
      400,
      "invalid_connected_app_type",
      `client_type is required and must be one of ${CONNECTED_APP_CLIENT_TYPES.join(", ")}.`,
    );
  }
  return {
    ...parseConnectedAppUpdate(body),
    client_type: clientType as ConnectedAppClientType,
    client_id: field(body, "client_id", STRING, "invalid_client_id"),
  };
}

function parseSearch(
  kind: ClientKind,
  body: Record<string, unknown>,
): { cursor?: string; limit?: number; query?: M2MSearchQuery } {
  const cursor = field(body, "cursor", STRING);
  const limit = field(body, "limit", POSITIVE_INTEGER);
  if (limit !== undefined && limit > 1000) {
    throw new ApiError(400, "bad_request", "limit must be at most 1000.");
  }
  const rawQuery = kind === "m2m" ? field(body, "query", OBJECT) : undefined;
  return {
    cursor: cursor === "" ? undefined : cursor,
    limit,
    query: rawQuery === undefined ? undefined : parseM2MQuery(rawQuery),
  };
}

function parseM2MQuery(query: Record<string, unknown>): M2MSearchQuery {
  const operator = query["operator"];
  if (operator !== "AND" && operator !== "OR") {
    throw new ApiError(
      400,
      "bad_request",
      'query.operator must be "AND" or "OR".',
    );
  }
  const operands = query["operands"] ?? [];
  if (!Array.isArray(operands)) {
    throw new ApiError(400, "bad_request", "query.operands must be an array.");
  }
  return {
    operator,
    operands: operands.map((operand: unknown) => {
      if (!isPlainObject(operand) || operand["filter_name"] === undefined) {
        throw new ApiError(
          400,
          "m2m_search_missing_filter_name",
          "Every query operand needs a filter_name.",
        );
      }
      const name = operand["filter_name"];
      if (typeof name !== "string") {
        throw new ApiError(
          400,
          "m2m_search_filter_name_must_be_string",
          "filter_name must be a string.",
        );
      }
      if (name !== "client_id" && name !== "client_name" && name !== "scopes") {
        throw new ApiError(
          400,
          "m2m_search_filter_name_not_recognized",
          "filter_name must be client_id, client_name or scopes.",
        );
      }
      const value = operand["filter_value"];
      if (value === undefined) {
        throw new ApiError(
          400,
          "m2m_search_missing_filter_value",
          "Every query operand needs a filter_value.",
        );
      }
      if (!STRING_ARRAY.is(value)) {
        throw new ApiError(
          400,
          "m2m_search_expected_array_of_strings",
          "filter_value must be an array of strings.",
        );
      }
      return { filter_name: name, filter_value: value };
    }),
  };
}
