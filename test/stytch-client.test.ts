import * as http from "node:http";
import type { AddressInfo } from "node:net";
import nodeFetch from "node-fetch";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type StytchConnection,
} from "../provider/core/credentials";
import {
  StytchClient,
  parseRetryAfter,
  type FetchLike,
} from "../provider/core/stytch-client";
import {
  expectFreeOfSecrets,
  printedError,
  useEmulator,
} from "./helpers/harness";
import type { RunningEmulator } from "../emulator";
import { startListener } from "./helpers/listener";
import { anyString, stringMatching } from "./helpers/matchers";

const emulator = useEmulator();

function connection(
  emu: RunningEmulator,
  overrides: Partial<StytchConnection> = {},
): StytchConnection {
  return {
    projectId: emu.projectId,
    secret: emu.projectSecret,
    baseUrl: emu.url,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    ...overrides,
  };
}

/** A client whose waits are recorded instead of slept, and whose fetches are counted. */
function observedClient(conn: StytchConnection) {
  const waits: number[] = [];
  let fetches = 0;
  const countingFetch: FetchLike = (url, init) => {
    fetches++;
    return nodeFetch(url, init);
  };
  const client = new StytchClient({
    connection: conn,
    fetch: countingFetch,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { client, waits, fetches: () => fetches };
}

const START = "/v1/m2m/clients/:client_id/secrets/rotate/start";

describe("getClient", () => {
  test("reads an M2M client and a Connected App over HTTP Basic", async () => {
    const { client } = observedClient(connection(emulator()));
    const { m2m, connectedApp } = emulator().seeded!;
    expect(await client.getClient("m2m", m2m.clientId)).toMatchObject({
      client_id: m2m.clientId,
      client_secret_last_four: m2m.clientSecret!.slice(-4),
      next_client_secret_last_four: null,
    });
    expect(
      await client.getClient("connected_app", connectedApp.clientId),
    ).toMatchObject({ client_id: connectedApp.clientId });
    expect(emulator().requests.map((r) => r.route)).toEqual([
      "/v1/m2m/clients/:client_id",
      "/v1/connected_apps/clients/:client_id",
    ]);
  });

  test("encodes the client id as one path segment", async () => {
    const { client } = observedClient(connection(emulator()));
    const odd = emulator().createM2MClient({
      clientId: "worker:blue+green@eu",
    });
    await client.getClient("m2m", odd.clientId);
    expect(emulator().requests[0]).toMatchObject({
      path: "/v1/m2m/clients/worker%3Ablue%2Bgreen%40eu",
      clientId: odd.clientId,
    });
  });

  test("throws StytchApiError with Stytch's fields on 404", async () => {
    const { client } = observedClient(connection(emulator()));
    const error = await client
      .getClient("m2m", "m2m-client-test-missing")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchApiError",
      statusCode: 404,
      errorType: "m2m_client_not_found",
      errorMessage: anyString(),
      requestId: stringMatching(/^request-id-test-/),
      method: "GET",
      path: "/v1/m2m/clients/m2m-client-test-missing",
    });
  });

  test("throws unauthorized_credentials for a wrong secret without echoing it", async () => {
    const wrong = "secret-test-not-the-right-one";
    const { client } = observedClient(
      connection(emulator(), { secret: wrong }),
    );
    const error = await client
      .getClient("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      statusCode: 401,
      errorType: "unauthorized_credentials",
    });
    expectFreeOfSecrets(printedError(error), [wrong, emulator().projectSecret]);
  });

  test("retries 5xx on GET with growing backoff", async () => {
    const { client, waits } = observedClient(connection(emulator()));
    emulator().faults.inject({ method: "GET", status: 502, times: 2 });
    await client.getClient("m2m", emulator().seeded!.m2m.clientId);
    expect(emulator().requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]! / 2);
  });

  test("gives up after the attempt limit", async () => {
    const { client, fetches } = observedClient(connection(emulator()));
    emulator().faults.inject({ method: "GET", status: 500, times: Infinity });
    const error = await client
      .getClient("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StytchApiError", statusCode: 500 });
    expect(fetches()).toBe(5);
  });
});

