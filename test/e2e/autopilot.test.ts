/**
 * Autopilot through the real engine, as a scheduled pipeline runs it: `pulumi up` again and again with no
 * commits, real clock, durations of seconds. The scenarios run concurrently (`test.concurrent`, each with
 * its own emulator and stacks), so their waits on the clock overlap instead of adding up.
 */
import { fingerprintOf } from "../../provider/core/fingerprint";
import {
  adminCall,
  expectFreeOfSecrets,
  stytchCalls,
} from "../helpers/harness";
import {
  autopilotExampleStacks,
  withE2E,
  type E2EFixture,
  type E2EStack,
  type RotationInfo,
  type RotationSpec,
} from "../helpers/pulumi-harness";
import type { RunningEmulator, SecretMatch } from "../../emulator";
import { stringContaining } from "../helpers/matchers";

jest.setTimeout(10 * 60_000);

/**
 * One scheduled `pulumi up`: when it started and finished, what it printed, the Stytch calls it made,
 * what it left. The provider decides at some moment in between, so a run that did not act decided before
 * it was due (its start is earlier), and one that acted decided at or after (its finish is later).
 */
interface ScheduledRun {
  startedAt: number;
  finishedAt: number;
  output: string;
  calls: string[];
  info: RotationInfo;
  secret: string;
  /** What the emulator says of the client's original secret right after this run. */
  originalSecret: SecretMatch;
}

/**
 * Runs `pulumi up` for `stack` as a scheduled pipeline would, and records it. Calls are counted from a
 * cleared log, so each run's are its own (each scenario has its own emulator).
 */
async function scheduledUp(
  stack: E2EStack,
  emulator: RunningEmulator,
): Promise<ScheduledRun> {
  emulator.clearRequests();
  const startedAt = Date.now();
  const result = await stack.up();
  const finishedAt = Date.now();
  const { info, secrets } = await stack.outputs();
  const { m2m } = emulator.seeded!;
  return {
    startedAt,
    finishedAt,
    output: result.stdout + result.stderr,
    calls: stytchCalls(emulator),
    info: info["billing"]!,
    secret: secrets["billing"]!,
    originalSecret: emulator.verifySecret(m2m.clientId, m2m.clientSecret!),
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fixture stack whose program holds one rotation, `billing`, of `clientId` under `policy`. */
async function billingStack(
  newStack: E2EFixture["newStack"],
  clientId: string,
  policy: Omit<RotationSpec, "name" | "clientId">,
): Promise<E2EStack> {
  const stack = await newStack();
  await stack.setRotations([{ name: "billing", clientId, ...policy }]);
  return stack;
}

test.concurrent(
  "an unattended schedule starts, waits out the window, verifies, promotes, and rotates again",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      const stack = await billingStack(newStack, m2m.clientId, {
        promoteAfter: "15s",
        rotateEvery: "35s",
        // This test pins the schedule itself; the spread (which shortens the first period by up to half)
        // is test/e2e/windows.test.ts's.
        spreadRotations: false,
      });
      const cycleStarted = Date.now();
      const runs = [await scheduledUp(stack, emulator)];
      const first = runs[0]!;
      expect(first.calls).toEqual(["GET client", "POST rotate/start"]);
      expect(first.info).toMatchObject({
        status: "pending",
        fingerprint: fingerprintOf(first.secret, m2m.clientId),
        promotedAt: "",
        promotionBlockedBy: "",
      });
      // Until it starts the next rotation, the schedule runs `pulumi up` about every second.
      const giveUpAt = Date.parse(first.info.rotateDueAt!) + 120_000;
      while (runs.at(-1)!.secret === first.secret) {
        if (Date.now() > giveUpAt)
          throw new Error("no second rotation started");
        await pause(1_000);
        runs.push(await scheduledUp(stack, emulator));
      }
      const cycleSeconds = (Date.now() - cycleStarted) / 1000;

      const promoteDueAt = Date.parse(first.info.promoteDueAt!);
      expect(promoteDueAt - Date.parse(first.info.startedAt!)).toBe(15_000);
      expect(
        Date.parse(first.info.rotateDueAt!) - Date.parse(first.info.startedAt!),
      ).toBe(35_000);
      // How many scheduled ups fall before the window depends on how fast this machine runs them; the
      // rules below hold for each, however many there are.
      const promotion = runs.findIndex((run) => run.info.status === "promoted");
      expect(promotion).toBeGreaterThanOrEqual(1);
      // The next rotation is due a period after the start, or promoteAfter after the promotion if that
      // is later: the promoted run's outputs say which.
      const promoted = runs[promotion]!;
      const rotateDueAt = Date.parse(promoted.info.rotateDueAt!);
      expect(rotateDueAt).toBe(
        Math.max(
          Date.parse(first.info.startedAt!) + 35_000,
          Date.parse(promoted.info.promotedAt!) + 15_000,
        ),
      );
      for (const [i, run] of runs.entries()) {
        if (i === 0) continue;
        if (i < promotion) {
          // Nothing due yet: a scheduled up costs no Stytch call, and the original secret still works.
          expect(run.startedAt).toBeLessThan(promoteDueAt);
          expect(run.calls).toEqual([]);
          expect(run.originalSecret).toBe("current");
        } else if (i === promotion) {
          // The first up at or after the window: verify the new secret, then complete.
          expect(run.finishedAt).toBeGreaterThanOrEqual(promoteDueAt);
          expect(run.calls).toEqual([
            "GET client",
            "POST oauth2/token",
            "POST rotate",
          ]);
          expect(run.info.promoteDueAt).toBe("");
          expect(run.originalSecret).toBe("invalid");
        } else if (i < runs.length - 1) {
          expect(run.startedAt).toBeLessThan(rotateDueAt);
          expect(run.calls).toEqual([]);
        }
      }
      const rotated = runs.at(-1)!;
      expect(rotated.finishedAt).toBeGreaterThanOrEqual(rotateDueAt);
      expect(rotated.calls).toEqual(["GET client", "POST rotate/start"]);
      expect(rotated.info).toMatchObject({ status: "pending", promotedAt: "" });
      // The promoted secret keeps working while the next rotation is pending.
      expect(emulator.verifySecret(m2m.clientId, first.secret)).toBe("current");
      expect(emulator.verifySecret(m2m.clientId, rotated.secret)).toBe("next");
      expect(stack.rotationResources()).toHaveLength(1);
      process.stderr.write(
        `[autopilot] one unattended cycle (start, window, verify, promote, rotate again) took ` +
          `${cycleSeconds.toFixed(1)} s over ${runs.length} ups\n`,
      );
      expectFreeOfSecrets(
        stack.persistedText() + stack.engineOutput.join("\n"),
        [
          first.secret,
          rotated.secret,
          m2m.clientSecret,
          emulator.projectSecret,
        ],
      );
    }),
);

