/**
 * Drift through the real engine: `pulumi refresh` after an out-of-band cancel or completion reports the
 * right status, and the next `pulumi up` converges.
 */
import { useE2E } from "../helpers/pulumi-harness";
import {
  adminCall,
  expectFreeOfSecrets,
  m2mSecretWorks,
  readClient,
  stytchCalls,
} from "../helpers/harness";

const { emulator, newStack, pendingRotation } = useE2E();

function outOfBand(action: string, clientId: string) {
  return adminCall(
    emulator(),
    "POST",
    `/v1/m2m/clients/${encodeURIComponent(clientId)}/secrets/${action}`,
  );
}

test("after an out-of-band cancel, refresh reports cancelled and the next up starts a new rotation", async () => {
  const { emu, m2m, stack, secret: cancelled } = await pendingRotation();
  await outOfBand("rotate/cancel", m2m.clientId);

  emu.clearRequests();
  await stack.refresh();
  expect(stytchCalls(emu)).toEqual(["GET client"]);
  expect(stack.rotationResources()[0]!.outputs["status"]).toBe("cancelled");

  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
  const { secrets, info } = await stack.outputs();
  const fresh = secrets["billing"]!;
  expect(fresh).not.toBe(cancelled);
  expect(info["billing"]!.status).toBe("pending");
  expect(await m2mSecretWorks(emu, m2m.clientId, fresh)).toBe(true);
  expect(
    (await readClient(emu, "m2m", m2m.clientId))[
      "next_client_secret_last_four"
    ],
  ).toBe(fresh.slice(-4));
});

test("after an out-of-band completion, refresh reports promoted and nothing else is called", async () => {
  const { emu, m2m, stack, secret } = await pendingRotation();
  await outOfBand("rotate", m2m.clientId);

  await stack.refresh();
  expect(stack.rotationResources()[0]!.outputs["status"]).toBe("promoted");

  emu.clearRequests();
  await stack.up();
  await stack.setRotations([
    { name: "billing", clientId: m2m.clientId, promoted: true },
  ]);
  await stack.up();
  await stack.destroy();
  expect(emu.requests).toHaveLength(0);
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
});

test("after someone rotates again, refresh reports superseded; up never revokes theirs, and a new rotation starts on request", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack();
  await stack.setRotations([
    {
      name: "billing",
      clientId: m2m.clientId,
      promoted: true,
      emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
      triggers: { quarter: "2026-Q4" },
    },
  ]);
  await stack.up();
  const started = await outOfBand("rotate/start", m2m.clientId);
  const theirs = String(
    (started["m2m_client"] as Record<string, unknown>)["next_client_secret"],
  );
  await outOfBand("rotate", m2m.clientId);

  await stack.refresh();
  expect(stack.rotationResources()[0]!.outputs["status"]).toBe("superseded");

  // promoted: true would complete the fresh rotation at once and revoke the secret now in use.
  emu.clearRequests();
  const refused = await stack.failing("up");
  expect(refused).toContain("was superseded outside Pulumi");
  expect(refused).toContain("Change triggers and set promoted: false");
  expect(emu.requests).toHaveLength(0);

  await stack.setRotations([
    {
      name: "billing",
      clientId: m2m.clientId,
      promoted: false,
      triggers: { quarter: "2027-Q1" },
    },
  ]);
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
  const { secrets, info } = await stack.outputs();
  expect(info["billing"]!.status).toBe("pending");
  expect(await m2mSecretWorks(emu, m2m.clientId, secrets["billing"]!)).toBe(
    true,
  );
  expect(await m2mSecretWorks(emu, m2m.clientId, theirs)).toBe(true);
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    secrets["billing"],
    theirs,
    emu.projectSecret,
  ]);
});
