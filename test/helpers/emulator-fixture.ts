/**
 * Test helpers around the emulator: a fresh emulator per test, a tiny JSON client over global `fetch`, and
 * a raw `node:http` request for what `fetch` cannot send (unescaped paths, no body at all, odd headers).
 * Everything goes over real HTTP; nothing is mocked.
 */
import http from "node:http";
import { createRemoteJWKSet, jwtVerify, type JWTVerifyResult } from "jose";
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../emulator";
import type { Json } from "./json";

/** A response with its parsed JSON body (and the raw text, to search it for secrets). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

/**
 * Starts a fresh emulator before each test of the calling `describe` (or file) and closes it after.
 * @returns An accessor for the current test's emulator.
 */
export function useEmulator(
  options: EmulatorOptions = {},
): () => RunningEmulator {
  let current: RunningEmulator | undefined;
  beforeEach(async () => {
    current = await startEmulator(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("useEmulator(): used outside a test");
    return current;
  };
}

/** `Basic base64(username:password)`. */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** The emulator's project Basic header. */
export function projectAuth(emulator: RunningEmulator): string {
  return basicAuth(emulator.projectId, emulator.projectSecret);
}

/**
 * Calls the emulator with `fetch`. An object body is sent as JSON, a string body verbatim. `auth`
 * defaults to the project's Basic header; pass `null` to send none.
 */
export async function api(
  emulator: RunningEmulator,
  method: string,
  path: string,
  init: {
    body?: unknown;
    auth?: string | null;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...init.headers };
  const auth = init.auth === undefined ? projectAuth(emulator) : init.auth;
  if (auth !== null) headers["authorization"] = auth;
  let body: string | undefined;
  if (typeof init.body === "string") {
    body = init.body;
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    body,
    signal: init.signal,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: JSON.parse(text) as Json,
  };
}

/**
 * Sends a request with `node:http` on its own connection: the path goes out exactly as given (no URL
 * normalisation), and without `body` no body is written at all.
 */
export function rawRequest(
  emulator: RunningEmulator,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<{
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: Json;
}> {
  const url = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text,
              body: JSON.parse(text) as Json,
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

/** Requests an M2M access token the way stytch-node does (form body, no Authorization header). */
export function m2mToken(
  emulator: RunningEmulator,
  clientId: string,
  clientSecret: string,
  extra: Record<string, string> = {},
): Promise<JsonResponse> {
  return api(
    emulator,
    "POST",
    `/v1/public/${emulator.projectId}/oauth2/token`,
    {
      auth: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: "client_credentials",
        ...extra,
      }).toString(),
    },
  );
}

/** The URL of the emulator's key set on the consumer path, or the B2B one. */
export function jwksUrl(
  emulator: RunningEmulator,
  vertical: "consumer" | "b2b" = "consumer",
): URL {
  const prefix = vertical === "b2b" ? "/v1/b2b" : "/v1";
  return new URL(`${prefix}/sessions/jwks/${emulator.projectId}`, emulator.url);
}

/**
 * Verifies an access token the way stytch-node does (issuer, audience, `typ`), with `jose` fetching the
 * emulator's key set over HTTP. `currentDate` moves the verifier's clock instead of waiting for expiry.
 * @throws jose's error when the token does not verify.
 */
export function verifyAccessToken(
  emulator: RunningEmulator,
  token: string,
  currentDate?: Date,
): Promise<JWTVerifyResult> {
  return jwtVerify(token, createRemoteJWKSet(jwksUrl(emulator)), {
    issuer: `stytch.com/${emulator.projectId}`,
    audience: emulator.projectId,
    typ: "JWT",
    algorithms: ["RS256"],
    ...(currentDate === undefined ? {} : { currentDate }),
  });
}

/** Introspects a dummy token with Connected App client credentials (form body). */
export function introspect(
  emulator: RunningEmulator,
  clientId: string,
  clientSecret: string,
): Promise<JsonResponse> {
  return api(
    emulator,
    "POST",
    `/v1/public/${emulator.projectId}/oauth2/introspect`,
    {
      auth: null,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        token: "not-a-real-token",
      }).toString(),
    },
  );
}

/**
 * Whether a client secret works over HTTP: the token endpoint for M2M clients, introspection for
 * Connected Apps. Both count as requests in `emulator.requests`.
 */
export async function secretWorks(
  emulator: RunningEmulator,
  kind: "m2m" | "connected_app",
  clientId: string,
  clientSecret: string,
): Promise<boolean> {
  const response =
    kind === "m2m"
      ? await m2mToken(emulator, clientId, clientSecret)
      : await introspect(emulator, clientId, clientSecret);
  return response.status === 200;
}

/** Polls `predicate` every 10 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error("waitFor: condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
