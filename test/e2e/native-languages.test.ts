/**
 * The native plugin `pulumi-resource-stytch` through the real engine from a program in each language a
 * user writes one in: YAML (the host takes the types from the plugin's `GetSchema`), Go (the generated Go
 * SDK in an Automation API inline program) and TypeScript (the generated TypeScript SDK, compiled and
 * installed as the package `pulumi-stytch`). One body of tests runs for each, through
 * `test/helpers/native-languages.ts`: every lifecycle step, a bad input, and an interrupted create with
 * its recovery by following only what is printed.
 *
 * The only credentials are each stack's `stytch:*` config; the tests run with no STYTCH_* variable in the
 * environment. Stytch calls are counted at the emulator, which secrets authenticate afterwards is asked of
 * it, and every persisted byte (state, history, PULUMI_HOME and its logs, the program's directory) and
 * every line printed are searched for the new secret, the client's old secret and the project secret.
 *
 * The tests run concurrently (`test.concurrent`, each with its own emulator and stacks), so that one's
 * wait on the engine or the clock overlaps another's work.
 */
import type { RunningEmulator, SeededClient } from "../../emulator";
import {
  expectFreeOfSecrets,
  expectOnlyNewSecretWorks,
  m2mSecretWorks,
  stytchCalls,
} from "../helpers/harness";
import { expectOrphanRecovery, killStart } from "../helpers/interruption";
import { anyString } from "../helpers/matchers";
import {
  BAD_CLIENT_ID,
  NATIVE_LANGUAGES,
  NativeStack,
  SECRET_SIG,
  expectBadClientIdRefused,
  expectNoCredentialsInEnvironment,
  type NativeLanguage,
} from "../helpers/native-languages";
import { withE2E } from "../helpers/pulumi-harness";

jest.setTimeout(10 * 60_000);

beforeAll(expectNoCredentialsInEnvironment);

/** A test's emulator, its seeded M2M client, and a fresh stack of the language's program. */
interface Scene {
  emu: RunningEmulator;
  m2m: SeededClient;
  stack: NativeStack;
}

/** Runs `body` with its own emulator and a fresh stack of the `language` program, removed afterwards. */
function inScene(
  language: NativeLanguage,
  body: (scene: Scene) => Promise<void>,
): () => Promise<void> {
  return () =>
    withE2E(async ({ emulator, newStack }) => {
      const stack = await NativeStack.create(language, newStack);
      await body({ emu: emulator, m2m: emulator.seeded!.m2m, stack });
    });
}

/** Asserts that nothing the stack persisted and nothing printed holds one of the secrets in plaintext. */
function expectNoPlaintext(
  { emu, m2m, stack }: Scene,
  ...newSecrets: string[]
): void {
  expectFreeOfSecrets(stack.persistedText() + stack.printed(), [
    ...newSecrets,
    m2m.clientSecret,
    emu.projectSecret,
  ]);
}

