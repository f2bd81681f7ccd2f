/**
 * Rotation events through the real engine, to a real receiver on loopback (`test/helpers/webhook-receiver.ts`),
 * which verifies each delivery with the Standard Webhooks reference library and reads it with the
 * CloudEvents SDK: one event per transition, signed with the stack's `stytch:eventsSigningSecret`; a
 * receiver that is down, slow or failing changes nothing at Stytch and costs the `up` a warning only; and
 * no event body, header, log line or persisted byte holds a secret. The provider's clock is set per `up`
 * (`STYTCH_ROTATION_TEST_CLOCK`, honoured against the emulator only), so days pass in seconds.
 */
import { fingerprintOf } from "../../provider/core/fingerprint";
import { EVENT_TYPE_PREFIX } from "../../provider/core/rotation-events";
import {
  adminCall,
  expectFreeOfSecrets,
  stytchCalls,
} from "../helpers/harness";
import {
  withE2E,
  type E2EFixture,
  type E2EStack,
  type RotationSpec,
} from "../helpers/pulumi-harness";
import { stringContaining } from "../helpers/matchers";
import {
  startReceiver,
  type ReceiverMode,
  type WebhookReceiver,
} from "../helpers/webhook-receiver";

jest.setTimeout(10 * 60_000);

/** A stack whose provider sends its events to `receiver`, signed with the receiver's secret. */
async function stackWithEvents(
  newStack: E2EFixture["newStack"],
  receiver: WebhookReceiver,
  options: Parameters<E2EFixture["newStack"]>[0] = {},
): Promise<E2EStack> {
  const stack = await newStack(options);
  await stack.stack.setAllConfig({
    // Both secret: a webhook URL often carries a token, and the signing key is one.
    "stytch:eventsUrl": { value: receiver.url, secret: true },
    "stytch:eventsSigningSecret": { value: receiver.secret, secret: true },
  });
  return stack;
}

/** `…client_secret_rotation.started` → `started`, for each event the receiver accepted, in order. */
function kinds(receiver: WebhookReceiver): string[] {
  return receiver.events().map((event) => event.type.split(".").at(-1)!);
}

/** Everything a receiver got, as text: bodies and headers. */
function received(receiver: WebhookReceiver): string {
  return receiver.deliveries
    .map((d) => JSON.stringify(d.headers) + d.body)
    .join("\n");
}

/** No secret in anything the test produced: the receiver's headers and bodies, the stack's files, the output. */
function expectNoSecretReached(
  receiver: WebhookReceiver,
  stack: E2EStack,
  secrets: Parameters<typeof expectFreeOfSecrets>[1],
): void {
  expectFreeOfSecrets(
    received(receiver) + stack.persistedText() + stack.engineOutput.join("\n"),
    secrets,
  );
}

async function upAt(
  stack: E2EStack,
  clock: string,
  rotations?: RotationSpec[],
) {
  stack.setClock(clock);
  if (rotations) await stack.setRotations(rotations);
  const result = await stack.up();
  return result.stdout + result.stderr;
}

