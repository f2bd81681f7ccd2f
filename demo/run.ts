/**
 * `npm start`: the whole rollover, end to end, on this machine, with no account and no network.
 * Starts the Stytch emulator, then drives the root Pulumi program through the real engine: start,
 * hand-off, promote, verify, destroy, narrating each phase, with the consumer side of
 * examples/gitops-rollover/consumer.ts: a worker that gets access tokens with the secret it holds, and a
 * service that verifies them with the official Stytch SDK. Exits non-zero if anything is not as claimed.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import {
  BillingApi,
  requestAccessToken,
} from "../examples/gitops-rollover/consumer";
import {
  createOfflineStack,
  removeOfflineStack,
  ensurePulumiCli,
  persistedFiles,
  pulumiCli,
} from "./offline-pulumi";

const repoRoot = path.resolve(__dirname, "../..");

function say(text = ""): void {
  process.stdout.write(text + "\n");
}

/** Shows only what a Stytch dashboard would: the last four. */
function masked(secret: string): string {
  return `****${secret.slice(-4)}`;
}

function check(condition: boolean, claim: string): void {
  if (!condition) throw new Error(`demo check failed: ${claim}`);
  say(`   ✓ ${claim}`);
}

/**
 * The consumer side (examples/gitops-rollover/consumer.ts): the billing worker asks for an access token
 * with `secret`; if one is issued, the billing API verifies it with the official Stytch SDK. Returns the
 * token, or undefined when Stytch refused the secret.
 */
async function workerCallsApi(
  emulator: RunningEmulator,
  api: BillingApi,
  clientId: string,
  secret: string,
): Promise<string | undefined> {
  const token = await requestAccessToken(
    { projectId: emulator.projectId, baseUrl: emulator.url },
    clientId,
    secret,
  );
  if (!token.issued) return undefined;
  const verified = await api.authenticate(token.accessToken);
  return verified.clientId === clientId ? token.accessToken : undefined;
}

/** The billing API, pointed at the emulator; the SDK's one-line warning about a non-hosted URL is expected. */
function billingApiFor(emulator: RunningEmulator): BillingApi {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return new BillingApi({
      projectId: emulator.projectId,
      secret: emulator.projectSecret,
      baseUrl: emulator.url,
    });
  } finally {
    console.warn = warn;
  }
}

/** The provider's Stytch calls since `from`, e.g. "POST …/secrets/rotate/start". */
function callsSince(emulator: RunningEmulator, from: number): string {
  const calls = emulator.requests
    .slice(from)
    .filter((r) => r.route?.includes("/clients/:client_id"))
    .map(
      (r) =>
        `${r.method} …${r.route!.split(":client_id")[1] || "/clients/{id}"}`,
    );
  return calls.length ? calls.join(", ") : "none";
}

