/**
 * Evidence from running consumers (`provider/core/consumer-endpoints.ts`) and the handler a consumer serves
 * it with (`provider/consumer.ts`), over real loopback HTTP: what `check` accepts, what the reader makes of
 * each kind of answer, and the provider's gates through the engine wire against the emulator. The same
 * behaviours through `pulumi`, with the example's consumer process restarted onto the new secret, are in
 * `test/e2e/consumer-endpoints.test.ts`.
 */
import * as http from "node:http";
import {
  consumerEndpointsProblem,
  endpointBlocker,
  pendingFingerprint,
  readEndpoints,
  MAX_ENDPOINTS,
} from "../provider/core/consumer-endpoints";
import { fingerprintOf } from "../provider/core/fingerprint";
import { fingerprintHandler, fingerprintReport } from "../provider/consumer";
import type { ClientSecretRotationInputs } from "../provider";
import {
  captureConsole,
  expectFreeOfSecrets,
  printedError,
  providerFor,
  seededM2MInputs,
  stytchCalls,
  useEmulator,
} from "./helpers/harness";
import { startListener, type Listener } from "./helpers/listener";
import { stringContaining } from "./helpers/matchers";

const CLIENT = "m2m-client-test-00000000-0000-4000-8000-000000000000";
const SECRET = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";

const listeners: Listener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});
/** A loopback endpoint answering with `handler`, closed after the test. */
async function serve(handler?: http.RequestListener): Promise<Listener> {
  const listener = await startListener(handler);
  listeners.push(listener);
  return listener;
}
/** A loopback URL with nothing listening: a listener, closed at once. */
async function downUrl(): Promise<string> {
  const listener = await startListener();
  await listener.close();
  return `${listener.url}/fingerprint`;
}
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };

describe("consumerEndpointsProblem (check)", () => {
  test.each([
    ["a string", "https://a.example/f", "must be a list of URLs"],
    ["a number in the list", [42], "consumerEndpoints[0] must be a URL string"],
    ["a relative URL", ["/fingerprint"], "is not a valid absolute URL"],
    [
      "plain http on another host",
      ["https://ok.example/f", "http://billing.example:8080/f"],
      "consumerEndpoints[1] (http://billing.example:8080) uses plain http://",
    ],
    ["another scheme", ["ftp://billing.example/f"], "must start with https://"],
    [
      "credentials in the URL",
      ["https://user:pw@billing.example/f"],
      "must not contain credentials",
    ],
    [
      "too many",
      Array.from({ length: MAX_ENDPOINTS + 1 }, () => "https://a.example/f"),
      `at most ${MAX_ENDPOINTS}`,
    ],
  ])("%s is refused", (_what, value, says) => {
    expect(consumerEndpointsProblem(value)).toContain(says);
  });

  test("a URL is never quoted beyond its scheme and host: its path or query may hold a token", () => {
    const problems = [
      consumerEndpointsProblem([`http://billing.example/f?token=${SECRET}`]),
      consumerEndpointsProblem([`https://u:${SECRET}@billing.example/f`]),
      consumerEndpointsProblem([`not a url ${SECRET}`]),
    ];
    for (const problem of problems) {
      expect(problem).toBeDefined();
      expect(problem).not.toContain(SECRET);
    }
  });

  test("https, http on loopback, an empty list and unknown entries pass", () => {
    expect(
      consumerEndpointsProblem([
        "https://billing.internal/stytch-fingerprint",
        "http://127.0.0.1:8080/f",
        "http://localhost/f",
        "http://[::1]:9/f",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      ]),
    ).toBeUndefined();
    expect(consumerEndpointsProblem([])).toBeUndefined();
    expect(consumerEndpointsProblem(undefined)).toBeUndefined();
  });
});