test.concurrent(
  "every transition is delivered once, signed and as CloudEvents: started, blocked, unblocked, promoted",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const receiver = await startReceiver();
      try {
        const { m2m } = emulator.seeded!;
        const stack = await stackWithEvents(newStack, receiver);
        // Berlin is UTC+1 in December: the window is 08:00Z to 16:00Z on weekdays.
        const policy = {
          name: "billing",
          clientId: m2m.clientId,
          promoteAfter: "1d",
          maxPendingAge: "5d",
          rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlin",
          consumerFingerprints: [""],
        };
        await upAt(stack, "2026-12-07T07:00:00Z", [policy]);
        expect(kinds(receiver)).toEqual(["started"]);
        const secret = (await stack.outputs()).secrets["billing"]!;
        const rotation = () => stack.rotationResources()[0]!.outputs;
        expect(rotation()["promoteDueAt"]).toBe("2026-12-08T08:00:00.000Z");

        // Nothing due: no update, no event.
        await upAt(stack, "2026-12-07T07:00:00Z");
        expect(receiver.deliveries).toHaveLength(1);

        // Due, inside the window, and the consumer reports none: blocked, once however many ups see it.
        await upAt(stack, "2026-12-08T08:30:00Z");
        await upAt(stack, "2026-12-08T08:31:00Z");
        expect(kinds(receiver)).toEqual(["started", "blocked"]);

        // The consumer now reports the old secret's fingerprint: blocked for another reason, one event more.
        const oldFingerprint = fingerprintOf(m2m.clientSecret!, m2m.clientId);
        await upAt(stack, "2026-12-08T09:00:00Z", [
          { ...policy, consumerFingerprints: [oldFingerprint] },
        ]);
        await upAt(stack, "2026-12-08T09:01:00Z");
        expect(kinds(receiver)).toEqual(["started", "blocked", "blocked"]);

        // The consumer switches after the window closed: the promotion waits, with no event.
        const switched = {
          ...policy,
          consumerFingerprints: [fingerprintOf(secret, m2m.clientId)],
        };
        emulator.clearRequests();
        const waiting = await upAt(stack, "2026-12-08T17:30:00Z", [switched]);
        expect(waiting).toContain(
          'waits for rotationWindow "Mon-Fri 09:00-17:00 Europe/Berlin", which opens next at 2026-12-09T08:00:00.000Z',
        );
        expect(rotation()["waitsForWindowUntil"]).toBe(
          "2026-12-09T08:00:00.000Z",
        );
        expect(emulator.requests).toEqual([]);
        expect(kinds(receiver)).toEqual(["started", "blocked", "blocked"]);

        // The window opens: promoted, and the block that held it is over.
        await upAt(stack, "2026-12-09T08:00:00Z");
        expect(rotation()).toMatchObject({
          status: "promoted",
          promotedAt: "2026-12-09T08:00:00.000Z",
        });
        expect(kinds(receiver)).toEqual([
          "started",
          "blocked",
          "blocked",
          "unblocked",
          "promoted",
        ]);
        // Once per transition: no delivery was repeated.
        expect(receiver.deliveries).toHaveLength(5);
        expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
        process.stderr.write(
          `[events] ${kinds(receiver).join(", ")}: ${receiver.deliveries.length} deliveries for ` +
            `${receiver.events().length} transitions over 8 ups\n`,
        );

        const [started, blocked, reblocked, unblocked, promoted] =
          receiver.events();
        for (const event of receiver.events()) {
          expect(event).toMatchObject({
            specversion: "1.0",
            source: `/pulumi-stytch-client-secret-rotation/projects/${emulator.projectId}`,
            subject: m2m.clientId,
            datacontenttype: "application/json",
          });
          expect(event.type.startsWith(`${EVENT_TYPE_PREFIX}.`)).toBe(true);
          expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/);
        }
        expect(started!.data).toMatchObject({
          clientId: m2m.clientId,
          clientKind: "m2m",
          status: "pending",
          newClientSecretLastFour: secret.slice(-4),
          previousClientSecretLastFour: m2m.clientSecret!.slice(-4),
          newClientSecretFingerprint: fingerprintOf(secret, m2m.clientId),
          startedAt: "2026-12-07T07:00:00.000Z",
        });
        expect(started!.time).toBe("2026-12-07T07:00:00.000Z");
        expect(blocked!.data!["reason"]).toContain("consumer 1 reports none");
        expect(reblocked!.data).toMatchObject({
          reason: stringContaining(`consumer 1 reports ${oldFingerprint}`),
          previousReason: stringContaining("consumer 1 reports none"),
        });
        expect(unblocked!.data!["reason"]).toContain(
          `consumer 1 reports ${oldFingerprint}`,
        );
        expect(promoted!.data).toMatchObject({
          status: "promoted",
          promotedAt: "2026-12-09T08:00:00.000Z",
        });

        // A promoted rotation's removal changes nothing at Stytch: no event.
        await upAt(stack, "2026-12-09T09:00:00Z", []);
        expect(receiver.deliveries).toHaveLength(5);

        expectNoSecretReached(receiver, stack, [
          secret,
          m2m.clientSecret,
          emulator.projectSecret,
          receiver.secret,
        ]);
      } finally {
        await receiver.close();
      }
    }),
);

