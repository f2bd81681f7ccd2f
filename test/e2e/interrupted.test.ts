/**
 * An interrupted `pulumi up` or `pulumi destroy`: the whole `pulumi` process tree is killed (a runner
 * killed, out of memory) after Stytch applied the rotate call and before its answer arrived, so the state
 * never learns of it. Recovery then follows only what the CLI and the provider print, as the person on
 * call would: re-run the command; when it fails, run the one command its output names; repeat. Each test
 * counts those steps; of them, at most one is a command of ours.
 */
import { randomBytes } from "node:crypto";
import { ROUTE_TEMPLATES } from "../../emulator";
import { expectFreeOfSecrets } from "../helpers/harness";
import {
  HELD_MS,
  expectOrphanRecovery,
  killAfterLanding,
  killStart,
  recover,
} from "../helpers/interruption";
import { useE2EInEachStytchBehaviour } from "../helpers/pulumi-harness";

const { emulator, newStack, pendingRotation, forEachStytchBehaviour } =
  useE2EInEachStytchBehaviour();
const ROUTES = ROUTE_TEMPLATES.m2m;

// Stytch does not document whether a rotate/start on a pending rotation is refused or replaces it.
forEachStytchBehaviour(() => {
  test("up killed after rotate/start landed: one printed command of ours, then the next up converges", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
    const orphan = await killStart(emu, stack, m2m.clientId);
    expect(stack.rotationResources()).toEqual([]);
    const last = await expectOrphanRecovery(stack, m2m.clientId, orphan);
    expect(last.output).toContain("Cancelled the orphaned rotation");

    // One pending rotation, and its secret is the stack's output; the orphan is gone, the old secret works.
    const { secrets, info } = await stack.outputs();
    const secret = secrets["billing"]!;
    expect(info["billing"]!.status).toBe("pending");
    expect(emu.getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: secret.slice(-4),
    });
    expect(secret.slice(-4)).not.toBe(orphan);
    expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
    expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");

    // The engine keeps warning about the interrupted create until its record is cleared (README).
    expect(last.output).toContain("pending operations");
    expect(
      (await stack.cli(["refresh", "--clear-pending-creates", "--yes"])).code,
    ).toBe(0);
    const clean = await stack.cli(["up", "--yes", "--skip-preview"]);
    expect(clean.code).toBe(0);
    expect(clean.output).not.toContain("pending operations");
    expect(emu.getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: secret.slice(-4),
    });

    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      secret,
      m2m.clientSecret,
      emu.projectSecret,
    ]);
  });

  test("up killed after the promoting rotate landed: the next up converges with only the engine's steps", async () => {
    const { emu, m2m, stack, secret } = await pendingRotation();
    await stack.setRotations([
      { name: "billing", clientId: m2m.clientId, promoted: true },
    ]);
    emu.faults.inject({ route: ROUTES.rotate, answerDelayMs: HELD_MS });

    await killAfterLanding(
      stack,
      ["up", "--yes", "--skip-preview"],
      () =>
        emu.getClient(m2m.clientId)?.client_secret_last_four ===
        secret.slice(-4),
    );

    const { steps } = await recover(stack, ["up"]);
    expect(steps).toEqual(["pulumi up", "pulumi cancel", "pulumi up"]);
    expect((await stack.outputs()).info["billing"]!.status).toBe("promoted");
    expect(emu.verifySecret(m2m.clientId, secret)).toBe("current");
    expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");
  });

  test("destroy killed after the cancel landed: the next destroy converges with only the engine's steps", async () => {
    const { emu, m2m, stack, secret } = await pendingRotation();
    emu.faults.inject({ route: ROUTES.rotateCancel, answerDelayMs: HELD_MS });

    await killAfterLanding(
      stack,
      ["destroy", "--yes", "--skip-preview"],
      () => emu.getClient(m2m.clientId)?.next_client_secret_last_four === null,
    );

    const { steps, last } = await recover(stack, ["destroy"]);
    expect(steps).toEqual([
      "pulumi destroy",
      "pulumi cancel",
      "pulumi destroy",
    ]);
    expect(last.output).toContain("was no longer pending at Stytch");
    expect(stack.rotationResources()).toEqual([]);
    expect(emu.verifySecret(m2m.clientId, secret)).toBe("invalid");
    expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");
  });

  test('up killed after a scheduled rotation\'s rotate/start landed, its last four starting with "-": one printed command of ours, then the next up converges', async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.setRotations([
      {
        name: "billing",
        clientId: m2m.clientId,
        promoteAfter: "0s",
        rotateEvery: "4s",
      },
    ]);
    await stack.up(); // starts the first rotation
    await stack.up(); // its window is 0s: verified and promoted
    const first = await stack.outputs();
    const promoted = first.secrets["billing"]!;
    expect(first.info["billing"]!.status).toBe("promoted");
    const rotateDueAt = Date.parse(first.info["billing"]!.rotateDueAt!);
    await new Promise((r) => setTimeout(r, rotateDueAt - Date.now() + 100));
    // The scheduled up starts the next rotation in place (an update), and is killed once Stytch applied it.
    // Its secret ends in "-" and three more, which a shell command must not read as a flag.
    emu.chooseNextSecret(randomBytes(30).toString("base64url") + "-KaE");
    const orphan = await killStart(emu, stack, m2m.clientId);
    expect(orphan).toBe("-KaE");
    await expectOrphanRecovery(stack, m2m.clientId, orphan);
    const { secrets, info } = await stack.outputs();
    const next = secrets["billing"]!;
    expect(info["billing"]!.status).toBe("pending");
    expect(next.slice(-4)).not.toBe(orphan);
    expect(emu.getClient(m2m.clientId)).toMatchObject({
      next_client_secret_last_four: next.slice(-4),
    });
    // The promoted secret the consumers hold kept working throughout.
    expect(emu.verifySecret(m2m.clientId, promoted)).toBe("current");
    expect(emu.verifySecret(m2m.clientId, next)).toBe("next");
    expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
      promoted,
      next,
      m2m.clientSecret,
      emu.projectSecret,
    ]);
  });

  test("a malformed stytch:cancelOrphanedRotation fails pulumi up naming the key, before any Stytch call", async () => {
    const emu = emulator();
    const { m2m } = emu.seeded!;
    const stack = await newStack();
    await stack.stack.setConfig("stytch:cancelOrphanedRotation", {
      value: "a1b2",
    });
    await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
    emu.clearRequests();
    const error = await stack.failing("up");
    expect(error).toContain(
      "stytch:cancelOrphanedRotation must map client ids to the last four characters",
    );
    expect(error).toContain("pulumi config rm stytch:cancelOrphanedRotation");
    expect(emu.requests).toEqual([]);
  });
});