test.concurrent(
  "examples/autopilot: promotion waits while the consumer stack reports the old fingerprint, and happens on the first up after it reports the new one",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      // The consumer, before it is wired to the rotation stack, holds the secret it was configured with.
      const { consumer, rotation } = await autopilotExampleStacks(
        newStack,
        m2m,
      );
      const oldFingerprint = fingerprintOf(m2m.clientSecret!, m2m.clientId);
      expect(
        (await consumer.stack.outputs())["billingWorkerFingerprint"],
      ).toMatchObject({
        value: oldFingerprint,
        secret: false,
      });

      await rotation.stack.setAllConfig({
        billingWorkerClientId: { value: m2m.clientId },
        promoteAfter: { value: "3s" },
        rotateEvery: { value: "1h" },
        maxPendingAge: { value: "1h" },
        consumerStacks: { value: JSON.stringify([consumer.referenceName]) },
      });
      await rotation.up();
      const schedule = async () =>
        (await rotation.stack.outputs())["billingWorker"]!.value as Record<
          string,
          string
        >;
      const started = await schedule();
      expect(started["status"]).toBe("pending");
      await pause(Date.parse(started["promoteDueAt"]!) - Date.now() + 100);

      // Due, but the consumer still reports the old secret: no Stytch call, one line, and the reason kept.
      emulator.clearRequests();
      const preview = await rotation.preview();
      expect(preview.changeSummary).toMatchObject({ update: 1 });
      const blocked = await rotation.up();
      expect(emulator.requests).toEqual([]);
      const line = `consumers have not switched: consumer 1 reports ${oldFingerprint}`;
      expect(blocked.stdout + blocked.stderr).toContain(line);
      expect(await schedule()).toMatchObject({
        status: "pending",
        promotionBlockedBy: stringContaining(line),
      });
      expect(emulator.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
        "current",
      );

      // The consumer takes the new secret from the rotation stack; the next scheduled up promotes.
      await consumer.stack.setConfig("rotationStack", {
        value: rotation.referenceName,
      });
      await consumer.up();
      expect(
        (await consumer.stack.outputs())["billingWorkerFingerprint"]!.value,
      ).toBe(started["fingerprint"]);
      emulator.clearRequests();
      await rotation.up();
      expect(stytchCalls(emulator)).toEqual([
        "GET client",
        "POST oauth2/token",
        "POST rotate",
      ]);
      expect(await schedule()).toMatchObject({
        status: "promoted",
        promotionBlockedBy: "",
      });
      expect(emulator.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
        "invalid",
      );

      const newSecret = String(
        (await rotation.stack.outputs())["billingWorkerSecret"]!.value,
      );
      expect(emulator.verifySecret(m2m.clientId, newSecret)).toBe("current");
      expectFreeOfSecrets(
        rotation.persistedText() +
          consumer.persistedText() +
          rotation.engineOutput.join("\n") +
          consumer.engineOutput.join("\n"),
        [newSecret, m2m.clientSecret, emulator.projectSecret],
      );
    }),
);

