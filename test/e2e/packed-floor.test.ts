/**
 * The packed package on the oldest `@pulumi/pulumi` we support, with credentials from stack config: that
 * release is the first whose dynamic providers receive `configure`, so the whole rollover must work there.
 */
import { e2eContext, useE2E } from "../helpers/pulumi-harness";
import {
  expectFreeOfSecrets,
  stytchCalls,
  expectOnlyNewSecretWorks,
} from "../helpers/harness";

const { emulator, newStack } = useE2E();

test(`start, promote and destroy on the floor @pulumi/pulumi with stytch:* stack config credentials`, async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  expect(e2eContext().pulumiVersions.floor).toMatch(/^3\.\d+\.\d+$/);
  const stack = await newStack({ program: "floor" });
  await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
  const { secrets, secretOutputsAreSecret } = await stack.outputs();
  const secret = secrets["billing"]!;
  expect(secretOutputsAreSecret).toBe(true);

  await stack.setRotations([
    { name: "billing", clientId: m2m.clientId, promoted: true },
  ]);
  await stack.up();
  await expectOnlyNewSecretWorks(emu, m2m.clientId, secret, m2m.clientSecret!);
  emu.clearRequests();
  await stack.destroy();
  expect(emu.requests).toHaveLength(0);
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    secret,
    emu.projectSecret,
    m2m.clientSecret,
  ]);
});