describe("rotateStart", () => {
  test("returns the next secret from exactly one request", async () => {
    const { client } = observedClient(connection(emulator()));
    const started = await client.rotateStart(
      "m2m",
      emulator().seeded!.m2m.clientId,
    );
    expect(started.next_client_secret).toHaveLength(44);
    expect(started.next_client_secret_last_four).toBe(
      started.next_client_secret.slice(-4),
    );
    expect(emulator().requests).toHaveLength(1);
  });

  test("honours Retry-After on 429, which Stytch did not apply", async () => {
    const { client, waits } = observedClient(connection(emulator()));
    emulator().faults.inject({ route: START, status: 429, retryAfter: "7" });
    await client.rotateStart("m2m", emulator().seeded!.m2m.clientId);
    expect(waits).toEqual([7000]);
    expect(emulator().requests.map((r) => r.status)).toEqual([429, 200]);
  });

  test("fails at once when Retry-After is beyond the cap instead of stalling the deploy", async () => {
    const { client, waits } = observedClient(connection(emulator()));
    emulator().faults.inject({ route: START, status: 429, retryAfter: "3600" });
    const error = await client
      .rotateStart("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      statusCode: 429,
      errorType: "too_many_requests",
      retryAfterMs: 3_600_000,
    });
    expect(waits).toEqual([]);
  });

  test("does not resend after a 5xx: the caller must reconcile", async () => {
    const { client } = observedClient(connection(emulator()));
    emulator().faults.inject({ route: START, status: 500 });
    const error = await client
      .rotateStart("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StytchApiError", statusCode: 500 });
    expect(emulator().requests).toHaveLength(1);
  });

  test("reports a reset connection as possibly applied, without resending", async () => {
    const { client } = observedClient(connection(emulator()));
    emulator().faults.inject({ route: START, dropResponse: true });
    const error = await client
      .rotateStart("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchRequestError",
      code: "network",
      mayHaveReachedStytch: true,
    });
    expect(emulator().requests).toHaveLength(1);
  });

  test("enforces its deadline and reports a timeout as possibly applied", async () => {
    const { client } = observedClient(
      connection(emulator(), { requestTimeoutMs: 100 }),
    );
    emulator().faults.inject({ route: START, delayMs: 400 });
    const error = await client
      .rotateStart("m2m", emulator().seeded!.m2m.clientId)
      .catch((e: unknown) => e);
    // The client gave up while the emulator still held the request: nothing had been answered yet.
    expect(emulator().requests).toEqual([]);
    expect(error).toMatchObject({
      name: "StytchRequestError",
      code: "timeout",
      mayHaveReachedStytch: true,
    });
  });

  test("resends when the connection was refused, since nothing reached Stytch", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) =>
      closed.listen(0, "127.0.0.1", resolve),
    );
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { client, fetches, waits } = observedClient(
      connection(emulator(), { baseUrl: `http://127.0.0.1:${port}` }),
    );
    const error = await client
      .rotateStart("m2m", "m2m-client-test-x")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchRequestError",
      code: "network",
      mayHaveReachedStytch: false,
    });
    expect(fetches()).toBe(5);
    expect(waits).toHaveLength(4);
  });
});

describe("non-Stytch answers", () => {
  let server: http.Server;
  let url: string;
  let answer: { status: number; body: string };
  beforeEach(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(answer.status, { "Content-Type": "text/html" });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("a proxy's HTML 502 still counts as a 5xx, and its body is not echoed", async () => {
    answer = {
      status: 502,
      body: "<html>Bad gateway sensitive-looking-body</html>",
    };
    const { client } = observedClient({
      projectId: "project-test-x",
      secret: "secret-test-y",
      baseUrl: url,
      requestTimeoutMs: 1000,
    });
    const error = await client
      .rotate("m2m", "m2m-client-test-x")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchApiError",
      statusCode: 502,
      errorType: "http_502",
    });
    expect(printedError(error)).not.toContain("sensitive-looking-body");
  });

  test("a 200 that is not JSON is an invalid response that may have been applied", async () => {
    answer = { status: 200, body: "<html>ok</html>" };
    const { client } = observedClient({
      projectId: "project-test-x",
      secret: "secret-test-y",
      baseUrl: url,
      requestTimeoutMs: 1000,
    });
    const error = await client
      .rotateCancel("m2m", "m2m-client-test-x")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchRequestError",
      code: "invalid_response",
      mayHaveReachedStytch: true,
    });
  });
});

