/**
 * Issue 13 through the real engine: the everyday operations that make the engine see a rotation as new or
 * gone, and the mistakes a user makes, against the safety contract. Each case asserts which requests
 * reached Stytch (none, for every refused operation) and which secrets still authenticate afterwards.
 */
import { randomBytes } from "node:crypto";
import {
  expectFreeOfSecrets,
  m2mSecretWorks,
  stytchCalls,
} from "../helpers/harness";
import { startListener } from "../helpers/listener";
import {
  useE2E,
  type E2EStack,
  type RotationSpec,
} from "../helpers/pulumi-harness";
import type { RunningEmulator, SeededClient } from "../../emulator";
import { stringContaining, stringMatching } from "../helpers/matchers";

const { emulator, newStack } = useE2E();

/** A stack in the steady state of a GitOps program: one rotation, `billing`, started and promoted. */
async function promotedRotation(): Promise<{
  emu: RunningEmulator;
  m2m: SeededClient;
  stack: E2EStack;
  spec: RotationSpec;
  secret: string;
}> {
  const emu = emulator();
  const m2m = emu.seeded!.m2m;
  const stack = await newStack();
  const spec = { name: "billing", clientId: m2m.clientId };
  await stack.upWith([spec]);
  const promoted = { ...spec, promoted: true };
  const secret = (await stack.upWith([promoted]))["billing"]!;
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("current");
  expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");
  emu.clearRequests();
  return { emu, m2m, stack, spec: promoted, secret };
}

/** Runs preview and up; both must fail with `says`, and Stytch must have served nothing. */
async function expectRefusedInPreview(
  stack: E2EStack,
  emu: RunningEmulator,
  says: string[],
): Promise<void> {
  emu.clearRequests();
  for (const op of ["preview", "up"] as const) {
    const output = await stack.failing(op);
    for (const text of says) expect(output).toContain(text);
  }
  expect(emu.requests).toEqual([]);
}

/** What the refusal of `promoted: true` on a new resource names. */
const NEW_RESOURCE_REFUSAL = [
  "property promoted value",
  "would start and complete a rotation in one `pulumi up`",
  "Add `aliases`",
  "Set promoted: false",
  "emergencyRevokeSecretEnding",
];

