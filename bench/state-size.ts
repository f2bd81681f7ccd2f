/**
 * `npm run bench`: what a rotation costs in the Pulumi state and in time, through the real engine and the
 * packed package (the form users install). For 1 and 10 rotations in one stack it prints the state file
 * size, the serialized provider (`__provider`) stored per resource, and the wall time of start, promote
 * and destroy. Prints figures only; it asserts nothing.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import {
  createOfflineStack,
  ensurePulumiCli,
  stateFilePath,
} from "../demo/offline-pulumi";
import {
  installProgram,
  packThisPackage,
  supportedPulumiVersions,
} from "../test/helpers/packed-program";

const SIZES = [1, 10];

interface Figures {
  rotations: number;
  stateBytes: number;
  providerBytesPerResource: number;
  startSeconds: number;
  promoteSeconds: number;
  destroySeconds: number;
}

async function measure(
  cliDir: string,
  programDir: string,
  rotations: number,
): Promise<Figures> {
  const emulator = await startEmulator({ seed: false });
  const stateDir = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-bench-"),
  );
  const stack = await createOfflineStack({
    cliDir,
    programDir,
    stateDir,
    passphrase: crypto.randomBytes(16).toString("hex"),
    env: {
      STYTCH_PROJECT_ID: emulator.projectId,
      STYTCH_SECRET: emulator.projectSecret,
      STYTCH_BASE_URL: emulator.url,
    },
  });
  const quiet = { onOutput: () => undefined };
  const timed = async (run: () => Promise<unknown>) => {
    const began = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - began) / 1e9;
  };
  try {
    const specs = Array.from({ length: rotations }, (_, i) => ({
      name: `worker-${i}`,
      clientId: emulator.createM2MClient().clientId,
    }));
    const setRotations = (promoted: boolean) =>
      stack.setConfig("rotations", {
        value: JSON.stringify(specs.map((spec) => ({ ...spec, promoted }))),
      });

    await setRotations(false);
    const startSeconds = await timed(() => stack.up(quiet));
    const stateFile = stateFilePath(stateDir, stack.name);
    const stateBytes = fs.statSync(stateFile).size;
    const resources: Array<{ type: string; inputs?: { __provider?: string } }> =
      JSON.parse(fs.readFileSync(stateFile, "utf8")).checkpoint.latest
        .resources;
    const providers = resources
      .filter((r) => r.type.endsWith("ClientSecretRotation"))
      .map((r) => Buffer.byteLength(r.inputs?.__provider ?? ""));

    await setRotations(true);
    const promoteSeconds = await timed(() => stack.up(quiet));
    const destroySeconds = await timed(() => stack.destroy(quiet));
    return {
      rotations,
      stateBytes,
      providerBytesPerResource: Math.max(...providers),
      startSeconds,
      promoteSeconds,
      destroySeconds,
    };
  } finally {
    await stack.workspace
      .removeStack(stack.name, { force: true })
      .catch(() => undefined);
    await emulator.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cliDir = ensurePulumiCli();
  const workRoot = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-bench-"),
  );
  try {
    const version = supportedPulumiVersions().newest;
    const program = installProgram(
      workRoot,
      "program",
      "fixture",
      packThisPackage(workRoot),
      version,
    );
    const rows: Figures[] = [];
    for (const size of SIZES) rows.push(await measure(cliDir, program, size));

    console.log(
      `\nClientSecretRotation through the real engine (@pulumi/pulumi ${version}, packed package)`,
    );
    console.log(
      "rotations  state bytes  __provider bytes/resource  start s  promote s  destroy s",
    );
    for (const row of rows) {
      console.log(
        [
          String(row.rotations).padStart(9),
          String(row.stateBytes).padStart(12),
          String(row.providerBytesPerResource).padStart(26),
          row.startSeconds.toFixed(1).padStart(8),
          row.promoteSeconds.toFixed(1).padStart(10),
          row.destroySeconds.toFixed(1).padStart(10),
        ].join(" "),
      );
    }
    const [first, last] = [rows[0]!, rows[rows.length - 1]!];
    const perRotation =
      (last.stateBytes - first.stateBytes) / (last.rotations - first.rotations);
    console.log(
      `state bytes per additional rotation: ${Math.round(perRotation)}`,
    );
  } finally {
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