describe("redirects", () => {
  test("a GET answered with a redirect fails naming the redirect's host, and that host receives nothing", async () => {
    const elsewhere = await startListener();
    try {
      const { client } = observedClient(connection(emulator()));
      const { m2m } = emulator().seeded!;
      emulator().faults.inject({
        method: "GET",
        redirectTo: `${elsewhere.url}/v1/m2m/clients/${m2m.clientId}`,
        times: Infinity,
      });
      const error = await client
        .getClient("m2m", m2m.clientId)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StytchRequestError",
        code: "redirect",
        message: stringMatching(
          new RegExp(
            `307 with a redirect to host 127\\.0\\.0\\.1:${new URL(elsewhere.url).port}, which is not followed`,
          ),
        ),
      });
      expect(elsewhere.received).toEqual([]);
      expectFreeOfSecrets(printedError(error), [emulator().projectSecret]);
    } finally {
      await elsewhere.close();
    }
  });

  test("the request that proves a new secret is not followed either: the client secret goes nowhere else", async () => {
    const elsewhere = await startListener();
    try {
      const { client } = observedClient(connection(emulator()));
      const { m2m } = emulator().seeded!;
      emulator().faults.inject({
        route: "/v1/public/:project_id/oauth2/token",
        redirectTo: `${elsewhere.url}/token`,
      });
      const error = await client
        .authenticateClient("m2m", m2m.clientId, m2m.clientSecret!)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StytchRequestError",
        code: "redirect",
      });
      expect(elsewhere.received).toEqual([]);
      expectFreeOfSecrets(printedError(error), [m2m.clientSecret]);
    } finally {
      await elsewhere.close();
    }
  });
});

describe("unusable answers", () => {
  test("a rotate/start answer without the new secret may have been applied, and is not used", async () => {
    const { client } = observedClient(connection(emulator()));
    const { m2m } = emulator().seeded!;
    emulator().faults.inject({
      route: START,
      omitFields: ["next_client_secret"],
    });
    const error = await client
      .rotateStart("m2m", m2m.clientId)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StytchRequestError",
      code: "invalid_response",
      mayHaveReachedStytch: true,
      message: stringMatching(/has no "next_client_secret"/),
    });
    // Stytch applied it: the caller reconciles, as after a lost answer.
    expect(emulator().getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: anyString(),
    });
  });

  test("a rotate answer that names no current secret is unusable", async () => {
    const { client } = observedClient(connection(emulator()));
    const { m2m } = emulator().seeded!;
    await client.rotateStart("m2m", m2m.clientId);
    emulator().faults.inject({
      route: "/v1/m2m/clients/:client_id/secrets/rotate",
      omitFields: ["client_secret_last_four"],
    });
    await expect(client.rotate("m2m", m2m.clientId)).rejects.toMatchObject({
      code: "invalid_response",
      message: stringMatching(/names no current secret/),
    });
  });

  test("a read without the client object is retried, then fails as unusable", async () => {
    const { client } = observedClient(connection(emulator()));
    const { m2m } = emulator().seeded!;
    emulator().faults.inject({
      method: "GET",
      omitFields: ["m2m_client"],
      times: Infinity,
    });
    await expect(client.getClient("m2m", m2m.clientId)).rejects.toMatchObject({
      code: "invalid_response",
      message: stringMatching(/has no "m2m_client" object/),
    });
  });
});

describe("parseRetryAfter", () => {
  test("reads delay-seconds and HTTP-dates, and ignores garbage", () => {
    const now = Date.parse("2026-11-22T12:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 12:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
