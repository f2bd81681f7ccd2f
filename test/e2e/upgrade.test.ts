/**
 * Upgrading from the version that stored the provider's code in the state (`test/fixtures/compat`) to the
 * package under test, as a user would: `npm install` of the new version in the same program, then the
 * usual commands on the states the old version wrote. Refresh and destroy run the old serialized code,
 * which calls the installed `dist/provider/lifecycle.js`; the first `up` after the upgrade stores the new,
 * small reference with no Stytch call; promote and destroy work from there.
 */
import * as path from "node:path";
import { expectFreeOfSecrets, stytchCalls } from "../helpers/harness";
import {
  installProgram,
  reinstallPackage,
  supportedPulumiVersions,
} from "../helpers/packed-program";
import { e2eContext, useE2E } from "../helpers/pulumi-harness";

const { emulator, newStack } = useE2E();

const OLD_RELEASE = path.resolve(
  __dirname,
  "../../../test/fixtures/compat/pulumi-stytch-client-secret-rotation-6b9d9f0.tgz",
);
const REFERENCE =
  'require("pulumi-stytch-client-secret-rotation/dist/provider/engine-provider.js")';

test("states written by the previous version refresh, migrate, promote and destroy after an upgrade", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const other = emu.createM2MClient({ clientName: "second worker" });
  const context = e2eContext();
  const dir = installProgram(
    context.workRoot,
    `program-upgrade-${Date.now()}`,
    "fixture",
    OLD_RELEASE,
    supportedPulumiVersions().newest,
  );

  // Written by the old version: the provider's methods by value in every resource's state.
  const promoting = await newStack({ program: { dir } });
  const secret = (
    await promoting.upWith([{ name: "billing", clientId: m2m.clientId }])
  )["billing"]!;
  const destroying = await newStack({ program: { dir } });
  const otherSecret = (
    await destroying.upWith([{ name: "worker", clientId: other.clientId }])
  )["worker"]!;
  const oldProvider = String(
    promoting.rotationResources()[0]!.outputs["__provider"],
  );
  expect(oldProvider).toContain("dist/provider/lifecycle.js");
  expect(oldProvider).not.toContain(REFERENCE);
  expect(oldProvider.length).toBeGreaterThan(3000);

  reinstallPackage(dir, context.tarball);

  // Refresh runs the state's old code against the installed new lifecycle module.
  emu.clearRequests();
  await promoting.refresh();
  expect(stytchCalls(emu)).toEqual(["GET client"]);
  expect(promoting.rotationResources()[0]!.outputs["status"]).toBe("pending");

  // The first up after the upgrade stores the reference, and makes no Stytch call.
  emu.clearRequests();
  const migrated = await promoting.up();
  expect(migrated.summary.resourceChanges).toMatchObject({ update: 1 });
  expect(emu.requests).toEqual([]);
  const [resource] = promoting.rotationResources();
  for (const stored of [
    resource!.inputs["__provider"],
    resource!.outputs["__provider"],
  ]) {
    expect(stored).toContain(REFERENCE);
    expect(String(stored).length).toBeLessThan(400);
  }
  emu.clearRequests();
  await promoting.up();
  expect(emu.requests).toEqual([]);

  await promoting.setRotations([
    { name: "billing", clientId: m2m.clientId, promoted: true },
  ]);
  emu.clearRequests();
  await promoting.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("current");
  expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");
  emu.clearRequests();
  await promoting.destroy();
  expect(emu.requests).toEqual([]);

  // Destroy of a pending rotation runs the state's old code too: it cancels exactly that rotation.
  emu.clearRequests();
  await destroying.destroy();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
  expect(emu.verifySecret(other.clientId, otherSecret)).toBe("invalid");
  expect(emu.verifySecret(other.clientId, other.clientSecret!)).toBe("current");

  expectFreeOfSecrets(
    promoting.persistedText() +
      destroying.persistedText() +
      promoting.engineOutput.join("\n") +
      destroying.engineOutput.join("\n"),
    [secret, otherSecret, emu.projectSecret],
  );
});
