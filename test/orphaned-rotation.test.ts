/**
 * Recovery from an interrupted `pulumi up` (see `provider/core/orphaned-rotation.ts`): a pending rotation this
 * stack does not hold is cancelled only when the stack config names exactly that rotation, and the error
 * that stops the `up` prints the one command that does so. The same flow runs through a killed
 * `pulumi up` in `test/e2e/interrupted.test.ts`.
 */
import {
  authorizeCommand,
  parseOrphanAuthorizations,
  revokeCommand,
} from "../provider/core/orphaned-rotation";
import {
  adminCall,
  captureConsole,
  expectFreeOfSecrets,
  printedError,
  providerFor,
  readClient,
  seededM2MInputs,
  stytchCalls,
  useEmulator,
} from "./helpers/harness";
import { shellWords } from "./helpers/shell";

const emulator = useEmulator();
const KEY = "stytch:cancelOrphanedRotation";

/** A rotation started outside this stack, e.g. by a run that was killed before it saved the state. */
async function pendingOutOfBand(clientId: string): Promise<string> {
  const started = await adminCall(
    emulator(),
    "POST",
    `/v1/m2m/clients/${encodeURIComponent(clientId)}/secrets/rotate/start`,
  );
  return String(
    (started["m2m_client"] as Record<string, unknown>)[
      "next_client_secret_last_four"
    ],
  );
}

function m2mInputs() {
  return seededM2MInputs(emulator());
}

describe("the authorization command", () => {
  test("is one pulumi config set that the shell passes through unchanged", () => {
    const command = authorizeCommand("m2m-client-test-abc", "a1B2");
    expect(command).toBe(
      `pulumi config set --path '${KEY}["m2m-client-test-abc"]' a1B2`,
    );
    expect(shellWords(command)).toEqual([
      "pulumi",
      "config",
      "set",
      "--path",
      `${KEY}["m2m-client-test-abc"]`,
      "a1B2",
    ]);
  });

  test("ends the flags before a last four that starts with a dash", () => {
    expect(shellWords(authorizeCommand("m2m-client-test-abc", "-x_9"))).toEqual(
      [
        "pulumi",
        "config",
        "set",
        "--path",
        "--",
        `${KEY}["m2m-client-test-abc"]`,
        "-x_9",
      ],
    );
  });

  test("has a matching command that removes it", () => {
    expect(shellWords(revokeCommand("m2m-client-test-abc"))).toEqual([
      "pulumi",
      "config",
      "rm",
      "--path",
      `${KEY}["m2m-client-test-abc"]`,
    ]);
  });
});

describe("parseOrphanAuthorizations", () => {
  test("reads the JSON object that pulumi config set --path makes, or an object, or nothing", () => {
    expect(
      parseOrphanAuthorizations('{"m2m-client-test-a":"a1b2"}').get(
        "m2m-client-test-a",
      ),
    ).toBe("a1b2");
    expect(
      parseOrphanAuthorizations({ "m2m-client-test-a": "a1b2" }).size,
    ).toBe(1);
    expect(parseOrphanAuthorizations(undefined).size).toBe(0);
  });

  test.each([["a1b2"], ['["a1b2"]'], ['{"m2m-client-test-a":1234}'], ["{"]])(
    "rejects %j, naming the key and the form it takes",
    (raw) => {
      expect(() => parseOrphanAuthorizations(raw)).toThrow(
        `${KEY} must map client ids to the last four characters`,
      );
    },
  );
});

describe("create with a rotation pending that this stack does not hold", () => {
  test("stops before any change and prints the one command that authorizes cancelling exactly it", async () => {
    const { m2m } = emulator().seeded!;
    const orphan = await pendingOutOfBand(m2m.clientId);
    const provider = await providerFor(emulator());
    emulator().clearRequests();
    const { error, output } = await captureConsole(() =>
      provider.create(m2mInputs()),
    );
    expect(stytchCalls(emulator())).toEqual(["GET client"]);
    const message = printedError(error);
    expect(message).toContain(`\`${authorizeCommand(m2m.clientId, orphan)}\``);
    expect(message).toContain("nothing was changed at Stytch");
    expect(message).not.toMatch(/POST|dashboard/);
    expect(
      (await readClient(emulator(), "m2m", m2m.clientId))[
        "next_client_secret_last_four"
      ],
    ).toBe(orphan);
    expectFreeOfSecrets(message + output, [
      m2m.clientSecret,
      emulator().projectSecret,
    ]);
  });

  test("with that authorization, cancels exactly that rotation and starts its own", async () => {
    const { m2m } = emulator().seeded!;
    const orphan = await pendingOutOfBand(m2m.clientId);
    const provider = await providerFor(emulator(), {
      [KEY]: JSON.stringify({ [m2m.clientId]: orphan }),
    });
    emulator().clearRequests();
    const { result, output } = await captureConsole(() =>
      provider.create(m2mInputs()),
    );
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST rotate/cancel",
      "GET client",
      "POST rotate/start",
    ]);
    const outs = result!.outs!;
    expect(outs.newClientSecretLastFour).not.toBe(orphan);
    expect(emulator().verifySecret(m2m.clientId, outs.newClientSecret)).toBe(
      "next",
    );
    expect(output).toContain(`\`${revokeCommand(m2m.clientId)}\``);
    expectFreeOfSecrets(output, [outs.newClientSecret, m2m.clientSecret]);
  });

  test("an authorization that names another rotation is not used, and the message says so", async () => {
    const { m2m } = emulator().seeded!;
    const orphan = await pendingOutOfBand(m2m.clientId);
    const other = orphan === "zzzz" ? "yyyy" : "zzzz";
    const provider = await providerFor(emulator(), {
      [KEY]: JSON.stringify({ [m2m.clientId]: other }),
    });
    emulator().clearRequests();
    const { error } = await captureConsole(() => provider.create(m2mInputs()));
    expect(stytchCalls(emulator())).toEqual(["GET client"]);
    expect(printedError(error)).toContain(
      `names a rotation ending ${other} on this client, not this one, so it was not used`,
    );
  });

  test("an authorization for another client never cancels this one", async () => {
    const { m2m } = emulator().seeded!;
    const orphan = await pendingOutOfBand(m2m.clientId);
    const provider = await providerFor(emulator(), {
      [KEY]: JSON.stringify({ "m2m-client-test-someone-else": orphan }),
    });
    emulator().clearRequests();
    await expect(provider.create(m2mInputs())).rejects.toThrow(
      "already has a pending secret rotation",
    );
    expect(stytchCalls(emulator())).toEqual(["GET client"]);
  });

  test("a spent authorization left in the config only earns a reminder to remove it", async () => {
    const { m2m } = emulator().seeded!;
    const provider = await providerFor(emulator(), {
      [KEY]: JSON.stringify({ [m2m.clientId]: "a1b2" }),
    });
    emulator().clearRequests();
    const { result, output } = await captureConsole(() =>
      provider.create(m2mInputs()),
    );
    expect(result?.outs?.status).toBe("pending");
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST rotate/start",
    ]);
    expect(output).toContain("none is pending there");
  });

  test("a malformed authorization fails before any call, naming the key", async () => {
    const provider = await providerFor(emulator(), { [KEY]: "a1b2" });
    emulator().clearRequests();
    await expect(provider.create(m2mInputs())).rejects.toThrow(KEY);
    expect(emulator().requests).toHaveLength(0);
  });
});