describe("promoted: true on a resource the engine sees as new", () => {
  test("a rename without aliases is refused in preview; with aliases it changes nothing", async () => {
    const { emu, m2m, stack, spec, secret } = await promotedRotation();
    await stack.setRotations([{ ...spec, name: "billing-worker" }]);
    await expectRefusedInPreview(stack, emu, NEW_RESOURCE_REFUSAL);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);

    await stack.setRotations([
      { ...spec, name: "billing-worker", $aliases: [{ name: "billing" }] },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(emu.requests).toEqual([]);
    expect(stack.rotationResources().map((r) => r.urn)).toEqual([
      stringMatching(/::billing-worker$/),
    ]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  });

  test("a move into a component is refused in preview; with an alias to the old URN it changes nothing", async () => {
    const { emu, m2m, stack, spec, secret } = await promotedRotation();
    const [before] = stack.rotationResources();
    await stack.setRotations([{ ...spec, $parent: "workers" }]);
    await expectRefusedInPreview(stack, emu, NEW_RESOURCE_REFUSAL);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);

    await stack.setRotations([
      { ...spec, $parent: "workers", $aliases: [before!.urn] },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(emu.requests).toEqual([]);
    expect(stack.rotationResources()[0]!.urn).toContain("Group$");
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  });

  test("a second stack of the same program is refused in preview", async () => {
    const { emu, m2m, spec, secret } = await promotedRotation();
    const second = await newStack();
    await second.setRotations([spec]);
    await expectRefusedInPreview(second, emu, NEW_RESOURCE_REFUSAL);
    expect(second.rotationResources()).toEqual([]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  });

  test("pulumi state delete, then up, is refused in preview", async () => {
    const { emu, m2m, stack, secret } = await promotedRotation();
    const [rotation] = stack.rotationResources();
    const deleted = await stack.cli([
      "state",
      "delete",
      rotation!.urn,
      "--yes",
    ]);
    expect(deleted.code).toBe(0);
    await expectRefusedInPreview(stack, emu, NEW_RESOURCE_REFUSAL);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  });

  test("an emergency names the secret it revokes, so left in the program it cannot fire again after a rename", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    // With a consumer gate that nobody can pass yet: an emergency skips it, but verifies the new secret.
    const emergency = {
      name: "billing-emergency",
      clientId: m2m.clientId,
      promoted: true,
      emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
      consumerFingerprints: [""],
    };
    const secret = (await stack.upWith([emergency]))["billing-emergency"]!;
    expect(stytchCalls(emu)).toEqual([
      "GET client",
      "POST rotate/start",
      "POST oauth2/token",
      "POST rotate",
    ]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      false,
    );

    // Renamed without aliases, the input still names the secret the emergency revoked: nothing starts.
    await stack.setRotations([{ ...emergency, name: "billing" }]);
    emu.clearRequests();
    const output = await stack.failing("up");
    expect(output).toContain(
      `names the secret ending ${m2m.clientSecret!.slice(-4)} (emergencyRevokeSecretEnding) to revoke, ` +
        `but the client's current secret ends ${secret.slice(-4)}`,
    );
    expect(stytchCalls(emu)).toEqual(["GET client"]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
    expect(emu.getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: null,
    });
  });
});

describe("a pending secret a consumer reports holding", () => {
  /**
   * A pending rotation whose new secret consumer 1 reports holding (its fingerprint), as recorded by the
   * last `up`; the original secret still works too.
   */
  async function adoptedPending() {
    const emu = emulator();
    const m2m = emu.seeded!.m2m;
    const stack = await newStack();
    const spec = {
      name: "billing",
      clientId: m2m.clientId,
      triggers: { quarter: "2026-Q4" },
      consumerFingerprints: [""],
    };
    await stack.upWith([spec]);
    const { info, secrets } = await stack.outputs();
    const adopted = {
      ...spec,
      consumerFingerprints: [info["billing"]!.fingerprint!],
    };
    await stack.upWith([adopted]);
    emu.clearRequests();
    return { emu, m2m, stack, adopted, secret: secrets["billing"]! };
  }

  const REFUSAL = [
    "consumer 1 (consumerFingerprints[0]) reports holding its new secret",
    "Nothing was changed at Stytch",
    "Promote the rotation instead",
  ];

  async function expectBothSecretsWork(
    emu: RunningEmulator,
    m2m: SeededClient,
    secret: string,
  ): Promise<void> {
    expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      true,
    );
  }

  test("a triggers change is refused in preview, naming the consumer", async () => {
    const { emu, m2m, stack, adopted, secret } = await adoptedPending();
    await stack.setRotations([
      { ...adopted, triggers: { quarter: "2027-Q1" } },
    ]);
    await expectRefusedInPreview(stack, emu, REFUSAL);
    await expectBothSecretsWork(emu, m2m, secret);
  });

  test("pulumi destroy and removing the resource are refused before any call", async () => {
    const { emu, m2m, stack, secret } = await adoptedPending();
    const destroyed = await stack.cli(["destroy", "--yes"]);
    expect(destroyed.code).not.toBe(0);
    for (const text of REFUSAL) expect(destroyed.output).toContain(text);
    expect(destroyed.output).toContain(
      "removing this rotation (or `pulumi destroy`) cancels it",
    );
    expect(emu.requests).toEqual([]);

    await stack.setRotations([]);
    const removed = await stack.failing("up");
    for (const text of REFUSAL) expect(removed).toContain(text);
    expect(emu.requests).toEqual([]);
    expect(stack.rotationResources()).toHaveLength(1);
    await expectBothSecretsWork(emu, m2m, secret);
  });

  test("with no consumer holding it, destroy cancels it", async () => {
    const { emu, m2m, stack, adopted, secret } = await adoptedPending();
    // The consumer moved back to the current secret and reports none of the new one.
    await stack.upWith([{ ...adopted, consumerFingerprints: [""] }]);
    emu.clearRequests();
    await stack.destroy();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(false);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      true,
    );
  });
});

test("a manual request held back by a gate can be withdrawn with promoted: false", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack();
  const spec = {
    name: "billing",
    clientId: m2m.clientId,
    consumerFingerprints: [""],
  };
  const secret = (await stack.upWith([spec]))["billing"]!;
  emu.clearRequests();
  await stack.upWith([{ ...spec, promoted: true }]);
  expect(emu.requests).toEqual([]); // the consumer gate holds it, before any call
  expect((await stack.outputs()).info["billing"]).toMatchObject({
    status: "pending",
    promotionBlockedBy: stringContaining("consumer 1 reports none"),
  });

  await stack.setRotations([{ ...spec, promoted: false }]);
  const preview = await stack.preview();
  expect(preview.changeSummary).toMatchObject({ update: 1 });
  await stack.up();
  expect(emu.requests).toEqual([]);
  expect((await stack.outputs()).info["billing"]).toMatchObject({
    status: "pending",
    promotionBlockedBy: "",
  });
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(true);
});

