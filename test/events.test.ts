/**
 * Rotation events: which transitions make which events (`provider/core/rotation-events.ts`, pure), and
 * how they are signed and delivered (`provider/core/event-delivery.ts`) to a real receiver on loopback,
 * which verifies them with the Standard Webhooks reference library and reads them with the CloudEvents
 * SDK. Through `pulumi`: test/e2e/events.test.ts.
 */
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import {
  deliverEvents,
  resolveEventSink,
  signedRequest,
  type EventSink,
} from "../provider/core/event-delivery";
import {
  EVENT_TYPE_PREFIX,
  cloudEventOf,
  eventId,
  failureEvent,
  transitionEvents,
  cancelledEvent,
} from "../provider/core/rotation-events";
import { RotationConflictError, RotationOverdueError } from "../provider";
import type { ClientSecretRotationOutputs } from "../provider";
import { startListener } from "./helpers/listener";
import { stringContaining, stringMatching } from "./helpers/matchers";
import { repoRoot } from "./helpers/repo-files";
import {
  newSigningSecret,
  startReceiver,
  type WebhookReceiver,
} from "./helpers/webhook-receiver";

const CLIENT = "m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad1be885";
const SECRET = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";
const T0 = Date.parse("2026-12-07T09:00:00.000Z");

const pending: ClientSecretRotationOutputs = {
  clientId: CLIENT,
  clientKind: "m2m",
  promoted: false,
  triggers: {},
  status: "pending",
  newClientSecret: SECRET,
  newClientSecretLastFour: SECRET.slice(-4),
  previousClientSecretLastFour: "a1b2",
  startedAt: new Date(T0).toISOString(),
  promotedAt: "",
};
const promotedAfter = (ms: number): ClientSecretRotationOutputs => ({
  ...pending,
  status: "promoted",
  promoted: true,
  promotedAt: new Date(T0 + ms).toISOString(),
});
const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe("which transitions make which events", () => {
  test("a create: started; an emergency: started and promoted", () => {
    expect(types(transitionEvents(undefined, pending, T0))).toEqual([
      "started",
    ]);
    expect(types(transitionEvents(undefined, promotedAfter(0), T0))).toEqual([
      "started",
      "promoted",
    ]);
  });

  test("nothing changed: no event", () => {
    expect(transitionEvents(pending, pending, T0 + 1)).toEqual([]);
    expect(
      transitionEvents(promotedAfter(5), promotedAfter(5), T0 + 9),
    ).toEqual([]);
  });

  test("blocked when it first blocks and when the reason changes, not while it stays the same", () => {
    const first = {
      ...pending,
      promotionBlockedBy:
        "consumers have not switched: consumer 1 reports none",
    };
    const other = {
      ...pending,
      promotionBlockedBy: "verification failed: … (request_id req-1)",
    };
    const sameAgain = {
      ...other,
      promotionBlockedBy: "verification failed: … (request_id req-2)",
    };
    expect(types(transitionEvents(pending, first, T0))).toEqual(["blocked"]);
    expect(transitionEvents(first, first, T0 + 1)).toEqual([]);
    const changed = transitionEvents(first, other, T0 + 2);
    expect(changed).toMatchObject([
      {
        type: "blocked",
        reason: other.promotionBlockedBy,
        previousReason: first.promotionBlockedBy,
      },
    ]);
    // Stytch's request id differs on every attempt; the cause does not.
    expect(transitionEvents(other, sameAgain, T0 + 3)).toEqual([]);
  });

  test("unblocked, then promoted, when a blocked rotation is promoted; unblocked alone when a request is withdrawn", () => {
    const blocked = {
      ...pending,
      promotionBlockedBy: "consumers have not switched",
    };
    expect(
      types(transitionEvents(blocked, promotedAfter(10), T0 + 10)),
    ).toEqual(["unblocked", "promoted"]);
    expect(transitionEvents(blocked, pending, T0 + 10)).toMatchObject([
      { type: "unblocked", reason: "consumers have not switched" },
    ]);
  });

  test("a scheduled start in place: started, for the new rotation", () => {
    const next = {
      ...pending,
      newClientSecret: "x".repeat(40) + "WXYZ",
      newClientSecretLastFour: "WXYZ",
      previousClientSecretLastFour: SECRET.slice(-4),
      startedAt: new Date(T0 + 90 * 86_400_000).toISOString(),
    };
    expect(
      transitionEvents(promotedAfter(5), next, T0 + 90 * 86_400_000),
    ).toMatchObject([
      { type: "started", rotation: { newClientSecretLastFour: "WXYZ" } },
    ]);
  });

  test("overdue once, when overdue: warn first records it", () => {
    const overdue = {
      ...pending,
      overdueSince: new Date(T0 + 5_000).toISOString(),
    };
    expect(types(transitionEvents(pending, overdue, T0 + 6_000))).toEqual([
      "overdue",
    ]);
    expect(transitionEvents(overdue, overdue, T0 + 7_000)).toEqual([]);
  });

  test("cancelled; overdue and refused from the errors that stop an operation, nothing from others", () => {
    expect(cancelledEvent(pending, T0)).toMatchObject({
      type: "cancelled",
      rotation: { status: "cancelled" },
    });
    expect(
      failureEvent(pending, new RotationOverdueError("late"), T0),
    ).toMatchObject({
      type: "overdue",
      reason: "late",
    });
    expect(
      failureEvent(pending, new RotationConflictError("theirs"), T0),
    ).toMatchObject({
      type: "refused",
      reason: "theirs",
    });
    expect(failureEvent(pending, new Error("network"), T0)).toBeUndefined();
  });
});