async function main(): Promise<void> {
  const began = Date.now();
  say(
    "Stytch client secret rotation with Pulumi: a two-phase rollover, end to end, offline.",
  );
  const cliDir = ensurePulumiCli();
  const emulator = await startEmulator();
  const workDir = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-demo-"),
  );
  const { m2m } = emulator.seeded!;
  const oldSecret = m2m.clientSecret!;
  const stack = await createOfflineStack({
    cliDir,
    programDir: repoRoot,
    stateDir: workDir,
    passphrase: crypto.randomBytes(16).toString("hex"),
    env: {
      STYTCH_PROJECT_ID: emulator.projectId,
      STYTCH_SECRET: emulator.projectSecret,
      STYTCH_BASE_URL: emulator.url,
    },
  });
  // The engine's own output is kept for the secret scan in step 4 instead of being shown.
  const engineOutput: string[] = [];
  const quietly = { onOutput: (text: string) => void engineOutput.push(text) };
  try {
    say(
      `   emulator ${emulator.url}, project ${emulator.projectId}, M2M client ${m2m.clientId} (secret ${masked(oldSecret)})`,
    );
    say(
      `   Pulumi CLI from ${cliDir}; state in ${workDir} (passphrase-encrypted)`,
    );
    await stack.setAllConfig({
      clientId: { value: m2m.clientId },
      promoted: { value: "false" },
    });
    const api = billingApiFor(emulator);
    const call = (secret: string) =>
      workerCallsApi(emulator, api, m2m.clientId, secret);

    say(
      "\n0. Today — the billing worker holds the current secret and calls the billing API",
    );
    const tokenBeforePromotion = await call(oldSecret);
    check(
      tokenBeforePromotion !== undefined,
      `with secret ${masked(oldSecret)} it gets an access token, and the billing API verifies it (official Stytch SDK)`,
    );

    say("\n1. Start — `pulumi up` with promoted: false");
    let mark = emulator.requests.length;
    await stack.up(quietly);
    let outputs = await stack.outputs();
    const newSecret = String(outputs["newClientSecret"]?.value);
    say(`   Stytch calls: ${callsSince(emulator, mark)}`);
    check(
      outputs["newClientSecret"]?.secret === true,
      `new secret ${masked(newSecret)} is a Pulumi secret output`,
    );
    check(
      (await call(oldSecret)) !== undefined,
      `the worker still gets verified tokens with the old secret ${masked(oldSecret)}`,
    );
    check(
      (await call(newSecret)) !== undefined,
      `the new secret ${masked(newSecret)} gets verified tokens too: no outage`,
    );

    say(
      "\n2. Hand-off — a pipeline step reads the secret output for the consumers (a vault, a Kubernetes secret)",
    );
    check(
      pulumiCli(stack, cliDir, ["stack", "output", "newClientSecret"]) ===
        "[secret]",
      "`pulumi stack output newClientSecret` prints [secret]",
    );
    const handedOff = pulumiCli(stack, cliDir, [
      "stack",
      "output",
      "newClientSecret",
      "--show-secrets",
    ]);
    check(
      handedOff === newSecret,
      "`pulumi stack output newClientSecret --show-secrets` hands over the new secret",
    );
    check(
      (await call(handedOff)) !== undefined,
      "the worker, now configured with the handed-off secret, gets tokens the billing API verifies",
    );

    say("\n3. Promote — the next commit sets promoted: true, `pulumi up`");
    await stack.setConfig("promoted", { value: "true" });
    mark = emulator.requests.length;
    await stack.up(quietly);
    outputs = await stack.outputs();
    say(`   Stytch calls: ${callsSince(emulator, mark)}`);
    check(outputs["status"]?.value === "promoted", "status is promoted");
    check(
      (await call(newSecret)) !== undefined,
      `the worker, on the new secret ${masked(newSecret)}, keeps getting verified tokens`,
    );
    check(
      (await call(oldSecret)) === undefined,
      `the old secret ${masked(oldSecret)} gets no token any more: it is revoked`,
    );
    check(
      (await api.authenticate(tokenBeforePromotion!)).clientId === m2m.clientId,
      "a token issued with the old secret before promotion still verifies until it expires (an hour), as at Stytch",
    );

    say(
      "\n4. Verify — nothing secret in plaintext in the state or in what the engine printed",
    );
    const persisted = persistedFiles(workDir)
      .map((file) => fs.readFileSync(file, "latin1"))
      .join("\n");
    const printed = engineOutput.join("");
    check(
      !persisted.includes(newSecret) && !printed.includes(newSecret),
      "the new client secret is not in the state or the engine output in plaintext",
    );
    check(
      !persisted.includes(emulator.projectSecret) &&
        !printed.includes(emulator.projectSecret),
      "the Stytch project secret is not in the state or the engine output at all",
    );

    say("\n4b. A no-change `pulumi up` (what every other commit runs)");
    mark = emulator.requests.length;
    await stack.up(quietly);
    say(`   Stytch calls: ${callsSince(emulator, mark)}`);

    say(
      "\n5. Destroy — `pulumi destroy` (a promoted rotation needs nothing at Stytch)",
    );
    mark = emulator.requests.length;
    await stack.destroy(quietly);
    say(`   Stytch calls: ${callsSince(emulator, mark)}`);
    check(
      (await call(newSecret)) !== undefined,
      "the promoted secret keeps working",
    );

    say(
      `\nDone in ${((Date.now() - began) / 1000).toFixed(1)} s. Next: README.md → Usage, to do this in your own pipeline.`,
    );
  } finally {
    await removeOfflineStack(stack, workDir);
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
