/**
 * Issue 13: every path that can revoke a secret, called the way the engine calls the provider, against
 * both behaviours of a Stytch that gets a rotate/start while a rotation is pending. The same paths run
 * through `pulumi` in test/e2e/revocation.test.ts.
 */
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
} from "../../provider";
import {
  captureConsole,
  expectFreeOfSecrets,
  printedError,
  providerFor,
  seededM2MInputs,
  stytchCalls,
  useEmulatorInEachStytchBehaviour,
} from "../helpers/harness";
import { stringContaining } from "../helpers/matchers";

const { emulator, forEachStytchBehaviour } = useEmulatorInEachStytchBehaviour();

function m2mInputs(
  overrides: Partial<ClientSecretRotationInputs> = {},
): ClientSecretRotationInputs {
  return seededM2MInputs(emulator(), overrides);
}

/** Runs `call`, expecting it to throw; returns what the host would print of the error. */
async function refusal(call: () => Promise<unknown>): Promise<string> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error("expected a refusal");
  return printedError(error);
}

forEachStytchBehaviour(() => {
  describe("a resource new to the stack", () => {
    test("create refuses promoted: true without the emergency input, before any call", async () => {
      const provider = await providerFor(emulator());
      const printed = await refusal(() =>
        provider.create(m2mInputs({ promoted: true })),
      );
      expect(printed).toContain("new to this stack");
      expect(emulator().requests).toEqual([]);
      expect(
        emulator().getClient(emulator().seeded!.m2m.clientId),
      ).toMatchObject({
        next_client_secret_last_four: null,
      });
    });

    test("an emergency naming a secret that is not the current one starts nothing", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const printed = await refusal(() =>
        provider.create(
          m2mInputs({ promoted: true, emergencyRevokeSecretEnding: "zzzz" }),
        ),
      );
      expect(printed).toContain(
        `names the secret ending zzzz (emergencyRevokeSecretEnding) to revoke, but the client's current secret ends ${m2m.clientSecret!.slice(-4)}`,
      );
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
      expect(emulator().verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
        "current",
      );
    });

    test("an emergency with consumer gates skips them (nobody holds a secret created now) but verifies", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const outs = (
        await provider.create(
          m2mInputs({
            promoted: true,
            emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
            consumerFingerprints: [""],
          }),
        )
      ).outs!;
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "POST oauth2/token",
        "POST rotate",
      ]);
      expect(outs).toMatchObject({ status: "promoted", promoted: true });
      expect(emulator().verifySecret(m2m.clientId, outs.newClientSecret)).toBe(
        "current",
      );
      expect(emulator().verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
        "invalid",
      );
    });
  });

  describe("a pending secret a consumer reports holding", () => {
    /** A pending rotation whose new secret consumer 2 of 2 reports holding. */
    async function adopted() {
      const provider = await providerFor(emulator());
      const started = (
        await provider.create(m2mInputs({ consumerFingerprints: ["", ""] }))
      ).outs!;
      const news = m2mInputs({
        consumerFingerprints: ["", started.newClientSecretFingerprint!],
      });
      const outs = (
        await captureConsole(() => provider.update("id", started, news))
      ).result!.outs!;
      emulator().clearRequests();
      return { provider, outs, news };
    }

    test("a triggers change is refused in diff, naming the consumer, before any call", async () => {
      const { provider, outs, news } = await adopted();
      const printed = await refusal(() =>
        provider.diff("id", outs, { ...news, triggers: { quarter: "next" } }),
      );
      expect(printed).toContain(
        "consumer 2 (consumerFingerprints[1]) reports holding its new secret",
      );
      expect(printed).toContain("Promote the rotation instead");
      expect(emulator().requests).toEqual([]);
    });

    test("removing it or destroying the stack is refused before any call", async () => {
      const { provider, outs } = await adopted();
      const printed = await refusal(() => provider.delete("id", outs));
      expect(printed).toContain(
        "removing this rotation (or `pulumi destroy`) cancels it",
      );
      expect(emulator().requests).toEqual([]);
      expect(emulator().verifySecret(outs.clientId, outs.newClientSecret)).toBe(
        "next",
      );
    });

    test("once no consumer reports holding it, removing it cancels it", async () => {
      const provider = await providerFor(emulator());
      const outs = (
        await provider.create(m2mInputs({ consumerFingerprints: ["", ""] }))
      ).outs!;
      emulator().clearRequests();
      await provider.delete("id", outs);
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/cancel",
      ]);
      expect(emulator().verifySecret(outs.clientId, outs.newClientSecret)).toBe(
        "invalid",
      );
    });
  });

  describe("promoted: true → false", () => {
    test("withdraws a request the gates held back, with no call, and clears the blocker", async () => {
      const provider = await providerFor(emulator());
      const gated = m2mInputs({ consumerFingerprints: [""] });
      const started = (await provider.create(gated)).outs!;
      const held = (
        await captureConsole(() =>
          provider.update("id", started, { ...gated, promoted: true }),
        )
      ).result!.outs!;
      expect(held).toMatchObject({
        status: "pending",
        promoted: false,
        promotionBlockedBy: stringContaining("consumer 1 reports none"),
      });
      emulator().clearRequests();
      const check = await provider.check(
        { ...gated, promoted: true },
        { ...gated, promoted: false },
      );
      expect(check.failures).toBeUndefined();
      const diff = await provider.diff("id", held, check.inputs!);
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      const withdrawn = (await provider.update("id", held, check.inputs!))
        .outs!;
      expect(withdrawn).toMatchObject({
        status: "pending",
        promoted: false,
        promotionBlockedBy: "",
      });
      expect(emulator().requests).toEqual([]);
    });

    test("is refused in diff once the rotation is complete", async () => {
      const provider = await providerFor(emulator());
      const started = (await provider.create(m2mInputs())).outs!;
      const promoted = (
        await provider.update("id", started, m2mInputs({ promoted: true }))
      ).outs!;
      emulator().clearRequests();
      const printed = await refusal(() =>
        provider.diff("id", promoted, m2mInputs({ promoted: false })),
      );
      expect(printed).toContain("promoted cannot go from true back to false");
      expect(emulator().requests).toEqual([]);
    });
  });

  test("a rotate/start answer without the new secret is reconciled like a lost one", async () => {
    const provider = await providerFor(emulator());
    const { m2m } = emulator().seeded!;
    emulator().faults.inject({
      route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
      omitFields: ["next_client_secret"],
    });
    const { result, output } = await captureConsole(() =>
      provider.create(m2mInputs()),
    );
    const outs = result!.outs! as ClientSecretRotationOutputs;
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST rotate/start",
      "GET client",
      "POST rotate/cancel",
      "POST rotate/start",
    ]);
    expect(output).toContain("answer was lost or unusable");
    expect(outs.newClientSecret).toHaveLength(44);
    expect(emulator().getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: outs.newClientSecretLastFour,
    });
    expect(emulator().verifySecret(m2m.clientId, outs.newClientSecret)).toBe(
      "next",
    );
    expectFreeOfSecrets(output, [outs.newClientSecret, m2m.clientSecret]);
  });
});
