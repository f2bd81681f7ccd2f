/**
 * `npm run bench:profile`: where the time of each step goes. One run per variant (by default the native
 * resource and the floor) at one size, as `npm run bench` runs it, with every process profiled: the
 * engine's CPU profile (`pulumi --profiling`, read with `go tool pprof`) and each Node.js process's
 * (`--cpu-prof`: the program, a dynamic provider, the native plugin). It prints, per step, the wall time
 * and the CPU seconds of each process, and what the engine and each process spent them on. Figures
 * only; never part of `npm test`.
 *
 * Options: `--size 100`, `--variants native,floor`, `--out bench/report/profile`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ensurePulumiCli } from "../demo/offline-pulumi";
import { packPlugin } from "../scripts/plugin-pack";
import { findGo } from "../scripts/go-tool";
import {
  measureRun,
  STEPS,
  VARIANTS,
  type StepCpu,
  type Variant,
} from "./measure";
import { installBenchPrograms } from "./programs";

/** CPU seconds by what they were spent on, largest first. */
type Spent = Array<[string, number]>;

/** One process's profile, summarised. */
interface ProcessProfile {
  role: string;
  cpuSeconds: number;
  spentOn: Spent;
}

function options() {
  const { values } = parseArgs({
    options: {
      size: { type: "string", default: "100" },
      variants: { type: "string", default: "native,floor" },
      out: { type: "string", default: "bench/report/profile" },
    },
  });
  const variants = values.variants.split(",") as Variant[];
  for (const variant of variants) {
    if (!VARIANTS.includes(variant)) {
      throw new Error(
        `--variants: ${variant} is not one of ${VARIANTS.join(", ")}`,
      );
    }
  }
  return {
    size: Number(values.size),
    variants,
    out: path.resolve(values.out),
  };
}

// --- Node.js profiles (`--cpu-prof`) --------------------------------------------------------------

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string };
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** What a Node.js function's time counts as, from where its code lives. */
function nodeCategory(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collection";
    return functionName === "(program)" ? "V8 and native code" : functionName;
  }
  if (url.startsWith("node:")) return "Node.js core";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1]!;
  return "this project's code";
}

/** The program, a dynamic provider, or a short `node -e` the language host runs, from the code it ran. */
function nodeRole(urls: string[]): string {
  if (urls.some((url) => url.includes("@pulumi/pulumi/cmd/run/")))
    return "program (Node.js)";
  if (urls.some((url) => url.includes("@pulumi/pulumi/cmd/dynamic-provider")))
    return "dynamic provider";
  if (urls.includes("[eval]")) return "language host's `node -e` checks";
  return "other Node.js process";
}

function summariseNodeProfile(file: string): ProcessProfile {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const spent = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id);
    if (!frame || frame.functionName === "(idle)") return;
    const seconds = (profile.timeDeltas[index] ?? 0) / 1e6;
    busy += seconds;
    const category = nodeCategory(frame.url, frame.functionName);
    spent.set(category, (spent.get(category) ?? 0) + seconds);
  });
  return {
    role: nodeRole(profile.nodes.map((node) => node.callFrame.url)),
    cpuSeconds: busy,
    spentOn: largestFirst(spent),
  };
}

// --- The engine's profile (`pulumi --profiling`, Go's pprof) ---------------------------------------

