/**
 * A Pulumi engine that runs fully offline, shared by the demo (`npm start`) and the end-to-end tests:
 * the CLI from `npm run pulumi:ensure`, a file backend and PULUMI_HOME in a directory of the caller's,
 * a passphrase secrets provider, no plugin downloads and no update check.
 */
import { execFile, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type Stack,
} from "@pulumi/pulumi/automation";
import { describeExit } from "../scripts/go-tool";

const repoRoot = path.resolve(__dirname, "../..");

/**
 * Runs `scripts/pulumi-ensure.js` (its progress goes to our stderr) and returns the directory holding
 * `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`.
 *
 * @throws when no CLI can be had; the script has printed the ways to get one.
 */
export function ensurePulumiCli(): string {
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, "scripts/pulumi-ensure.js")],
    {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const dir = (result.stdout ?? "").trim().split("\n").pop()?.trim();
  if (result.status !== 0 || !dir || !fs.existsSync(path.join(dir, "pulumi"))) {
    throw new Error(
      `No Pulumi CLI: scripts/pulumi-ensure.js ended with ${describeExit(result)}; see its message above.`,
    );
  }
  return dir;
}

/** Options of {@link createOfflineStack}. */
export interface OfflineStackOptions {
  /** Directory from {@link ensurePulumiCli}. */
  cliDir: string;
  /** The Pulumi program (holds Pulumi.yaml). */
  programDir: string;
  /** Where the backend and PULUMI_HOME go; created if missing. */
  stateDir: string;
  /** Passphrase of the stack's secrets provider. */
  passphrase: string;
  /** Stack name; random when absent. */
  stackName?: string;
  /** More environment for the engine and the provider process (e.g. STYTCH_*). */
  env?: Record<string, string>;
}

/** Creates a new stack of `programDir` on an offline file backend. */
export async function createOfflineStack(
  options: OfflineStackOptions,
): Promise<Stack> {
  const backend = path.join(options.stateDir, "backend");
  const home = path.join(options.stateDir, "home");
  fs.mkdirSync(backend, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  // PulumiCommand.get() runs `pulumi` from this process's PATH; the engine's children get envVars.
  const prefix =
    [options.cliDir, path.dirname(process.execPath)].join(path.delimiter) +
    path.delimiter;
  const current = process.env["PATH"] ?? "";
  const searchPath = current.startsWith(prefix) ? current : prefix + current;
  process.env["PATH"] = searchPath;
  const pulumiCommand = await PulumiCommand.get({ skipVersionCheck: true });
  return LocalWorkspace.createStack(
    {
      stackName:
        options.stackName ?? `s${crypto.randomBytes(4).toString("hex")}`,
      workDir: options.programDir,
    },
    {
      pulumiCommand,
      secretsProvider: "passphrase",
      envVars: {
        PATH: searchPath,
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_CONFIG_PASSPHRASE: options.passphrase,
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The CLI is pinned by this repo (scripts/pulumi-ensure.js), not by the SDK's version.
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        ...options.env,
      },
    },
  );
}

/**
 * Removes a stack made by {@link createOfflineStack} (a failure to do so is ignored: it goes with its
 * directory) and its `stateDir`.
 */
export async function removeOfflineStack(
  stack: Stack,
  stateDir: string,
): Promise<void> {
  await stack.workspace
    .removeStack(stack.name, { force: true })
    .catch(() => undefined);
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/**
 * Runs one `pulumi` command against an offline stack, as a pipeline step would, and returns its trimmed
 * standard output.
 *
 * @throws when the command fails, with its standard error.
 */
export function pulumiCli(
  stack: Stack,
  cliDir: string,
  args: string[],
): string {
  const command = pipelineCommand(stack, cliDir, args);
  const result = spawnSync(command.file, command.args, {
    ...command.options,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`pulumi ${args.join(" ")} failed: ${result.stderr}`);
  }
  return result.stdout.trim();
}

/**
 * {@link pulumiCli} without blocking this process, for callers that serve the engine from it while the
 * command runs (the bench's emulator).
 *
 * @throws when the command fails, with its standard error and the end of its standard output.
 */
export async function pulumiCliAsync(
  stack: Stack,
  cliDir: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const command = pipelineCommand(stack, cliDir, args, extraEnv);
  return new Promise((resolve, reject) => {
    execFile(
      command.file,
      command.args,
      { ...command.options, encoding: "utf8", maxBuffer: 256 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          // The engine prints a failed update's diagnostics on stdout, so both go into the message.
          reject(
            new Error(
              `pulumi ${args.join(" ")} failed: ${stderr}\n${stdout.split("\n").slice(-40).join("\n")}`,
            ),
          );
        } else {
          resolve(stdout.trim());
        }
      },
    );
  });
}

function pipelineCommand(
  stack: Stack,
  cliDir: string,
  args: string[],
  extraEnv: Record<string, string> = {},
) {
  return {
    file: path.join(cliDir, "pulumi"),
    args: [...args, "--stack", stack.name, "--non-interactive"],
    options: {
      cwd: stack.workspace.workDir,
      env: { ...process.env, ...stack.workspace.envVars, ...extraEnv },
    },
  };
}

/**
 * Every file the engine wrote under a {@link createOfflineStack} `stateDir` (backend and PULUMI_HOME),
 * except the CLI's plugin binaries, which are not stack data.
 */
export function persistedFiles(stateDir: string): string[] {
  return fs
    .readdirSync(stateDir, { recursive: true, withFileTypes: true })
    .filter(
      (entry) =>
        entry.isFile() && !entry.parentPath.includes(`${path.sep}plugins`),
    )
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The current state file of `stackName` on the file backend under `stateDir`. */
export function stateFilePath(stateDir: string, stackName: string): string {
  const file = persistedFiles(path.join(stateDir, "backend")).find(
    (f) =>
      path.basename(f) === `${stackName}.json` &&
      f.includes(`${path.sep}stacks${path.sep}`),
  );
  if (!file)
    throw new Error(`no state file for stack ${stackName} under ${stateDir}`);
  return file;
}
