/**
 * One measured run: a fresh stack of one program with N rotations, taken through the five steps a
 * rotation's life sees, each timed as the `pulumi` command a pipeline runs (not the Automation API, which
 * adds a `stack output` and a `stack history` to every call). The Stytch emulator runs in this process on
 * loopback and logs the calls of each step.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import {
  createOfflineStack,
  pulumiCliAsync,
  removeOfflineStack,
  stateFilePath,
} from "../demo/offline-pulumi";
import { stateFigures, type StateFigures } from "./state-figures";

/**
 * Ours as the dynamic resource (`ClientSecretRotation`), ours as the native provider's resource (the
 * plugin `pulumi-resource-stytch`), or the no-op floor (`bench/floor-package`).
 */
export type Variant = "ours" | "native" | "floor";

/** Every variant, in the order the report shows them; the floor last. */
export const VARIANTS: readonly Variant[] = ["ours", "native", "floor"];

/** The type of the measured resources of each variant in the state. */
const RESOURCE_TYPES: Record<Variant, string> = {
  ours: "pulumi-nodejs:dynamic/stytch:ClientSecretRotation",
  native: "stytch:index:ClientSecretRotation",
  floor: "pulumi-nodejs:dynamic/bench:NoopRotation",
};

/** The steps of a run, in order. */
export const STEPS = [
  "create",
  "no-change up",
  "promote",
  "refresh",
  "destroy",
] as const;
export type Step = (typeof STEPS)[number];

/** The figures of one run. */
export interface RunFigures {
  variant: Variant;
  size: number;
  round: number;
  /** Wall time of each step's `pulumi` command, from spawn to exit. */
  seconds: Record<Step, number>;
  /** Stytch requests of each step, by `METHOD route`. */
  calls: Record<Step, Record<string, number>>;
  /** The `Resources:` summary the CLI printed for each step, on one line. */
  engineSummary: Record<Step, string>;
  /** The state right after `create` (all rotations pending). */
  state: StateFigures;
}

/** The commands of each step; `promote` runs after setting `promoted: true` on every rotation. */
const COMMANDS: Record<Step, string[]> = {
  create: ["up", "--yes", "--skip-preview"],
  "no-change up": ["up", "--yes", "--skip-preview"],
  promote: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/**
 * Takes `programDir` (the fixture program with ours or the floor installed) through {@link STEPS} with
 * `size` rotations, one per M2M client seeded in a fresh emulator, and removes the stack afterwards.
 *
 * @throws when a step fails; the message carries the CLI's standard error.
 */
export async function measureRun(options: {
  cliDir: string;
  programDir: string;
  variant: Variant;
  size: number;
  round: number;
  /** The native plugin's tarball (`npm run plugin:pack`), installed for the `native` variant. */
  pluginTarball: string;
  /**
   * When set, each step also writes CPU profiles under `<profileDir>/<step>/`: the engine's
   * (`pulumi --profiling`) into `engine.*`, every Node.js process's (`--cpu-prof`) into `node/`.
   */
  profileDir?: string;
}): Promise<RunFigures> {
  const { cliDir, size } = options;
  // The floor gets the same emulator and environment: it makes no call, and the log shows it.
  const emulator = await startEmulator({ seed: false });
  const stateDir = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-bench-"),
  );
  const stack = await createOfflineStack({
    cliDir,
    programDir: options.programDir,
    stateDir,
    passphrase: crypto.randomBytes(16).toString("hex"),
    env: {
      STYTCH_PROJECT_ID: emulator.projectId,
      STYTCH_SECRET: emulator.projectSecret,
      STYTCH_BASE_URL: emulator.url,
    },
  });
  try {
    if (options.variant === "native") {
      // Before the clock starts, as a pipeline's image would have it: `pulumi plugin install`.
      await stack.setConfig("nativePlugin", { value: "true" });
      installPlugin(stack, cliDir, options.pluginTarball);
    }
    const specs = Array.from({ length: size }, (_, i) => ({
      name: `worker-${i}`,
      clientId: emulator.createM2MClient().clientId,
    }));
    const setRotations = (promoted: boolean) =>
      stack.setConfig("rotations", {
        value: JSON.stringify(specs.map((spec) => ({ ...spec, promoted }))),
      });
    await setRotations(false);

    const figures = {
      variant: options.variant,
      size,
      round: options.round,
      seconds: {},
      calls: {},
      engineSummary: {},
    } as Omit<RunFigures, "state">;
    let state: StateFigures | undefined;
    for (const step of STEPS) {
      if (step === "promote") await setRotations(true);
      emulator.clearRequests();
      const began = process.hrtime.bigint();
      const profiling = profilingOf(options.profileDir, step);
      const cpuBefore = cpuSeconds();
      const stdout = await pulumiCliAsync(
        stack,
        cliDir,
        [...COMMANDS[step], ...profiling.args],
        profiling.env,
      );
      figures.seconds[step] = Number(process.hrtime.bigint() - began) / 1e9;
      profiling.record(cpuSeconds(), cpuBefore);
      figures.calls[step] = countCalls(emulator.requests);
      figures.engineSummary[step] = resourcesSummary(stdout);
      if (step === "create") {
        state = stateFigures(
          stateFilePath(stateDir, stack.name),
          RESOURCE_TYPES[options.variant],
        );
      }
    }
    return { ...figures, state: state! };
  } finally {
    await removeOfflineStack(stack, stateDir);
    await emulator.close();
  }
}

