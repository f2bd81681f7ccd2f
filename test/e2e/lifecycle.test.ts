/**
 * The rotation lifecycle through the real Pulumi engine: start, hand-off (secret output), promote,
 * destroy, emergency rotation, Connected Apps, and bad input, with Stytch calls counted at the emulator
 * and every persisted byte and engine line searched for the secrets.
 */
import { useE2EInEachStytchBehaviour } from "../helpers/pulumi-harness";
import {
  expectFreeOfSecrets,
  m2mSecretWorks,
  readClient,
  stytchCalls,
  expectOnlyNewSecretWorks,
} from "../helpers/harness";
import { anyString } from "../helpers/matchers";

const { emulator, newStack, pendingRotation, forEachStytchBehaviour } =
  useE2EInEachStytchBehaviour();

/**
 * The serialized provider is a reference to the installed package: one `require` of the module whose
 * exports are the provider, inside the SDK's one-line handler; no method bodies, no settings, no secret.
 */
function expectProviderReference(serialized: unknown): void {
  expect(typeof serialized).toBe("string");
  const reference =
    'require("pulumi-stytch-client-secret-rotation/dist/provider/engine-provider.js")';
  expect(serialized as string).toContain(reference);
  const rest = (serialized as string).replace(reference, "");
  expect(rest).toContain("return () => provider;");
  // The handler and the SDK's wrapper around it are the only functions.
  expect(rest.match(/function/g)).toHaveLength(2);
  for (const word of [
    "check",
    "create",
    "update",
    "delete",
    "stytch",
    "secret",
    "http",
  ]) {
    expect(rest.toLowerCase()).not.toContain(word);
  }
  expect((serialized as string).length).toBeLessThan(400);
}

// The secret signature Pulumi puts on encrypted values in the state.
const SECRET_SIG = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
};

// Stytch does not document whether a rotate/start on a pending rotation is refused or replaces it.
forEachStytchBehaviour(() => {
  test("start, hand-off, promote and destroy an M2M rotation; secrets never in plaintext", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);

    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
    const started = await stack.outputs();
    const secret = started.secrets["billing"]!;
    expect(started.secretOutputsAreSecret).toBe(true);
    expect(started.info["billing"]).toMatchObject({
      status: "pending",
      lastFour: secret.slice(-4),
    });
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      true,
    );

    const [resource] = stack.rotationResources();
    expect(resource!.outputs["newClientSecret"]).toMatchObject({
      ...SECRET_SIG,
      ciphertext: anyString(),
    });
    expect(resource!.id).not.toContain(secret);
    expectProviderReference(resource!.inputs["__provider"]);
    expect(resource!.outputs["__provider"]).toBe(
      resource!.inputs["__provider"],
    );

    emu.clearRequests();
    const noChange = await stack.up();
    expect(noChange.summary.resourceChanges).toEqual({ same: 2 });
    await stack.preview();
    expect(emu.requests).toHaveLength(0);

    await stack.setRotations([
      { name: "billing", clientId: m2m.clientId, promoted: true },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
    const promoted = await stack.outputs();
    expect(promoted.secrets["billing"]).toBe(secret);
    expect(promoted.info["billing"]!.status).toBe("promoted");
    await expectOnlyNewSecretWorks(
      emu,
      m2m.clientId,
      secret,
      m2m.clientSecret!,
    );

    emu.clearRequests();
    await stack.destroy();
    expect(emu.requests).toHaveLength(0);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);

    const secrets = [secret, emu.projectSecret, m2m.clientSecret];
    expectFreeOfSecrets(stack.persistedText(), secrets);
    expectFreeOfSecrets(stack.engineOutput.join("\n"), secrets);
  });

  test("destroying a pending rotation cancels it; the old secret stays the only valid one", async () => {
    const { emu, m2m, stack, secret } = await pendingRotation();

    emu.clearRequests();
    await stack.destroy();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
    expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(false);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      true,
    );
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      secret,
      emu.projectSecret,
    ]);
  });

  test("an emergency rotation (promoted from the start, naming the secret it revokes) completes in one up", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        promoted: true,
        emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
      },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual([
      "GET client",
      "POST rotate/start",
      "POST rotate",
    ]);
    const { secrets, info } = await stack.outputs();
    expect(info["billing"]!.status).toBe("promoted");
    expect(await m2mSecretWorks(emu, m2m.clientId, secrets["billing"]!)).toBe(
      true,
    );
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      false,
    );
    emu.clearRequests();
    await stack.destroy();
    expect(emu.requests).toHaveLength(0);
  });

  test("a Connected App rotation end to end, with STYTCH_* environment credentials", async () => {
    const emu = emulator();
    const { connectedApp } = emu.seeded!;
    const stack = await newStack({ credentials: "env" });
    await stack.setRotations([
      { name: "partner-app", clientId: connectedApp.clientId },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
    const { secrets, info } = await stack.outputs();
    const secret = secrets["partner-app"]!;
    expect(info["partner-app"]).toMatchObject({
      status: "pending",
      lastFour: secret.slice(-4),
    });
    expect(
      (await readClient(emu, "connected_apps", connectedApp.clientId))[
        "next_client_secret_last_four"
      ],
    ).toBe(secret.slice(-4));

    await stack.setRotations([
      { name: "partner-app", clientId: connectedApp.clientId, promoted: true },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
    const live = await readClient(emu, "connected_apps", connectedApp.clientId);
    expect(live).toMatchObject({
      client_secret_last_four: secret.slice(-4),
      next_client_secret_last_four: null,
    });

    emu.clearRequests();
    await stack.destroy();
    expect(emu.requests).toHaveLength(0);
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      secret,
      connectedApp.clientSecret,
      emu.projectSecret,
    ]);
  });

  test("bad input fails in preview and up with a message naming the field, before any Stytch call", async () => {
    const emu = emulator();
    const stack = await newStack();
    await stack.setRotations([
      { name: "billing", clientId: "m2m-client-test/../../secrets" },
    ]);
    emu.clearRequests();
    const previewError = await stack.failing("preview");
    expect(previewError).toContain("clientId");
    expect(previewError).toContain("cannot be a Stytch client id");
    const upError = await stack.failing("up");
    expect(upError).toContain("clientId");
    expect(emu.requests).toHaveLength(0);
    expect(stack.rotationResources()).toEqual([]);
  });

  test("un-promoting in place is refused with directions, and nothing changes", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.upWith([{ name: "billing", clientId: m2m.clientId }]);
    await stack.upWith([
      { name: "billing", clientId: m2m.clientId, promoted: true },
    ]);
    await stack.setRotations([
      { name: "billing", clientId: m2m.clientId, promoted: false },
    ]);
    emu.clearRequests();
    for (const op of ["preview", "up"] as const) {
      const error = await stack.failing(op);
      expect(error).toContain("promoted cannot go from true back to false");
      expect(error).toContain("change triggers");
    }
    expect(emu.requests).toHaveLength(0);
  });

  test("a program on a stack with no config at all runs (the language host passes an empty config)", async () => {
    const emu = emulator();
    // Credentials from the environment, so the stack has no config whatsoever.
    const stack = await newStack({ credentials: "env" });
    const result = await stack.preview();
    expect(result.changeSummary).toMatchObject({ create: 1 });
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(stack.rotationResources()).toEqual([]);
    expect(emu.requests).toHaveLength(0);
  });
});