describe("the CloudEvents envelope", () => {
  test("is CloudEvents 1.0 with the client as subject, and holds no secret", () => {
    const [started] = transitionEvents(
      undefined,
      { ...pending, newClientSecretFingerprint: "sfp2:abc" },
      T0,
    );
    const event = cloudEventOf(
      started!,
      "project-test-11111111-1111-4111-8111-111111111111",
    );
    expect(event).toEqual({
      specversion: "1.0",
      id: eventId(started!),
      source:
        "/pulumi-stytch-client-secret-rotation/projects/project-test-11111111-1111-4111-8111-111111111111",
      type: `${EVENT_TYPE_PREFIX}.started`,
      time: pending.startedAt,
      subject: CLIENT,
      datacontenttype: "application/json",
      data: {
        clientId: CLIENT,
        clientKind: "m2m",
        status: "pending",
        newClientSecretLastFour: SECRET.slice(-4),
        previousClientSecretLastFour: "a1b2",
        newClientSecretFingerprint: "sfp2:abc",
        startedAt: pending.startedAt,
      },
    });
    expect(event.type).toBe(
      "com.github.pulumi-stytch-client-secret-rotation.stytch.client_secret_rotation.started",
    );
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  test("a client id without a Stytch id's shape is neither subject nor data, nor a project id the source", () => {
    const pasted = { ...pending, clientId: SECRET };
    const event = cloudEventOf(
      transitionEvents(undefined, pasted, T0)[0]!,
      SECRET,
    );
    expect(event.subject).toBeUndefined();
    expect(event.source).toBe("/pulumi-stytch-client-secret-rotation");
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  test("the id is the same for the same transition of the same rotation, and differs otherwise", () => {
    const [a] = transitionEvents(undefined, pending, T0);
    const [b] = transitionEvents(undefined, pending, T0 + 60_000);
    expect(eventId(a!)).toBe(eventId(b!));
    expect(eventId(a!)).toMatch(/^evt_[0-9a-f]{32}$/);
    const overdueFailing = failureEvent(
      pending,
      new RotationOverdueError("x"),
      T0,
    )!;
    const overdueWarning = transitionEvents(
      pending,
      { ...pending, overdueSince: "2026-12-08T00:00:00.000Z" },
      T0,
    )[0]!;
    expect(eventId(overdueFailing)).toBe(eventId(overdueWarning));
    expect(eventId(overdueFailing)).not.toBe(eventId(a!));
  });
});

describe("the sink's settings", () => {
  const secret = newSigningSecret();
  test.each([
    [
      { eventsUrl: "not a url", eventsSigningSecret: secret },
      "is not a valid URL (a value of 9 characters, not shown)",
    ],
    [
      { eventsUrl: "ftp://example.com/x", eventsSigningSecret: secret },
      "must start with https://",
    ],
    [
      { eventsUrl: "http://hooks.example.com/x", eventsSigningSecret: secret },
      "plain http:// on a host that is not loopback",
    ],
    [
      {
        eventsUrl: "https://u:p@hooks.example.com/x",
        eventsSigningSecret: secret,
      },
      "must not contain credentials",
    ],
    [
      { eventsUrl: "https://hooks.example.com/x" },
      "events are never sent unsigned",
    ],
    [
      {
        eventsUrl: "https://hooks.example.com/x",
        eventsSigningSecret: "hunter2-hunter2",
      },
      "is not whsec_ followed by at least 24 bytes",
    ],
    [
      {
        eventsUrl: "https://hooks.example.com/x",
        eventsSigningSecret: "whsec_c2hvcnQ=",
      },
      "is not whsec_ followed by at least 24 bytes",
    ],
  ])("%j: %s", (settings, says) => {
    const sink = resolveEventSink(settings, {});
    expect(sink && "problem" in sink && sink.problem).toContain(says);
    expect(JSON.stringify(sink)).not.toContain("hunter2");
    expect(JSON.stringify(sink)).not.toContain(secret);
  });

  test("unset: no events; the environment stands in for stack config; only the origin is shown", () => {
    expect(resolveEventSink({}, {})).toBeUndefined();
    const sink = resolveEventSink(
      {},
      {
        STYTCH_ROTATION_EVENTS_URL:
          "https://hooks.example.com/services/T0/B0/token-in-path?x=1",
        STYTCH_ROTATION_EVENTS_SECRET: secret,
      },
    ) as EventSink;
    expect(sink.shownUrl).toBe("https://hooks.example.com");
    expect(sink.signingKey).toEqual(
      Buffer.from(secret.slice("whsec_".length), "base64"),
    );
  });
});

describe("delivery to a receiver on loopback", () => {
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };
  const sinkFor = (url: string, secret: string) =>
    resolveEventSink(
      { eventsUrl: url, eventsSigningSecret: secret },
      {},
    ) as EventSink;
  const events = () =>
    transitionEvents(undefined, promotedAfter(1_000), T0).map((event) =>
      cloudEventOf(event, "project-test-1"),
    );
  const fast = {
    attempts: 3,
    baseDelayMs: 10,
    maxDelayMs: 20,
    maxRetryAfterMs: 1_000,
  };

  test("the Slack format: one signed {text} message per event, with the same secret-free facts", async () => {
    const hook = await receiver();
    const sink = resolveEventSink(
      {
        eventsUrl: hook.url,
        eventsSigningSecret: hook.secret,
        eventsFormat: "slack",
      },
      {},
    ) as EventSink;
    const warnings: string[] = [];
    await deliverEvents(sink, events(), {
      warn: (line) => warnings.push(line),
      about: "the rotation",
    });
    expect(warnings).toEqual([]);
    expect(hook.deliveries.map((d) => d.headers["content-type"])).toEqual([
      "application/json; charset=utf-8",
      "application/json; charset=utf-8",
    ]);
    expect(hook.deliveries.every((d) => d.verified)).toBe(true);
    const texts = hook.deliveries.map(
      (d) => (JSON.parse(d.body) as { text: string }).text,
    );
    expect(texts).toEqual([
      `Stytch client secret rotation started: ${CLIENT} (m2m), new secret ending ${SECRET.slice(-4)} at 2026-12-07T09:00:00.000Z`,
      stringMatching(/^Stytch client secret rotation promoted: /),
    ]);
    expect(hook.deliveries.map((d) => d.body).join("\n")).not.toContain(SECRET);
    expect(
      resolveEventSink(
        {
          eventsUrl: hook.url,
          eventsSigningSecret: hook.secret,
          eventsFormat: "teams",
        },
        {},
      ),
    ).toEqual({
      problem: stringContaining(
        "stytch:eventsFormat (or STYTCH_ROTATION_EVENTS_FORMAT) must be cloudevents or slack",
      ),
    });
  });

  test("each event arrives once, in order, signed: the reference library verifies it, and so does HMAC by hand", async () => {
    const hook = await receiver();
    const warnings: string[] = [];
    const outcomes = await deliverEvents(
      sinkFor(hook.url, hook.secret),
      events(),
      {
        warn: (line) => warnings.push(line),
        about: "the rotation",
      },
    );
    expect(outcomes.map((o) => [o.delivered, o.attempts])).toEqual([
      [true, 1],
      [true, 1],
    ]);
    expect(warnings).toEqual([]);
    expect(hook.deliveries).toHaveLength(2);
    expect(hook.deliveries.every((d) => d.verified)).toBe(true);
    expect(hook.events().map((e) => e.type.split(".").at(-1))).toEqual([
      "started",
      "promoted",
    ]);
    for (const delivery of hook.deliveries) {
      expect(delivery.headers["content-type"]).toBe(
        "application/cloudevents+json; charset=utf-8",
      );
      // By hand, from the specification: HMAC-SHA256 over "id.timestamp.body", keyed with the base64 after whsec_.
      const key = Buffer.from(hook.secret.slice("whsec_".length), "base64");
      const id = String(delivery.headers["webhook-id"]);
      const timestamp = String(delivery.headers["webhook-timestamp"]);
      const expected = createHmac("sha256", key)
        .update(`${id}.${timestamp}.${delivery.body}`)
        .digest("base64");
      expect(delivery.headers["webhook-signature"]).toBe(`v1,${expected}`);
      expect(id).toBe((JSON.parse(delivery.body) as { id: string }).id);
      expect(delivery.body + JSON.stringify(delivery.headers)).not.toContain(
        SECRET,
      );
    }
  });

  test("a receiver with another secret gets events that do not verify", async () => {
    const hook = await receiver({ kind: "ok" });
    await deliverEvents(sinkFor(hook.url, newSigningSecret()), events(), {
      warn: () => undefined,
      about: "x",
    });
    expect(hook.deliveries.map((d) => d.verified)).toEqual([false, false]);
  });

  test("a receiver answering 500 gets each attempt with the same webhook-id; then one warning, and the rest is not tried", async () => {
    const hook = await receiver({ kind: "error" });
    const warnings: string[] = [];
    const outcomes = await deliverEvents(
      sinkFor(hook.url, hook.secret),
      events(),
      {
        warn: (line) => warnings.push(line),
        about: `the rotation of ${CLIENT}`,
        policy: fast,
      },
    );
    expect(outcomes.map((o) => [o.delivered, o.attempts])).toEqual([
      [false, 3],
      [false, 0],
    ]);
    expect(hook.deliveries).toHaveLength(3);
    expect(
      new Set(hook.deliveries.map((d) => d.headers["webhook-id"])).size,
    ).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `The started event of the rotation of ${CLIENT}`,
    );
    expect(warnings[0]).toContain("was not delivered to http://127.0.0.1:");
    expect(warnings[0]).toContain(
      "the receiver answered 500 (3 attempts); not sent either: promoted",
    );
    expect(warnings[0]).not.toContain("/hooks/rotations");
  });

  test("a receiver that is down: a warning naming the connection failure, after the policy's attempts", async () => {
    const hook = await receiver({ kind: "down" });
    const warnings: string[] = [];
    const outcomes = await deliverEvents(
      sinkFor(hook.url, hook.secret),
      events(),
      {
        warn: (line) => warnings.push(line),
        about: "the rotation",
        policy: fast,
      },
    );
    expect(outcomes[0]).toMatchObject({ delivered: false, attempts: 3 });
    expect(warnings[0]).toContain("connection failed (ECONNREFUSED)");
  });

  test("Retry-After is honoured up to the cap; a longer one ends the attempts at once", async () => {
    let answered = 0;
    const server = await startListener();
    // The listener answers 404: a refusal, not retried.
    const refused = await deliverEvents(
      sinkFor(server.url, newSigningSecret()),
      events().slice(0, 1),
      {
        warn: () => undefined,
        about: "x",
        policy: fast,
      },
    );
    expect(refused[0]).toMatchObject({
      delivered: false,
      attempts: 1,
      why: "the receiver answered 404",
    });
    await server.close();

    const { createServer } = await import("node:http");
    const busy = createServer((req, res) => {
      req.resume();
      answered += 1;
      res.writeHead(429, { "retry-after": answered === 1 ? "0" : "3600" });
      res.end();
    });
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    const outcome = await deliverEvents(
      sinkFor(`http://127.0.0.1:${port}/`, newSigningSecret()),
      events().slice(0, 1),
      { warn: () => undefined, about: "x", policy: fast },
    );
    busy.closeAllConnections();
    busy.close();
    expect(outcome[0]).toMatchObject({ delivered: false, attempts: 2 });
    expect(outcome[0]!.why).toContain(
      "asking to retry after 3600 s, longer than the 1 s an up waits",
    );
  });

  test("a redirect is not followed: the host it names receives nothing", async () => {
    const elsewhere = await startListener();
    const { createServer } = await import("node:http");
    const redirecting = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${elsewhere.url}/steal?token=x` });
      res.end();
    });
    await new Promise<void>((resolve) =>
      redirecting.listen(0, "127.0.0.1", resolve),
    );
    const port = (redirecting.address() as { port: number }).port;
    const warnings: string[] = [];
    const outcome = await deliverEvents(
      sinkFor(`http://127.0.0.1:${port}/`, newSigningSecret()),
      events().slice(0, 1),
      { warn: (line) => warnings.push(line), about: "x", policy: fast },
    );
    redirecting.closeAllConnections();
    redirecting.close();
    expect(outcome[0]).toMatchObject({ delivered: false, attempts: 1 });
    expect(warnings[0]).toContain(
      `a redirect to host ${new URL(elsewhere.url).host}, which is not followed`,
    );
    expect(warnings[0]).not.toContain("token=x");
    expect(elsewhere.received).toEqual([]);
    await elsewhere.close();
  });

  test("a receiver slower than the deadline: no answer within it, each attempt", async () => {
    const hook = await receiver({ kind: "slow", delayMs: 3_000 });
    const outcome = await deliverEvents(
      sinkFor(hook.url, hook.secret),
      events().slice(0, 1),
      {
        warn: () => undefined,
        about: "x",
        policy: { ...fast, attempts: 1 },
        attemptTimeoutMs: 500,
      },
    );
    expect(outcome[0]).toMatchObject({
      delivered: false,
      attempts: 1,
      why: "no answer within 500 ms",
    });
    expect(hook.deliveries).toHaveLength(1);
  });

  test("the signature covers the body: a changed byte does not verify by hand", () => {
    const key = Buffer.alloc(32, 7);
    const event = events()[0]!;
    const { headers, body } = signedRequest(key, event, 1_700_000_000);
    const resign = (text: string) =>
      `v1,${createHmac("sha256", key)
        .update(`${headers["webhook-id"] ?? ""}.1700000000.${text}`)
        .digest("base64")}`;
    expect(headers["webhook-signature"]).toBe(resign(body));
    expect(headers["webhook-signature"]).not.toBe(
      resign(body.replace("started", "promoted")),
    );
  });
});

describe("the README's signature check", () => {
  /** The README's `verifyRotationEvent`, run as a reader would paste it. */
  function readmeVerifier(): (
    secret: string,
    headers: Record<string, string>,
    rawBody: string,
  ) => boolean {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const block =
      /```js\n((?:(?!```)[\s\S])*function verifyRotationEvent(?:(?!```)[\s\S])*)```/.exec(
        readme,
      );
    if (!block) throw new Error("README.md has no verifyRotationEvent block");
    return vm.runInNewContext(`${block[1]!}\nverifyRotationEvent`, {
      require,
      Buffer,
      Date,
      Math,
      Number,
      String,
    }) as ReturnType<typeof readmeVerifier>;
  }

  test("accepts what the provider signs, and refuses a changed body, another key or an old timestamp", () => {
    const secret = newSigningSecret();
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const [started] = transitionEvents(undefined, pending, T0);
    const event = cloudEventOf(started!, undefined);
    const now = Math.floor(Date.now() / 1000);
    const { headers, body } = signedRequest(key, event, now);
    const verify = readmeVerifier();
    expect(verify(secret, headers, body)).toBe(true);
    expect(verify(secret, headers, body.replace("pending", "promoted"))).toBe(
      false,
    );
    expect(verify(newSigningSecret(), headers, body)).toBe(false);
    const old = signedRequest(key, event, now - 3600);
    expect(verify(secret, old.headers, old.body)).toBe(false);
  });
});