test.concurrent(
  "removing a pending rotation: cancelled; a rotation changed outside Pulumi: refused, and nothing changes",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const receiver = await startReceiver();
      try {
        const { m2m, connectedApp } = emulator.seeded!;
        const stack = await stackWithEvents(newStack, receiver);
        const billing = { name: "billing", clientId: m2m.clientId };
        const app = { name: "app", clientId: connectedApp.clientId };
        await upAt(stack, "2026-12-07T09:00:00Z", [billing, app]);
        expect(kinds(receiver).sort()).toEqual(["started", "started"]);

        await upAt(stack, "2026-12-07T10:00:00Z", [billing]);
        const cancelled = receiver.events().at(-1)!;
        expect(cancelled).toMatchObject({
          type: `${EVENT_TYPE_PREFIX}.cancelled`,
          subject: connectedApp.clientId,
          data: { status: "cancelled", clientKind: "connected_app" },
        });

        // Someone cancels the billing rotation at Stytch; promoting it is refused.
        await adminCall(
          emulator,
          "POST",
          `/v1/m2m/clients/${m2m.clientId}/secrets/rotate/cancel`,
          {},
        );
        stack.setClock("2026-12-07T11:00:00Z");
        await stack.setRotations([{ ...billing, promoted: true }]);
        emulator.clearRequests();
        const refusal = await stack.failing("up");
        expect(stytchCalls(emulator)).toEqual(["GET client"]);
        const refused = receiver.events().at(-1)!;
        expect(refused.type).toBe(`${EVENT_TYPE_PREFIX}.refused`);
        // The reason is the message the up printed.
        expect(refused.data!["reason"]).toContain(
          "was cancelled outside Pulumi, so its new secret no longer works",
        );
        expect(refusal).toContain(
          "was cancelled outside Pulumi, so its new secret no longer works",
        );
        // The same refusal on the next up is the same event: the receiver drops the repeat.
        await stack.failing("up");
        expect(kinds(receiver)).toEqual([
          "started",
          "started",
          "cancelled",
          "refused",
        ]);
        expect(
          receiver.deliveries.filter((d) => d.body.includes(".refused")),
        ).toHaveLength(2);
      } finally {
        await receiver.close();
      }
    }),
);

test.concurrent(
  'overdue: "warn" warns, records it and lets the rest of the stack deploy; "fail" fails; one overdue event either way',
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const receiver = await startReceiver();
      try {
        const { m2m, connectedApp } = emulator.seeded!;
        const stack = await stackWithEvents(newStack, receiver);
        const billing = {
          name: "billing",
          clientId: m2m.clientId,
          promoteAfter: "1d",
          maxPendingAge: "2d",
          overdue: "warn",
          consumerFingerprints: [""],
        };
        await upAt(stack, "2026-12-07T09:00:00Z", [billing]);
        const app = { name: "app", clientId: connectedApp.clientId };
        emulator.clearRequests();
        const output = await upAt(stack, "2026-12-09T09:00:00Z", [
          billing,
          app,
        ]);
        expect(output).toContain(
          "longer than maxPendingAge (2d), because its promotion is blocked",
        );
        expect(output).toContain('goes on: overdue is "warn"');
        // The billing rotation made no call; the new resource was created.
        expect(stytchCalls(emulator)).toEqual([
          "GET client",
          "POST rotate/start",
        ]);
        const { info } = await stack.outputs();
        expect(info["billing"]).toMatchObject({
          status: "pending",
          overdueSince: "2026-12-09T09:00:00.000Z",
        });
        expect(info["app"]!.status).toBe("pending");
        // The two resources' operations run side by side: only the billing rotation's order is fixed.
        expect(kinds(receiver).sort()).toEqual([
          "blocked",
          "overdue",
          "started",
          "started",
        ]);
        const billingKinds = receiver
          .events()
          .filter((event) => event.subject === m2m.clientId)
          .map((event) => event.type.split(".").at(-1));
        expect(billingKinds).toEqual(["started", "blocked", "overdue"]);

        await stack.setRotations([{ ...billing, overdue: "fail" }, app]);
        stack.setClock("2026-12-09T10:00:00Z");
        const red = await stack.failing("up");
        expect(red).toContain(
          "longer than maxPendingAge (2d), because its promotion is blocked",
        );
        const overdueDeliveries = receiver.deliveries.filter((d) =>
          d.body.includes(".overdue"),
        );
        expect(overdueDeliveries).toHaveLength(2);
        expect(
          new Set(overdueDeliveries.map((d) => d.headers["webhook-id"])).size,
        ).toBe(1);
        expect(emulator.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
          "current",
        );
      } finally {
        await receiver.close();
      }
    }),
);

