/**
 * The README's example program (examples/gitops-rollover, TypeScript) with the packed package, driven
 * through the commits its README lists: start both rotations, promote one, bump the quarter, destroy.
 */
import {
  BillingApi,
  requestAccessToken,
} from "../../examples/gitops-rollover/consumer";
import {
  captureConsole,
  expectFreeOfSecrets,
  m2mSecretWorks,
  expectOnlyNewSecretWorks,
} from "../helpers/harness";
import { useE2E } from "../helpers/pulumi-harness";

const { emulator, newStack } = useE2E();

test("examples/gitops-rollover runs the README's commits end to end", async () => {
  const emu = emulator();
  const { m2m, connectedApp } = emu.seeded!;
  const stack = await newStack({ program: "example" });
  const commit = (config: Record<string, string>) =>
    stack.stack.setAllConfig(
      Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, { value }]),
      ),
    );

  await commit({
    quarter: "2026-Q4",
    billingWorkerClientId: m2m.clientId,
    partnerPortalClientId: connectedApp.clientId,
  });
  await stack.up();
  const started = await stack.outputs();
  expect(started.secretOutputsAreSecret).toBe(true);
  const billing = started.secrets["billingWorker"]!;
  const partner = started.secrets["partnerPortal"]!;
  expect(await m2mSecretWorks(emu, m2m.clientId, billing)).toBe(true);
  expect(emu.verifySecret(connectedApp.clientId, partner)).toBe("next");

  // The example's consumer side: the worker on each secret, and the billing API verifying its tokens.
  const project = {
    projectId: emu.projectId,
    secret: emu.projectSecret,
    baseUrl: emu.url,
  };
  const api = (await captureConsole(async () => new BillingApi(project)))
    .result!;
  const tokenWith = async (secret: string) => {
    const token = await requestAccessToken(project, m2m.clientId, secret);
    return token.issued ? token.accessToken : undefined;
  };
  const oldToken = await tokenWith(m2m.clientSecret!);
  for (const token of [oldToken, await tokenWith(billing)]) {
    expect(await api.authenticate(token!)).toEqual({
      clientId: m2m.clientId,
      scopes: ["read:users", "write:users"],
    });
  }

  await commit({ billingWorkerPromoted: "true" });
  await stack.up();
  await expectOnlyNewSecretWorks(emu, m2m.clientId, billing, m2m.clientSecret!);
  // The old secret's tokens stop being issued; one issued before stays valid until it expires.
  expect(await tokenWith(m2m.clientSecret!)).toBeUndefined();
  expect((await api.authenticate(oldToken!)).clientId).toBe(m2m.clientId);
  expect((await api.authenticate((await tokenWith(billing))!)).clientId).toBe(
    m2m.clientId,
  );

  await commit({ quarter: "2027-Q1", billingWorkerPromoted: "false" });
  await stack.up();
  const next = await stack.outputs();
  const nextBilling = next.secrets["billingWorker"]!;
  const nextPartner = next.secrets["partnerPortal"]!;
  expect(emu.verifySecret(m2m.clientId, billing)).toBe("current");
  expect(emu.verifySecret(m2m.clientId, nextBilling)).toBe("next");
  expect(emu.verifySecret(connectedApp.clientId, partner)).toBe("invalid");
  expect(emu.verifySecret(connectedApp.clientId, nextPartner)).toBe("next");

  await stack.destroy();
  expect(emu.verifySecret(m2m.clientId, billing)).toBe("current");
  expect(emu.verifySecret(m2m.clientId, nextBilling)).toBe("invalid");
  expect(emu.verifySecret(connectedApp.clientId, nextPartner)).toBe("invalid");
  expect(
    emu.verifySecret(connectedApp.clientId, connectedApp.clientSecret!),
  ).toBe("current");
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    billing,
    partner,
    nextBilling,
    nextPartner,
    emu.projectSecret,
  ]);
});