/** `github.com/pulumi/pulumi/pkg/v3/backend/diy.(*x).y` → `pkg/v3/backend/diy`; `runtime.mallocgc` → `runtime`. */
function goPackage(symbol: string): string {
  const withoutReceiver = symbol.replace(/\.\(.*$/, "");
  const lastSlash = withoutReceiver.lastIndexOf("/");
  const dot = withoutReceiver.indexOf(".", lastSlash + 1);
  const pkg = dot < 0 ? withoutReceiver : withoutReceiver.slice(0, dot);
  return pkg.replace(/^github\.com\/pulumi\/pulumi\//, "");
}

function summariseEngineProfile(
  go: string,
  cli: string,
  file: string,
): ProcessProfile {
  const text = execFileSync(
    go,
    ["tool", "pprof", "-top", "-nodecount=100000", "-unit=s", cli, file],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  const spent = new Map<string, number>();
  let total = 0;
  for (const line of text.split("\n")) {
    // "     0.12s  3.10%  3.10%      0.50s 12.9%  encoding/json.(*decodeState).object"
    const match =
      /^\s*([\d.]+)s\s+[\d.]+%\s+[\d.]+%\s+[\d.]+s\s+[\d.]+%\s+(.+)$/.exec(
        line,
      );
    if (!match) continue;
    const seconds = Number(match[1]);
    total += seconds;
    const pkg = goPackage(match[2]!.trim());
    spent.set(pkg, (spent.get(pkg) ?? 0) + seconds);
  }
  return {
    role: "engine (pulumi)",
    cpuSeconds: total,
    spentOn: largestFirst(spent),
  };
}

function largestFirst(spent: Map<string, number>): Spent {
  return [...spent.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Every process profiled during one step, then what the profiles do not cover: the rest of the
 * `pulumi` tree (the providers, which the engine kills before they could write a profile, and the Go
 * language host) and the emulator.
 */
function summariseStep(stepDir: string, go: string | undefined, cli: string) {
  const processes: ProcessProfile[] = [];
  for (const name of fs.readdirSync(stepDir)) {
    if (/^engine\.\d+\.cpu$/.test(name) && go) {
      processes.push(summariseEngineProfile(go, cli, path.join(stepDir, name)));
    }
  }
  const nodeDir = path.join(stepDir, "node");
  for (const name of fs.existsSync(nodeDir) ? fs.readdirSync(nodeDir) : []) {
    if (name.endsWith(".cpuprofile")) {
      processes.push(summariseNodeProfile(path.join(nodeDir, name)));
    }
  }
  const cpu = JSON.parse(
    fs.readFileSync(path.join(stepDir, "cpu.json"), "utf8"),
  ) as StepCpu;
  const profiled = processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  processes.push({
    role: "providers and language host (the rest of the pulumi tree)",
    cpuSeconds: Math.max(0, cpu.pulumiTree - profiled),
    spentOn: [],
  });
  processes.push({
    role: "Stytch emulator (the bench process)",
    cpuSeconds: cpu.emulator,
    spentOn: [],
  });
  return processes.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

function describeSpent(spent: Spent, cpuSeconds: number): string {
  return spent
    .slice(0, 5)
    .map(
      ([what, seconds]) =>
        `${what} ${seconds.toFixed(2)} s (${Math.round((100 * seconds) / Math.max(cpuSeconds, 1e-9))}%)`,
    )
    .join("; ");
}

async function main(): Promise<void> {
  const opts = options();
  const cliDir = ensurePulumiCli();
  const cli = path.join(cliDir, "pulumi");
  const go = findGo();
  const workRoot = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-profile-"),
  );
  fs.rmSync(opts.out, { recursive: true, force: true });
  const lines = [
    `# Where the time goes: N = ${opts.size}`,
    "",
    `Measured ${new Date().toISOString()} on ${os.cpus().length} CPUs (load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(
        " ",
      )} at the start) with \`npm run bench:profile -- --size ${opts.size} --variants ${opts.variants.join(",")}\`. ` +
      "One run per variant, as `npm run bench` runs it, every process profiled (profiling slows each a little). " +
      "CPU seconds are each process's busy time; the engine's are Go's pprof samples" +
      (go ? "." : " (not read: no `go` here)."),
    "",
    "The pulumi tree's CPU seconds are those of the `pulumi` command and every process under it, read from",
    "this process's waited-for children (`/proc/self/stat`); what the profiles do not cover is shown as the rest.",
    "",
    "| variant | step | wall s | process | CPU s | spent on (largest five) |",
    "| ------- | ---- | -----: | ------- | ----: | ----------------------- |",
  ];
  try {
    const { programs } = installBenchPrograms(workRoot);
    const plugin = await packPlugin();
    for (const variant of opts.variants) {
      const profileDir = path.join(opts.out, variant);
      const run = await measureRun({
        cliDir,
        programDir: programs[variant],
        variant,
        size: opts.size,
        round: 1,
        pluginTarball: plugin.tarball,
        profileDir,
      });
      for (const step of STEPS) {
        const processes = summariseStep(
          path.join(profileDir, step.replace(/ /g, "-")),
          go,
          cli,
        );
        processes.forEach((process, index) => {
          lines.push(
            `| ${index === 0 ? variant : ""} | ${index === 0 ? step : ""} | ${index === 0 ? run.seconds[step].toFixed(2) : ""} | ${process.role} | ${process.cpuSeconds.toFixed(2)} | ${describeSpent(process.spentOn, process.cpuSeconds)} |`,
          );
        });
      }
    }
  } finally {
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
  const report = lines.join("\n") + "\n";
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, "profile.md"), report);
  process.stdout.write(
    `\n${report}\nProfile: ${path.join(opts.out, "profile.md")}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[bench:profile] ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exitCode = 1;
});