/** What each receiver failure does to a create and a promotion: nothing at Stytch, a warning. */
const FAILURES: Array<[string, ReceiverMode, string]> = [
  ["down", { kind: "down" }, "connection failed (ECONNREFUSED)"],
  ["answering 500", { kind: "error" }, "the receiver answered 500"],
  [
    "slower than the provider waits",
    { kind: "slow", delayMs: 7_000 },
    "no answer within 5000 ms",
  ],
];

test.concurrent.each(FAILURES)(
  "a receiver that is %s changes nothing at Stytch; each up succeeds and warns",
  (what, mode, why) =>
    withE2E(async ({ emulator, newStack }) => {
      const receiver = await startReceiver(mode);
      try {
        const { m2m } = emulator.seeded!;
        const stack = await stackWithEvents(newStack, receiver);
        const origin = new URL(receiver.url).origin;

        emulator.clearRequests();
        const created = await upAt(stack, "2026-12-07T09:00:00Z", [
          { name: "billing", clientId: m2m.clientId },
        ]);
        expect(stytchCalls(emulator)).toEqual([
          "GET client",
          "POST rotate/start",
        ]);
        expect(created).toContain(
          `The started event of the rotation of ${m2m.clientId} (webhook-id evt_`,
        );
        expect(created).toContain(
          `was not delivered to ${origin}: ${why} (3 attempts)`,
        );
        expect(created).not.toContain("/hooks/rotations");
        const afterCreate = receiver.deliveries.length;

        emulator.clearRequests();
        const promoted = await upAt(stack, "2026-12-07T10:00:00Z", [
          { name: "billing", clientId: m2m.clientId, promoted: true },
        ]);
        expect(stytchCalls(emulator)).toEqual(["GET client", "POST rotate"]);
        expect(promoted).toContain("The promoted event");
        const secret = (await stack.outputs()).secrets["billing"]!;
        expect(emulator.verifySecret(m2m.clientId, secret)).toBe("current");
        expect(stack.rotationResources()[0]!.outputs).toMatchObject({
          status: "promoted",
          startedAt: "2026-12-07T09:00:00.000Z",
          promotedAt: "2026-12-07T10:00:00.000Z",
        });
        process.stderr.write(
          `[events] receiver ${what}: ${afterCreate} deliveries received for the started event, ` +
            `${receiver.deliveries.length - afterCreate} for the promoted event\n`,
        );
        expect(receiver.deliveries).toHaveLength(mode.kind === "down" ? 0 : 6);
        expectNoSecretReached(receiver, stack, [
          secret,
          m2m.clientSecret,
          emulator.projectSecret,
          receiver.secret,
        ]);
      } finally {
        await receiver.close();
      }
    }),
);

test.concurrent(
  "the native plugin sends the same events, configured by the same stack config",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const receiver = await startReceiver();
      try {
        const { m2m } = emulator.seeded!;
        const stack = await stackWithEvents(newStack, receiver, {
          program: "native",
          withPlugin: true,
        });
        await upAt(stack, "2026-12-07T09:00:00Z", [
          { name: "billing", clientId: m2m.clientId },
        ]);
        await upAt(stack, "2026-12-07T10:00:00Z", [
          { name: "billing", clientId: m2m.clientId, promoted: true },
        ]);
        expect(kinds(receiver)).toEqual(["started", "promoted"]);
        expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
        const secret = (await stack.outputs()).secrets["billing"]!;
        expect(receiver.events()[1]!.data).toMatchObject({
          clientId: m2m.clientId,
          newClientSecretLastFour: secret.slice(-4),
          startedAt: "2026-12-07T09:00:00.000Z",
          promotedAt: "2026-12-07T10:00:00.000Z",
        });
        // The plugin keeps the events' settings secret in the state, as it does the project secret.
        expect(stack.stateFileText()).not.toContain(receiver.url);
        expectNoSecretReached(receiver, stack, [
          secret,
          m2m.clientSecret,
          emulator.projectSecret,
          receiver.secret,
        ]);
      } finally {
        await receiver.close();
      }
    }),
);