describe.each(NATIVE_LANGUAGES)("a %s program", (language) => {
  test.concurrent(
    "a bad input fails the preview naming the field, with no Stytch call; corrected, it creates a pending rotation, which is promoted and refreshed",
    inScene(language, async (scene) => {
      const { emu, m2m, stack } = scene;
      await stack.setRotations([{ name: "billing", clientId: BAD_CLIENT_ID }]);
      emu.clearRequests();
      expectBadClientIdRefused(await stack.failing("preview"), emu);

      await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
      emu.clearRequests();
      const created = await stack.run("up");
      expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
      const started = await stack.stack.outputs();
      const secret = started.secrets["billing"]!;
      expect(started.secretOutputsAreSecret).toBe(true);
      expect(started.info["billing"]).toMatchObject({
        clientId: m2m.clientId,
        status: "pending",
        lastFour: secret.slice(-4),
        id: `${m2m.clientId}:${secret.slice(-4)}`,
      });
      // Masked where the engine prints the outputs, encrypted where it stores them.
      expect(created.output).toMatch(/billingSecret\s*:\s*\[secret\]/);
      const [resource] = stack.stack.rotationResources();
      expect(resource!.urn).toContain("::stytch:index:ClientSecretRotation::");
      expect(resource!.outputs["newClientSecret"]).toMatchObject({
        ...SECRET_SIG,
        ciphertext: anyString(),
      });
      expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
      expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");

      await stack.setRotations([
        { name: "billing", clientId: m2m.clientId, promoted: true },
      ]);
      emu.clearRequests();
      await stack.run("up");
      expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
      const promoted = await stack.stack.outputs();
      expect(promoted.secrets["billing"]).toBe(secret);
      expect(promoted.info["billing"]!.status).toBe("promoted");
      await expectOnlyNewSecretWorks(
        emu,
        m2m.clientId,
        secret,
        m2m.clientSecret!,
      );

      emu.clearRequests();
      await stack.run("refresh");
      expect(stytchCalls(emu)).toEqual(["GET client"]);
      expect((await stack.stack.outputs()).info["billing"]!.status).toBe(
        "promoted",
      );
      expectNoPlaintext(scene, secret);
    }),
  );

  test.concurrent(
    "autopilot promotes once promoteAfter has passed and the new secret authenticates",
    inScene(language, async (scene) => {
      const { emu, m2m, stack } = scene;
      await stack.setRotations([
        {
          name: "billing",
          clientId: m2m.clientId,
          promoteAfter: "2s",
          verifyBeforePromote: true,
        },
      ]);
      emu.clearRequests();
      await stack.run("up");
      expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
      const started = await stack.stack.outputs();
      const secret = started.secrets["billing"]!;
      expect(started.info["billing"]!.status).toBe("pending");

      // The scheduled `up` after the window: no commit, only the clock moved.
      const dueAt = Date.parse(started.info["billing"]!.promoteDueAt!);
      await new Promise((r) => setTimeout(r, dueAt - Date.now() + 100));
      emu.clearRequests();
      await stack.run("up");
      expect(stytchCalls(emu)).toEqual([
        "GET client",
        "POST oauth2/token",
        "POST rotate",
      ]);
      const promoted = await stack.stack.outputs();
      expect(promoted.secrets["billing"]).toBe(secret);
      expect(promoted.info["billing"]!.status).toBe("promoted");
      expect(emu.verifySecret(m2m.clientId, secret)).toBe("current");
      expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("invalid");
      expectNoPlaintext(scene, secret);
    }),
  );

  test.concurrent(
    "an up killed after rotate/start landed recovers with the engine's unlock and one printed command of ours; destroying the recovered rotation cancels it",
    inScene(language, async (scene) => {
      const { emu, m2m, stack } = scene;
      await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);
      const orphan = await killStart(emu, stack, m2m.clientId, stack.programs);
      expect(stack.stack.rotationResources()).toEqual([]);
      const last = await expectOrphanRecovery(stack, m2m.clientId, orphan);
      expect(last.output).toContain("Cancelled the orphaned rotation");

      // One pending rotation, and its secret is the stack's output; the orphan is gone, the old secret works.
      const { secrets, info } = await stack.stack.outputs();
      const secret = secrets["billing"]!;
      expect(info["billing"]!.status).toBe("pending");
      expect(secret.slice(-4)).not.toBe(orphan);
      expect(emu.getClient(m2m.clientId)).toMatchObject({
        next_client_secret_last_four: secret.slice(-4),
      });
      expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
      expect(emu.verifySecret(m2m.clientId, m2m.clientSecret!)).toBe("current");

      // Still pending, so removing it cancels it: the rotation the recovery started is an ordinary one.
      emu.clearRequests();
      await stack.run("destroy");
      expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
      expect(stack.stack.rotationResources()).toEqual([]);
      expect(emu.verifySecret(m2m.clientId, secret)).toBe("invalid");
      expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(
        true,
      );
      expectNoPlaintext(scene, secret);
    }),
  );
});
