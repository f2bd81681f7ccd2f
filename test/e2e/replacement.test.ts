/**
 * Replacements through the real engine: a `triggers` change on the same client (while pending and while
 * promoted) and a `clientId` change. Afterwards exactly one rotation must be in effect, and the stack's
 * secret must be the one that works.
 */
import { useE2EInEachStytchBehaviour } from "../helpers/pulumi-harness";
import {
  expectFreeOfSecrets,
  m2mSecretWorks,
  readClient,
  stytchCalls,
} from "../helpers/harness";

const { emulator, newStack, forEachStytchBehaviour } =
  useE2EInEachStytchBehaviour();

// Stytch does not document whether a rotate/start on a pending rotation is refused or replaces it.
forEachStytchBehaviour(() => {
  test("a triggers change while pending cancels the old rotation first, then starts the new one", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    const first = (
      await stack.upWith([
        {
          name: "billing",
          clientId: m2m.clientId,
          triggers: { quarter: "2026-Q4" },
        },
      ])
    )["billing"]!;

    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        triggers: { quarter: "2027-Q1" },
      },
    ]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual([
      "GET client",
      "POST rotate/cancel",
      "GET client",
      "POST rotate/start",
    ]);

    const second = (await stack.outputs()).secrets["billing"]!;
    expect(second).not.toBe(first);
    const live = await readClient(emu, "m2m", m2m.clientId);
    expect(live["next_client_secret_last_four"]).toBe(second.slice(-4));
    expect(await m2mSecretWorks(emu, m2m.clientId, second)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, first)).toBe(false);
    expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
      true,
    );
    expect(stack.rotationResources()).toHaveLength(1);
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      first,
      second,
      emu.projectSecret,
    ]);
  });

  test("a triggers change after promotion starts a new rotation and leaves the promoted secret working", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    const first = (
      await stack.upWith([
        {
          name: "billing",
          clientId: m2m.clientId,
          promoted: true,
          emergencyRevokeSecretEnding: m2m.clientSecret!.slice(-4),
          triggers: { quarter: "2026-Q4" },
        },
      ])
    )["billing"]!;

    // A bump that forgets to reset promoted would revoke the secret in use at once: refused before any call.
    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        promoted: true,
        triggers: { quarter: "2027-Q1" },
      },
    ]);
    emu.clearRequests();
    const refused = await stack.failing("up");
    expect(refused).toContain("changing triggers starts a new rotation");
    expect(emu.requests).toHaveLength(0);

    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        promoted: false,
        triggers: { quarter: "2027-Q1" },
      },
    ]);
    emu.clearRequests();
    await stack.up();
    // Create-before-delete: the promoted old rotation's delete makes no call.
    expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
    const { secrets, info } = await stack.outputs();
    const second = secrets["billing"]!;
    expect(info["billing"]!.status).toBe("pending");
    const live = await readClient(emu, "m2m", m2m.clientId);
    expect(live).toMatchObject({
      client_secret_last_four: first.slice(-4),
      next_client_secret_last_four: second.slice(-4),
    });
    expect(await m2mSecretWorks(emu, m2m.clientId, first)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, second)).toBe(true);

    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        promoted: true,
        triggers: { quarter: "2027-Q1" },
      },
    ]);
    await stack.up();
    expect(await m2mSecretWorks(emu, m2m.clientId, second)).toBe(true);
    expect(await m2mSecretWorks(emu, m2m.clientId, first)).toBe(false);
    expect(stack.rotationResources()).toHaveLength(1);
  });

  test("a clientId change starts on the new client and cancels the pending rotation on the old one", async () => {
    const emu = emulator();
    const a = emu.seeded!.m2m;
    const b = emu.createM2MClient({ clientName: "second worker" });
    const stack = await newStack();
    const onA = (
      await stack.upWith([{ name: "worker", clientId: a.clientId }])
    )["worker"]!;

    await stack.setRotations([{ name: "worker", clientId: b.clientId }]);
    emu.clearRequests();
    await stack.up();
    expect(stytchCalls(emu)).toEqual([
      "GET client",
      "POST rotate/start",
      "GET client",
      "POST rotate/cancel",
    ]);
    expect(emu.requests.map((r) => r.clientId)).toEqual([
      b.clientId,
      b.clientId,
      a.clientId,
      a.clientId,
    ]);

    const onB = (await stack.outputs()).secrets["worker"]!;
    expect(
      (await readClient(emu, "m2m", a.clientId))[
        "next_client_secret_last_four"
      ],
    ).toBeNull();
    expect(
      (await readClient(emu, "m2m", b.clientId))[
        "next_client_secret_last_four"
      ],
    ).toBe(onB.slice(-4));
    expect(await m2mSecretWorks(emu, a.clientId, onA)).toBe(false);
    expect(await m2mSecretWorks(emu, b.clientId, onB)).toBe(true);
  });
});