test.concurrent(
  "a new secret that does not authenticate blocks promotion with a clear message and changes nothing",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      const stack = await billingStack(newStack, m2m.clientId, {
        promoteAfter: "2s",
      });
      const started = await scheduledUp(stack, emulator);
      await adminCall(emulator, "PUT", `/v1/m2m/clients/${m2m.clientId}`, {
        status: "inactive",
      });
      await pause(Date.parse(started.info.promoteDueAt!) - Date.now() + 100);

      const blocked = await scheduledUp(stack, emulator);
      expect(blocked.calls).toEqual(["GET client", "POST oauth2/token"]);
      expect(blocked.output).toContain(
        `verification failed: the new secret (ending ${started.secret.slice(-4)}) does not authenticate: ` +
          "Stytch refused it with 400 invalid_client",
      );
      expect(blocked.info).toMatchObject({
        status: "pending",
        promotionBlockedBy: stringContaining("verification failed"),
      });
      expect(emulator.getClient(m2m.clientId)).toMatchObject({
        next_client_secret_last_four: started.secret.slice(-4),
        client_secret_last_four: m2m.clientSecret!.slice(-4),
      });

      // Fixed at Stytch: the next scheduled up promotes.
      await adminCall(emulator, "PUT", `/v1/m2m/clients/${m2m.clientId}`, {
        status: "active",
      });
      const promoted = await scheduledUp(stack, emulator);
      expect(promoted.info.status).toBe("promoted");
      expect(emulator.verifySecret(m2m.clientId, started.secret)).toBe(
        "current",
      );
    }),
);

test.concurrent(
  "a rotation blocked past maxPendingAge turns the up red, with no Stytch call",
  () =>
    withE2E(async ({ emulator, newStack }) => {
      const { m2m } = emulator.seeded!;
      // One consumer that never reports a fingerprint. No maxPendingAge yet (nor rotateEvery, whose value
      // it would default to): the blocked run must not be overdue however slowly this machine runs it.
      const policy = { promoteAfter: "1s", consumerFingerprints: [""] };
      const stack = await billingStack(newStack, m2m.clientId, policy);
      const started = await scheduledUp(stack, emulator);
      await pause(Date.parse(started.info.promoteDueAt!) - Date.now() + 100);
      const blocked = await scheduledUp(stack, emulator);
      expect(blocked.calls).toEqual([]);
      expect(blocked.output).toContain("consumer 1 reports none");
      expect(blocked.info.status).toBe("pending");

      // A commit sets maxPendingAge; once the rotation is that old, the scheduled up turns red.
      await stack.setRotations([
        {
          name: "billing",
          clientId: m2m.clientId,
          ...policy,
          maxPendingAge: "2s",
        },
      ]);
      const overdueAt = Date.parse(started.info.startedAt!) + 2_000;
      await pause(overdueAt - Date.now() + 100);
      emulator.clearRequests();
      const red = await stack.failing("up");
      expect(red).toContain(
        "longer than maxPendingAge (2s), because its promotion is blocked",
      );
      expect(red).toContain("consumer 1 reports none");
      expect(emulator.requests).toEqual([]);
      expect(emulator.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
        "current",
      );
      expect(emulator.verifySecret(m2m.clientId, started.secret)).toBe("next");
    }),
);