test("a rotate/start answer without the new secret is reconciled: the stack ends holding a secret that works", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack();
  await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
  emu.faults.inject({
    route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
    omitFields: ["next_client_secret"],
  });
  emu.clearRequests();
  const result = await stack.up();
  expect(stytchCalls(emu)).toEqual([
    "GET client",
    "POST rotate/start",
    "GET client",
    "POST rotate/cancel",
    "POST rotate/start",
  ]);
  expect(result.stdout + result.stderr).toContain(
    "answer was lost or unusable",
  );
  const secret = (await stack.outputs()).secrets["billing"]!;
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
});

describe("redirects are never followed", () => {
  test("a GET answered with a redirect fails the up naming the host, and the other listener receives nothing", async () => {
    const elsewhere = await startListener();
    try {
      const emu = emulator();
      const { m2m } = emu.seeded!;
      const stack = await newStack();
      await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
      emu.faults.inject({
        method: "GET",
        redirectTo: `${elsewhere.url}/v1/m2m/clients/${m2m.clientId}`,
      });
      emu.clearRequests();
      const output = await stack.failing("up");
      expect(output).toContain(
        `redirect to host ${new URL(elsewhere.url).host}, which is not followed`,
      );
      expect(stytchCalls(emu)).toEqual(["GET client"]);
      expect(elsewhere.received).toEqual([]);
      expect(emu.getClient(m2m.clientId)).toMatchObject({
        next_client_secret_last_four: null,
      });
    } finally {
      await elsewhere.close();
    }
  });

  test("the request that verifies a new secret is not followed either: the secret goes nowhere else", async () => {
    const elsewhere = await startListener();
    try {
      const emu = emulator();
      const { m2m } = emu.seeded!;
      const stack = await newStack();
      const spec = {
        name: "billing",
        clientId: m2m.clientId,
        verifyBeforePromote: true,
      };
      const secret = (await stack.upWith([spec]))["billing"]!;
      await stack.setRotations([{ ...spec, promoted: true }]);
      emu.faults.inject({
        route: "/v1/public/:project_id/oauth2/token",
        redirectTo: `${elsewhere.url}/token`,
      });
      emu.clearRequests();
      const output = await stack.failing("up");
      expect(output).toContain("which is not followed");
      expect(stytchCalls(emu)).toEqual(["GET client", "POST oauth2/token"]);
      expect(elsewhere.received).toEqual([]);
      expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
      expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");
      expectFreeOfSecrets(stack.engineOutput.join("\n"), [secret]);
    } finally {
      await elsewhere.close();
    }
  });
});

test("an https base URL that is not a Stytch API host is refused before any call, naming stytch:allowedApiHost", async () => {
  const emu = emulator();
  const stack = await newStack();
  await stack.stack.setConfig("stytch:baseUrl", {
    value: "https://stytch-proxy.example.test",
  });
  await stack.setRotations([
    { name: "billing", clientId: emu.seeded!.m2m.clientId },
  ]);
  const output = await stack.failing("up");
  expect(output).toContain(
    'The Stytch base URL "https://stytch-proxy.example.test" is not a Stytch API host',
  );
  expect(output).toContain(
    "pulumi config set stytch:allowedApiHost stytch-proxy.example.test",
  );
  expect(emu.requests).toEqual([]);
});

describe("values that may be secrets are never printed nor stored", () => {
  test("a client secret pasted as clientId is refused in preview and up, and appears nowhere the engine writes", async () => {
    const emu = emulator();
    // In the program's source, as a user would paste it; stack config would put it in the state.
    const stack = await newStack({ rotationsIn: "file" });
    // A secret of the shape Stytch generates, fresh, so that any occurrence can only come from this run.
    const pasted = randomBytes(33).toString("base64url");
    await stack.setRotations([
      { name: "billing", clientId: pasted, clientKind: "m2m" },
    ]);
    for (const op of ["preview", "up"] as const) {
      const output = await stack.failing(op);
      expect(output).toContain("resource 'billing' has a problem: clientId");
      expect(output).toContain("looks like a secret, not a client id");
    }
    expect(emu.requests).toEqual([]);
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      pasted,
    ]);
  });

  test("swapped project credentials fail the up without printing either, and appear nowhere the engine writes", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    // From the environment: a value set as plain stack config is stored by Pulumi as the user set it (the
    // config file, and the default provider's inputs in the state), which the README warns about.
    const stack = await newStack({
      credentials: {
        env: {
          STYTCH_PROJECT_ID: emu.projectSecret,
          STYTCH_SECRET: emu.projectId,
          STYTCH_BASE_URL: emu.url,
        },
      },
    });
    await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
    await stack.preview(); // preview needs no credentials
    const output = await stack.failing("up");
    expect(output).toContain("were the two swapped?");
    expect(emu.requests).toEqual([]);
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      emu.projectSecret,
    ]);
  });
});