describe("fingerprintHandler (node:http)", () => {
  test("answers the client id and the fingerprint of the secret in use, never the secret", async () => {
    const endpoint = await serve(
      fingerprintHandler({ clientId: CLIENT, secret: () => SECRET }),
    );
    const response = await fetch(`${endpoint.url}/f`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(JSON.parse(text)).toEqual({
      clientId: CLIENT,
      fingerprint: fingerprintOf(SECRET, CLIENT),
    });
    expect(text).not.toContain(SECRET);
    expect(await readEndpoints([`${endpoint.url}/f`], CLIENT)).toEqual([
      {
        index: 0,
        shown: `consumerEndpoints[0] (${endpoint.url})`,
        fingerprint: fingerprintOf(SECRET, CLIENT),
      },
    ]);
  });

  test("follows the secret the function returns, reports none without one, and refuses other methods", async () => {
    let current: string | undefined;
    const endpoint = await serve(
      fingerprintHandler({ clientId: CLIENT, secret: () => current }),
    );
    const report = async () =>
      (await (await fetch(endpoint.url)).json()) as { fingerprint: string };
    expect((await report()).fingerprint).toBe("");
    current = SECRET;
    expect((await report()).fingerprint).toBe(fingerprintOf(SECRET, CLIENT));
    current = "another-secret-of-this-client";
    expect((await report()).fingerprint).toBe(
      fingerprintOf("another-secret-of-this-client", CLIENT),
    );
    const head = await fetch(endpoint.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    const post = await fetch(endpoint.url, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  test("a secret function that throws gets a 500 that holds none of the error's text", async () => {
    const endpoint = await serve(
      fingerprintHandler({
        clientId: CLIENT,
        secret: () => {
          throw new Error(`cannot parse ${SECRET}`);
        },
      }),
    );
    const response = await fetch(endpoint.url);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(SECRET);
  });

  test("fingerprintReport serves other frameworks; a missing client id is refused at once", () => {
    expect(
      fingerprintReport({ clientId: CLIENT, secret: () => SECRET }),
    ).toEqual({ clientId: CLIENT, fingerprint: fingerprintOf(SECRET, CLIENT) });
    expect(() =>
      fingerprintHandler({ clientId: "", secret: () => SECRET }),
    ).toThrow("clientId must be the id");
  });
});

describe("readEndpoints and endpointBlocker", () => {
  const newFingerprint = fingerprintOf(SECRET, CLIENT);
  const report = (fingerprint: string, clientId = CLIENT) =>
    json(200, { clientId, fingerprint });

  test("every endpoint reporting the new fingerprint releases the promotion; each is asked once", async () => {
    const a = await serve(report(newFingerprint));
    const b = await serve(json(200, { fingerprint: newFingerprint }));
    expect(
      await endpointBlocker([a.url, `${b.url}/x?y=1`], CLIENT, newFingerprint),
    ).toBeUndefined();
    expect([a.received.length, b.received.length]).toEqual([1, 1]);
    expect(a.received[0]).toMatchObject({ method: "GET", body: "" });
    expect(a.received[0]!.headers).not.toHaveProperty("authorization");
    expect(await endpointBlocker([], CLIENT, newFingerprint)).toBeUndefined();
  });

  test("a rotation whose outputs lack the fingerprint is compared by its secret's, so an endpoint reporting none never matches", async () => {
    const rotation = { clientId: CLIENT, newClientSecret: SECRET };
    expect(
      pendingFingerprint({ ...rotation, newClientSecretFingerprint: "" }),
    ).toBe(newFingerprint);
    expect(pendingFingerprint(rotation)).toBe(newFingerprint);
    const none = await serve(report(""));
    expect(
      await endpointBlocker([none.url], CLIENT, pendingFingerprint(rotation)),
    ).toContain("consumerEndpoints[0]");
  });

  test("each way an endpoint can fail holds the promotion, named by position and origin, and why", async () => {
    const elsewhere = await serve();
    const endpoints = {
      old: await serve(report(fingerprintOf("the-old-secret-value", CLIENT))),
      none: await serve(report("")),
      down: await downUrl(),
      slow: await serve(() => undefined), // never answers
      redirect: await serve(json(302, "", { location: `${elsewhere.url}/f` })),
      html: await serve((_req, res) => res.end(`<html>${SECRET}</html>`)),
      huge: await serve(json(200, { fingerprint: "x".repeat(10_000) })),
      error: await serve(json(503, { error: "starting" })),
      other: await serve(
        report(
          newFingerprint,
          "m2m-client-test-11111111-1111-4111-8111-111111111111",
        ),
      ),
      retired: await serve(report("sfp1:AAAAAAAAAAAAAAAAAAAAAA")),
      shapeless: await serve(json(200, { fingerprint: SECRET })),
    };
    const urls = Object.values(endpoints).map((e) =>
      typeof e === "string" ? e : `${e.url}/fingerprint?token=${SECRET}`,
    );
    const origin = (i: number) => new URL(urls[i]!).origin;
    const blocker = await endpointBlocker(urls, CLIENT, newFingerprint, {
      timeoutMs: 300,
    });
    const says = [
      `reports ${fingerprintOf("the-old-secret-value", CLIENT)}`,
      "reports none",
      "could not be reached (ECONNREFUSED)",
      "did not answer within 300 ms",
      `answered 302 with a redirect to host ${new URL(elsewhere.url).host}, which is not followed`,
      `answered 200 with ${`<html>${SECRET}</html>`.length} characters that are not JSON`,
      "answered with more than 4096 bytes",
      "answered 503, not 200",
      "reports the secret of another client (m2m-client-test-11111111-1111-4111-8111-111111111111)",
      'reports a version-1 fingerprint ("sfp1:…")',
      'answered 200 without a "fingerprint"',
    ];
    says.forEach((text, i) =>
      expect(blocker).toContain(
        `consumerEndpoints[${i}] (${origin(i)}) ${text}`,
      ),
    );
    expect(blocker).toContain(`(11 of 11 behind)`);
    expect(blocker).toContain(`not the new secret's ${newFingerprint}`);
    // The redirect's target received nothing; no message holds a path, a query or a body.
    expect(elsewhere.received).toEqual([]);
    expectFreeOfSecrets(blocker!, [SECRET, "/fingerprint", "token="]);
  });
});

describe("the provider's gates with consumerEndpoints", () => {
  const emulator = useEmulator();
  const inputs = (overrides: Partial<ClientSecretRotationInputs> = {}) =>
    seededM2MInputs(emulator(), overrides);

  test("check accepts the input, reports a bad one as the resource's, and diff asks no endpoint", async () => {
    const endpoint = await serve(report0());
    const provider = await providerFor(emulator());
    const bad = await provider.check(
      {},
      {
        clientId: emulator().seeded!.m2m.clientId,
        consumerEndpoints: [`http://billing.example/f?token=${SECRET}`],
      },
    );
    expect(bad.failures).toEqual([
      {
        property: "",
        reason: stringContaining(
          "consumerEndpoints[0] (http://billing.example) uses plain http://",
        ),
      },
    ]);
    expect(JSON.stringify(bad.failures)).not.toContain(SECRET);
    const policy = inputs({
      promoteAfter: "1h",
      consumerEndpoints: [endpoint.url],
    });
    const checked = await provider.check({}, policy);
    expect(checked.failures ?? []).toEqual([]);
    const { outs } = await provider.create(checked.inputs!);
    expect(outs).toMatchObject({ consumerEndpoints: [endpoint.url] });
    expect(
      await provider.diff("id", outs!, { ...policy, consumerEndpoints: [] }),
    ).toMatchObject({ changes: true, replaces: [] });
    expect(endpoint.received).toEqual([]);
  });

  test("promotion waits, with no Stytch call, while a running consumer serves the old secret; then happens", async () => {
    const { m2m } = emulator().seeded!;
    let inUse = m2m.clientSecret!;
    const endpoint = await serve(
      fingerprintHandler({ clientId: m2m.clientId, secret: () => inUse }),
    );
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "0s",
      consumerEndpoints: [`${endpoint.url}/f`],
    });
    const { outs } = await provider.create(policy);
    emulator().clearRequests();
    const { result, output } = await captureConsole(() =>
      provider.update("id", outs!, policy),
    );
    // Endpoints come before the GET: a held promotion costs Stytch nothing.
    expect(emulator().requests).toEqual([]);
    const line = `consumerEndpoints[0] (${endpoint.url}) reports ${fingerprintOf(m2m.clientSecret!, m2m.clientId)}`;
    expect(output).toContain(line);
    expect(result!.outs).toMatchObject({
      status: "pending",
      promotionBlockedBy: stringContaining(line),
    });

    inUse = outs!.newClientSecret; // the consumer restarted onto the new secret
    emulator().clearRequests();
    const promoted = (await provider.update("id", result!.outs!, policy)).outs!;
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST oauth2/token",
      "POST rotate",
    ]);
    expect(promoted).toMatchObject({
      status: "promoted",
      promotionBlockedBy: "",
    });
    expect(endpoint.received).toHaveLength(2);
    expectFreeOfSecrets(output, [outs!.newClientSecret, m2m.clientSecret]);
  });

  test("cheapest first: a consumer fingerprint that blocks leaves the endpoints unasked", async () => {
    const endpoint = await serve(report0());
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "0s",
      consumerFingerprints: [""],
      consumerEndpoints: [endpoint.url],
    });
    const { outs } = await provider.create(policy);
    const { result } = await captureConsole(() =>
      provider.update("id", outs!, policy),
    );
    expect(result!.outs!.promotionBlockedBy).toContain(
      "consumer 1 reports none",
    );
    expect(endpoint.received).toEqual([]);
  });

  test("an emergency rotation skips the endpoints, as it skips consumerFingerprints: nobody can hold its secret", async () => {
    const endpoint = await serve(report0());
    const { m2m } = emulator().seeded!;
    const provider = await providerFor(emulator());
    const { outs } = await provider.create(
      inputs({
        promoted: true,
        emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
        consumerEndpoints: [endpoint.url],
      }),
    );
    expect(outs!.status).toBe("promoted");
    expect(endpoint.received).toEqual([]);
  });

  test("a pending rotation is not cancelled while an endpoint reports holding its secret, or cannot be read", async () => {
    const { m2m } = emulator().seeded!;
    let inUse: string | undefined;
    const endpoint = await serve(
      fingerprintHandler({ clientId: m2m.clientId, secret: () => inUse }),
    );
    const provider = await providerFor(emulator());
    const { outs } = await provider.create(
      inputs({ consumerEndpoints: [endpoint.url] }),
    );
    inUse = outs!.newClientSecret;
    emulator().clearRequests();
    const holding = printedError(
      await provider.delete("id", outs!).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(holding).toContain(
      `consumerEndpoints[0] (${endpoint.url}) reports holding it`,
    );
    expect(holding).toContain("Nothing was changed at Stytch");
    expect(emulator().requests).toEqual([]);

    const down = await downUrl();
    const unreadable = printedError(
      await provider.delete("id", { ...outs!, consumerEndpoints: [down] }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(unreadable).toContain(
      "could not be reached (ECONNREFUSED), so it may hold it",
    );
    expect(emulator().requests).toEqual([]);
    expectFreeOfSecrets(holding + unreadable, [
      outs!.newClientSecret,
      m2m.clientSecret,
    ]);

    // Moved back to the current secret: the cancel goes ahead.
    inUse = m2m.clientSecret!;
    await provider.delete("id", outs!);
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST rotate/cancel",
    ]);
    expect(emulator().verifySecret(m2m.clientId, outs!.newClientSecret)).toBe(
      "invalid",
    );
  });
});

/** An endpoint that reports holding no secret. */
function report0(): http.RequestListener {
  return json(200, { clientId: CLIENT, fingerprint: "" });
}
