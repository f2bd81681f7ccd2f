/**
 * Valid programs whose inputs are outputs of other resources of the same program, so they are unknown
 * during preview: each input (clientId, clientKind, promoted, a triggers value) unknown on create, and
 * unknown again in a later commit that promotes, bumps triggers and moves to another client. Each preview
 * succeeds with no Stytch call, and each `up` deploys.
 */
import {
  expectFreeOfSecrets,
  readClient,
  stytchCalls,
} from "../helpers/harness";
import { useE2E } from "../helpers/pulumi-harness";

const { emulator, newStack } = useE2E();

const unknown = (value: unknown) => ({ $unknown: value });

test("each input unknown at preview: preview shows the plan with no Stytch call, and up deploys it", async () => {
  const emu = emulator();
  const [a, b, c, d, moved] = [1, 2, 3, 4, 5].map((n) =>
    emu.createM2MClient({ clientName: `worker ${n}` }),
  );
  const stack = await newStack();

  // Commit 1: every rotation gets one input from a resource created in the same update.
  await stack.setRotations([
    { name: "byId", clientId: unknown(a!.clientId) },
    { name: "byKind", clientId: b!.clientId, clientKind: unknown("m2m") },
    { name: "byPromoted", clientId: c!.clientId, promoted: unknown(false) },
    {
      name: "byTrigger",
      clientId: d!.clientId,
      triggers: { quarter: unknown("2026-Q4"), region: "eu" },
    },
  ]);
  emu.clearRequests();
  const preview = await stack.preview();
  expect(preview.changeSummary).toMatchObject({ create: 9 });
  expect(emu.requests).toEqual([]);
  await stack.up();
  const first = await stack.outputs();
  for (const [name, client] of [
    ["byId", a],
    ["byKind", b],
    ["byPromoted", c],
    ["byTrigger", d],
  ] as const) {
    expect(first.info[name]).toMatchObject({
      status: "pending",
      clientId: client!.clientId,
    });
    expect(emu.verifySecret(client!.clientId, first.secrets[name]!)).toBe(
      "next",
    );
  }

  // Commit 2: the values change, and each new one is unknown again until its resource is replaced.
  await stack.setRotations([
    { name: "byId", clientId: unknown(moved!.clientId) },
    { name: "byKind", clientId: b!.clientId, clientKind: unknown("m2m") },
    { name: "byPromoted", clientId: c!.clientId, promoted: unknown(true) },
    {
      name: "byTrigger",
      clientId: d!.clientId,
      triggers: { quarter: unknown("2027-Q1"), region: "eu" },
    },
  ]);
  emu.clearRequests();
  const plan = await stack.preview();
  expect(emu.requests).toEqual([]);
  // byPromoted is an update; byId and byTrigger may be replaced (decided once their values are known).
  expect(plan.changeSummary).toMatchObject({ update: 1, replace: 5 });
  emu.clearRequests();
  await stack.up();
  const second = await stack.outputs();
  expect(second.info["byPromoted"]!.status).toBe("promoted");
  expect(second.secrets["byPromoted"]).toBe(first.secrets["byPromoted"]);
  expect(emu.verifySecret(c!.clientId, second.secrets["byPromoted"]!)).toBe(
    "current",
  );
  // A new rotation on the trigger bump, and one on the new client; the old ones are cancelled.
  expect(second.secrets["byTrigger"]).not.toBe(first.secrets["byTrigger"]);
  expect(emu.verifySecret(d!.clientId, second.secrets["byTrigger"]!)).toBe(
    "next",
  );
  expect(second.info["byId"]!.clientId).toBe(moved!.clientId);
  expect(emu.verifySecret(moved!.clientId, second.secrets["byId"]!)).toBe(
    "next",
  );
  expect(
    (await readClient(emu, "m2m", a!.clientId))["next_client_secret_last_four"],
  ).toBeNull();
  // byKind's unknown resolved to the same value: no Stytch call for it.
  expect(second.secrets["byKind"]).toBe(first.secrets["byKind"]);
  expect(emu.requests.filter((r) => r.clientId === b!.clientId)).toEqual([]);
  expect(stytchCalls(emu)).toContain("POST rotate");

  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    ...Object.values(first.secrets),
    ...Object.values(second.secrets),
    emu.projectSecret,
  ]);
});

test("autopilot inputs unknown at preview: preview makes no Stytch call, and up applies the policy they resolve to", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack();

  // Commit 1: the window and the consumer's report come from resources created in the same update.
  await stack.setRotations([
    {
      name: "billing",
      clientId: m2m.clientId,
      promoteAfter: unknown("1h"),
      maxPendingAge: "2h",
      consumerFingerprints: [unknown("")],
    },
  ]);
  emu.clearRequests();
  expect((await stack.preview()).changeSummary).toMatchObject({ create: 4 });
  expect(emu.requests).toEqual([]);
  await stack.up();
  const started = (await stack.outputs()).info["billing"]!;
  expect(started.status).toBe("pending");
  expect(
    Date.parse(started.promoteDueAt!) - Date.parse(started.startedAt!),
  ).toBe(3_600_000);

  // Commit 2: a window that has passed and the consumer's new report, both unknown until their resources
  // are replaced: the plan is an update with no call, and the up promotes through the gates.
  await stack.setRotations([
    {
      name: "billing",
      clientId: m2m.clientId,
      promoteAfter: unknown("0s"),
      maxPendingAge: "2h",
      consumerFingerprints: [unknown(started.fingerprint)],
    },
  ]);
  emu.clearRequests();
  expect((await stack.preview()).changeSummary).toMatchObject({
    update: 1,
    replace: 2,
  });
  expect(emu.requests).toEqual([]);
  await stack.up();
  expect(stytchCalls(emu)).toEqual([
    "GET client",
    "POST oauth2/token",
    "POST rotate",
  ]);
  expect((await stack.outputs()).info["billing"]).toMatchObject({
    status: "promoted",
    promotionBlockedBy: "",
  });
  expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");
});
