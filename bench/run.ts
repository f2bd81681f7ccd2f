/**
 * `npm run bench`: the performance report. `ClientSecretRotation` as the dynamic resource (the packed
 * package) and as the native provider's resource (the plugin `pulumi-resource-stytch`, installed from
 * `npm run plugin:pack`), both against the emulator on loopback, and a floor (`bench/floor-package`: the
 * same program with no-op dynamic resources of the same shape, packed and installed the same way) go
 * through create, no-change `up`, promote, refresh and destroy at each N on the same offline engine. Runs
 * are interleaved (each size in turn, the variants back to back, their order reversed every round) so that
 * machine noise hits them alike.
 * Writes `report.md`, `seconds-per-step.svg` and `runs.json` into the output directory, prints the report,
 * and asserts nothing.
 *
 * Options: `--sizes 10,100,500`, `--rounds 5` (at most), `--budget-minutes 9` (a pair of runs whose
 * duration, as measured in an earlier round, would end past it is left out, so the large sizes get fewer
 * rounds on a slow machine; the report says so), `--out bench/report`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ensurePulumiCli } from "../demo/offline-pulumi";
import { packPlugin } from "../scripts/plugin-pack";
import {
  measureRun,
  STEPS,
  VARIANTS,
  type RunFigures,
  type Variant,
} from "./measure";
import { PLOT_FILE, secondsPerStepPlot } from "./plot";
import { installBenchPrograms } from "./programs";
import {
  callsTable,
  engineTable,
  runsOf,
  sizesOf,
  stateTable,
  timingTable,
} from "./report";

const repoRoot = path.resolve(__dirname, "../..");
interface Options {
  sizes: number[];
  rounds: number;
  budgetMinutes: number;
  out: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10,100,500" },
      rounds: { type: "string", default: "5" },
      "budget-minutes": { type: "string", default: "9" },
      out: { type: "string", default: "bench/report" },
    },
  });
  return {
    sizes: values.sizes.split(",").map(Number),
    rounds: Number(values.rounds),
    budgetMinutes: Number(values["budget-minutes"]),
    out: path.resolve(values.out),
  };
}

async function main(): Promise<void> {
  const began = Date.now();
  const opts = options();
  const loadAtStart = os.loadavg();
  const cliDir = ensurePulumiCli();
  const workRoot = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-bench-"),
  );
  const runs: RunFigures[] = [];
  const leftOut: number[] = [];
  try {
    const { programs, pulumiVersion } = installBenchPrograms(workRoot);
    const plugin = await packPlugin();
    const deadline = began + opts.budgetMinutes * 60_000;
    const pairSeconds = new Map<number, number>();
    for (let round = 1; round <= opts.rounds; round++) {
      for (const size of opts.sizes) {
        const expected = pairSeconds.get(size);
        if (expected !== undefined && Date.now() + expected * 1000 > deadline) {
          leftOut.push(size);
          continue;
        }
        // Each round runs the variants in turn, in the opposite order of the round before.
        const order: Variant[] =
          round % 2 === 1 ? [...VARIANTS] : [...VARIANTS].reverse();
        const pairBegan = Date.now();
        for (const variant of order) {
          const run = await measureRun({
            cliDir,
            programDir: programs[variant],
            variant,
            size,
            round,
            pluginTarball: plugin.tarball,
          });
          runs.push(run);
          process.stderr.write(
            `[bench] round ${round} N=${size} ${variant}: ${STEPS.map((step) => `${step} ${run.seconds[step].toFixed(1)} s`).join(", ")}\n`,
          );
        }
        const seconds = (Date.now() - pairBegan) / 1000;
        pairSeconds.set(size, Math.max(expected ?? 0, seconds));
      }
    }

    const report = renderReport(runs, {
      ...opts,
      leftOut,
      loadAtStart,
      pulumiVersion,
      cliVersion: execFileSync(path.join(cliDir, "pulumi"), ["version"], {
        encoding: "utf8",
      }).trim(),
      wallSeconds: (Date.now() - began) / 1000,
    });
    fs.mkdirSync(opts.out, { recursive: true });
    fs.writeFileSync(path.join(opts.out, "report.md"), report);
    fs.writeFileSync(path.join(opts.out, PLOT_FILE), secondsPerStepPlot(runs));
    fs.writeFileSync(
      path.join(opts.out, "runs.json"),
      JSON.stringify(runs, null, 2) + "\n",
    );
    process.stdout.write(`\n${report}\n`);
    process.stdout.write(
      `Report: ${path.join(opts.out, "report.md")}\nPlot: ${path.join(opts.out, PLOT_FILE)}\n` +
        `Raw figures: ${path.join(opts.out, "runs.json")}\n`,
    );
  } finally {
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

function renderReport(
  runs: RunFigures[],
  context: Options & {
    leftOut: number[];
    loadAtStart: number[];
    pulumiVersion: string;
    cliVersion: string;
    wallSeconds: number;
  },
): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  const providerDirty =
    git("status", "--porcelain", "--", "provider") === ""
      ? ""
      : " (with uncommitted changes in provider/)";
  const sizes = sizesOf(runs);
  const largest = sizes[sizes.length - 1]!;
  const rounds =
    sizes
      .map((size) => `N=${size}: ${runsOf(runs, "ours", size).length}`)
      .join(", ") +
    ` of at most ${context.rounds}` +
    (context.leftOut.length > 0
      ? `; the others were left out because, timed in an earlier round, they would have ended past the ${context.budgetMinutes}-minute budget`
      : "");
  const load = (values: number[]) =>
    values.map((value) => value.toFixed(2)).join(" ");
  return [
    "# ClientSecretRotation: performance report",
    "",
    `Measured ${new Date().toISOString()} on ${os.cpus().length} CPUs (load average ${load(context.loadAtStart)} at the start, ` +
      `${load(os.loadavg())} at the end), Node.js ${process.version}, Pulumi CLI ${context.cliVersion}, ` +
      `@pulumi/pulumi ${context.pulumiVersion}, file backend with a passphrase, the Stytch emulator on loopback.`,
    "",
    `Code: ${git("rev-parse", "--short", "HEAD")} (${git("log", "-1", "--format=%s")}); ` +
      `provider/ last changed in ${git("log", "-1", "--format=%h", "--", "provider")}${providerDirty}.`,
    "",
    "Ours is the packed package's dynamic resource; native is the same resource from the native plugin " +
      "`pulumi-resource-stytch` (`npm run plugin:pack`, installed with `pulumi plugin install` before the clock " +
      "starts), registered by its type token from the same program; the floor (`bench/floor-package`) is a " +
      "dynamic resource of the same shape (same inputs, outputs and secret output) whose provider, one object " +
      "shared by all resources, answers at once and makes no call. All are installed the same way into a copy " +
      "of `test/e2e/fixture`, and each run is a fresh stack with N resources. A step's time is the wall time of the `pulumi` command a pipeline " +
      "runs: `up --yes --skip-preview` (create; no-change up; promote, after setting `promoted: true` on all), " +
      "`refresh --yes --skip-preview`, `destroy --yes --skip-preview`. Destroy removes promoted rotations, " +
      "which need no Stytch call; destroying pending ones (two calls each) is not measured here.",
    "",
    `Rounds: ${rounds}. Each round takes every size in turn, the variants back to back (ours, native, floor ` +
      `in odd rounds, the reverse in even rounds). Total wall time: ${formatDuration(context.wallSeconds)} ` +
      "(installs of the programs included, builds not).",
    "",
    "## Seconds per step",
    "",
    timingTable(runs),
    `![seconds per step against N](${PLOT_FILE})`,
    "",
    "## State per resource, after create",
    "",
    "Medians over the rounds. The state file divided by N includes the stack's own entry and outputs. " +
      "Bytes as written by the file backend (indented JSON, `<`, `>`, `&` escaped).",
    "",
    stateTable(runs),
    "## Stytch calls per resource (ours: dynamic, then native)",
    "",
    callsTable(runs),
    `## What the engine did (the CLI's \`Resources:\` lines, N=${largest}, last round)`,
    "",
    engineTable(runs, largest),
  ].join("\n");
}

function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