/** CPU seconds used so far by this process, and by the children it has waited for (whole trees). */
export interface CpuSeconds {
  self: number;
  children: number;
}

function cpuSeconds(): CpuSeconds {
  const usage = process.cpuUsage();
  // /proc/self/stat fields 16 and 17: cutime and cstime, in clock ticks (100 per second on Linux). A
  // child that waited for its own children counts theirs too, so this covers the engine's whole tree.
  const fields = fs
    .readFileSync("/proc/self/stat", "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return {
    self: (usage.user + usage.system) / 1e6,
    children: (Number(fields[13]) + Number(fields[14])) / 100,
  };
}

/** The CPU seconds of one step, written next to its profiles by {@link measureRun}. */
export interface StepCpu {
  /** The `pulumi` command and every process under it that was waited for. */
  pulumiTree: number;
  /** This process, which serves the emulator. */
  emulator: number;
}

/**
 * The flags and environment that make one step's processes write CPU profiles, and what records the
 * step's CPU seconds beside them; all empty without a profile directory.
 */
function profilingOf(
  profileDir: string | undefined,
  step: Step,
): {
  args: string[];
  env: Record<string, string>;
  record: (after: CpuSeconds, before: CpuSeconds) => void;
} {
  if (profileDir === undefined) return { args: [], env: {}, record: () => {} };
  const dir = path.join(profileDir, step.replace(/ /g, "-"));
  const nodeDir = path.join(dir, "node");
  fs.mkdirSync(nodeDir, { recursive: true });
  return {
    args: ["--profiling", path.join(dir, "engine")],
    // Every Node.js process the engine starts inherits it. Only those that exit write a profile: the
    // program does; the engine kills the providers it started (a dynamic provider, the native plugin).
    env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${nodeDir}` },
    record: (after, before) => {
      const cpu: StepCpu = {
        pulumiTree: after.children - before.children,
        emulator: after.self - before.self,
      };
      fs.writeFileSync(path.join(dir, "cpu.json"), JSON.stringify(cpu));
    },
  };
}

/** `pulumi plugin install resource stytch <version> --file <tarball>` into the stack's PULUMI_HOME. */
function installPlugin(
  stack: Awaited<ReturnType<typeof createOfflineStack>>,
  cliDir: string,
  tarball: string,
): void {
  const version = /-v([^-]+)-linux-amd64\.tar\.gz$/.exec(tarball)?.[1];
  if (version === undefined)
    throw new Error(`not a plugin tarball: ${tarball}`);
  const args = ["plugin", "install", "resource", "stytch", version];
  const result = spawnSync(
    path.join(cliDir, "pulumi"),
    [...args, "--file", tarball, "--non-interactive"],
    { env: { ...process.env, ...stack.workspace.envVars }, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`pulumi ${args.join(" ")} failed: ${result.stderr}`);
  }
}

function countCalls(
  requests: ReadonlyArray<{ method: string; route: string | null }>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { method, route } of requests) {
    const key = `${method} ${route ?? "(no route)"}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** `Resources:\n    + 10 created\n    1 unchanged\n` → `"+ 10 created, 1 unchanged"`. */
function resourcesSummary(stdout: string): string {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.trim() === "Resources:");
  if (start < 0) return "(no summary)";
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.trim() === "");
  return (end < 0 ? rest : rest.slice(0, end))
    .map((line) => line.trim())
    .join(", ");
}
