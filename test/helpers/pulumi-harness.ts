/**
 * Drives a real Pulumi engine (the `pulumi` CLI through the Automation API, offline: see
 * `demo/offline-pulumi.ts`) against the emulator, one fresh stack per test.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import {
  createOfflineStack,
  persistedFiles,
  stateFilePath,
} from "../../demo/offline-pulumi";
import {
  startEmulator,
  type AlreadyRotatingMode,
  type EmulatorOptions,
  type RunningEmulator,
  type SeededClient,
} from "../../emulator";
import { TEST_CLOCK_ENV } from "../../provider/core/clock";
import { describeExit } from "../../scripts/go-tool";
import {
  describeEachStytchBehaviour,
  stytchCalls,
  useEmulator,
} from "./harness";

/** Environment variable naming the JSON file written by the e2e global setup. */
export const E2E_CONTEXT_ENV = "STYTCH_ROTATION_E2E_CONTEXT";

/** What the e2e global setup prepared. */
export interface E2EContext {
  workRoot: string;
  /** The package under test, packed (`npm pack`). */
  tarball: string;
  /** Directory holding pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs. */
  cliDir: string;
  /**
   * Programs with the packed package installed: the fixture on the newest and on the floor
   * `@pulumi/pulumi`, `examples/gitops-rollover`, the TypeScript consumer (`test/e2e/consumer`), and the
   * two projects of `examples/autopilot`.
   */
  programs: {
    newest: string;
    floor: string;
    example: string;
    consumer: string;
    autopilotRotation: string;
    autopilotConsumer: string;
    /** `test/e2e/native`: the native plugin's resource registered by its type token. */
    native: string;
    /** `test/e2e/native-typescript`: the native plugin's resource through the generated TypeScript SDK. */
    nativeTypescript: string;
  };
  /** `test/e2e/native-go` built: the native plugin's resource through the generated Go SDK. */
  goDriver: string;
  pulumiVersions: { newest: string; floor: string };
  /** The native plugin, packed by `npm run plugin:pack` (`scripts/plugin-pack.ts`). */
  plugin: {
    name: string;
    version: string;
    tarball: string;
    executable: string;
  };
}

/**
 * One `new ClientSecretRotation(name, args)` in the fixture program. Any other key is passed as an
 * argument too (bad inputs), and a value `{ $unknown: v }` is fed through another resource so that it is
 * unknown during preview (see the fixture).
 */
export interface RotationSpec {
  name: string;
  clientId?: unknown;
  clientKind?: unknown;
  promoted?: unknown;
  triggers?: unknown;
  /** A resource option: the name of a component to put the rotation in (a move into a component). */
  $parent?: string;
  /** A resource option: `aliases` (old names as `{ name }`, or old URNs). */
  $aliases?: Array<{ name?: string; type?: string } | string>;
  [argument: string]: unknown;
}

/** How a `pulumi` command run by {@link E2EStack.cli} ended. */
export interface CliRun {
  /** Exit code; null when the process was killed. */
  code: number | null;
  /** Everything it printed, stdout then stderr. */
  output: string;
}

export function e2eContext(): E2EContext {
  const file = process.env[E2E_CONTEXT_ENV];
  if (!file)
    throw new Error(
      `${E2E_CONTEXT_ENV} is not set: run the e2e tests through jest's e2e project`,
    );
  return JSON.parse(fs.readFileSync(file, "utf8")) as E2EContext;
}

/** What the fixture program exports per rotation, besides its secret. */
export interface RotationInfo {
  clientId: string;
  lastFour: string;
  status: string;
  id: string;
  /** Autopilot outputs: present only for a rotation with autopilot inputs. */
  fingerprint?: string;
  startedAt?: string;
  promotedAt?: string;
  promoteDueAt?: string;
  rotateDueAt?: string;
  promotionBlockedBy?: string;
  overdueSince?: string;
  waitsForWindowUntil?: string;
}

/** The fixture exports each rotation's secret as `<name>Secret`. */
const SECRET_OUTPUT_SUFFIX = "Secret";

/** A passphrase used only by throw-away test stacks. */
const PASSPHRASE = "e2e-only-passphrase";

/** A stack of the fixture program, with its own backend, PULUMI_HOME and emulator. */
export class E2EStack {
  /** Everything the engine printed, for secret scans. */
  readonly engineOutput: string[] = [];

  private constructor(
    readonly stack: Stack,
    readonly dir: string,
    private readonly programDir: string,
    private readonly rotationsFile?: string,
  ) {}

  /**
   * Creates a fresh stack. Credentials reach the provider through stack config (`stytch:*`, the secret
   * encrypted), with `credentials: "env"` through STYTCH_* environment variables, or with `"none"` not at
   * all.
   */
  static async create(
    emulator: RunningEmulator,
    options: {
      /** One of the installed programs, or the directory of another. */
      program?: keyof E2EContext["programs"] | { dir: string };
      /**
       * Where the provider finds the emulator's credentials: `stytch:*` stack config (the secret
       * encrypted), STYTCH_* environment variables, nowhere, or the environment variables given (e.g.
       * swapped).
       */
      credentials?: "config" | "env" | "none" | { env: Record<string, string> };
      /** Put the stack on this stack's backend, so that each can read the other with a StackReference. */
      besides?: E2EStack;
      /**
       * Where {@link E2EStack.setRotations} puts the program's rotations: the `rotations` stack config
       * (default), or a file the program reads, as a program's source holds its literals. The engine stores
       * stack config in the state and its history, so a value that must not reach them goes in the file.
       */
      rotationsIn?: "config" | "file";
      /** Install the native plugin (`npm run plugin:pack`) into the stack's PULUMI_HOME. */
      withPlugin?: boolean;
    } = {},
  ): Promise<E2EStack> {
    const context = e2eContext();
    const program = options.program ?? "newest";
    const programDir =
      typeof program === "string" ? context.programs[program] : program.dir;
    const dir =
      options.besides?.dir ??
      fs.mkdtempSync(path.join(context.workRoot, "stack-"));
    const credentials = options.credentials ?? "config";
    const rotationsFile =
      options.rotationsIn === "file"
        ? path.join(
            fs.mkdtempSync(path.join(dir, "program-input-")),
            "rotations.json",
          )
        : undefined;
    const stack = await createOfflineStack({
      cliDir: context.cliDir,
      programDir,
      stateDir: dir,
      passphrase: PASSPHRASE,
      env: {
        ...(credentials === "env"
          ? {
              STYTCH_PROJECT_ID: emulator.projectId,
              STYTCH_SECRET: emulator.projectSecret,
              STYTCH_BASE_URL: emulator.url,
            }
          : typeof credentials === "object"
            ? credentials.env
            : {}),
        ...(rotationsFile ? { E2E_ROTATIONS_FILE: rotationsFile } : {}),
      },
    });
    if (credentials === "config") {
      await stack.setAllConfig({
        "stytch:projectId": { value: emulator.projectId },
        "stytch:secret": { value: emulator.projectSecret, secret: true },
        "stytch:baseUrl": { value: emulator.url },
      });
    }
    const created = new E2EStack(stack, dir, programDir, rotationsFile);
    if (options.withPlugin) created.installPlugin(context.plugin);
    return created;
  }

  /**
   * This stack, run from another program of the same project: its state, PULUMI_HOME and config (copied,
   * encryption salt included) go along, as when a commit changes the program a pipeline runs.
   */
  async inProgram(
    program: keyof E2EContext["programs"],
    options: { withPlugin?: boolean } = {},
  ): Promise<E2EStack> {
    const programDir = e2eContext().programs[program];
    const configFile = `Pulumi.${this.stack.name}.yaml`;
    fs.copyFileSync(
      path.join(this.programDir, configFile),
      path.join(programDir, configFile),
    );
    const { pulumiCommand, envVars } = this.stack.workspace as LocalWorkspace;
    const stack = await LocalWorkspace.selectStack(
      { stackName: this.stack.name, workDir: programDir },
      { pulumiCommand, envVars, secretsProvider: "passphrase" },
    );
    const moved = new E2EStack(stack, this.dir, programDir);
    if (options.withPlugin) moved.installPlugin(e2eContext().plugin);
    return moved;
  }

  /** The name another stack's `StackReference` finds this one by, on their shared file backend. */
  get referenceName(): string {
    const manifest = fs.readFileSync(
      path.join(this.programDir, "Pulumi.yaml"),
      "utf8",
    );
    const project = /^name:\s*(\S+)/m.exec(manifest)?.[1];
    if (project === undefined) throw new Error("Pulumi.yaml names no project");
    return `organization/${project}/${this.stack.name}`;
  }

  /** Sets the program's rotations, as a commit to the program would. */
  async setRotations(rotations: RotationSpec[]): Promise<void> {
    if (this.rotationsFile) {
      fs.writeFileSync(this.rotationsFile, JSON.stringify(rotations));
      return;
    }
    await this.stack.setConfig("rotations", {
      value: JSON.stringify(rotations),
    });
  }

  /**
   * Sets the provider's clock for the following `pulumi` commands (`STYTCH_ROTATION_TEST_CLOCK`, honoured
   * against the emulator only), or gives it back the real one.
   */
  setClock(iso: string | undefined): void {
    const env = this.stack.workspace.envVars;
    if (iso === undefined) delete env[TEST_CLOCK_ENV];
    else env[TEST_CLOCK_ENV] = iso;
  }

  /** Commits `rotations`, runs `pulumi up`, and returns each rotation's new secret by name. */
  async upWith(rotations: RotationSpec[]): Promise<Record<string, string>> {
    await this.setRotations(rotations);
    await this.up();
    return (await this.outputs()).secrets;
  }

  async up() {
    const result = await this.stack.up({ onOutput: this.record });
    this.engineOutput.push(result.stderr);
    return result;
  }

  async preview() {
    const result = await this.stack.preview({
      onOutput: this.record,
      diff: true,
    });
    this.engineOutput.push(result.stderr);
    return result;
  }

  async refresh() {
    const result = await this.stack.refresh({ onOutput: this.record });
    this.engineOutput.push(result.stderr);
    return result;
  }

  async destroy() {
    const result = await this.stack.destroy({ onOutput: this.record });
    this.engineOutput.push(result.stderr);
    return result;
  }

  /**
   * Runs one `pulumi` command for this stack as a pipeline step would (`--stack`, `--non-interactive`),
   * without blocking this process, whose emulator must keep answering the provider meanwhile.
   */
  cli(args: string[]): Promise<CliRun> {
    return this.startCli(args).done;
  }

  /**
   * Starts one `pulumi` command and returns its process at once, e.g. to kill the whole tree mid-run; the
   * process gets a process group of its own, as a pipeline runner's step does.
   */
  startCli(args: string[]): { pid: number; done: Promise<CliRun> } {
    // After a "--" every word is an argument, so the step's own flags go before it.
    const endOfFlags = args.includes("--") ? args.indexOf("--") : args.length;
    return this.startProgram(path.join(e2eContext().cliDir, "pulumi"), [
      ...args.slice(0, endOfFlags),
      "--stack",
      this.stack.name,
      "--non-interactive",
      ...args.slice(endOfFlags),
    ]);
  }

  /**
   * Starts a program that runs `pulumi` for this stack itself (an Automation API program), as
   * {@link E2EStack.startCli} starts the CLI: in the program's directory, with the stack's environment
   * plus `env`, in a process group of its own, `input` on its standard input, and what it prints recorded
   * with the engine's output.
   */
  startProgram(
    file: string,
    args: string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ): { pid: number; done: Promise<CliRun> } {
    const child = spawn(file, args, {
      cwd: this.programDir,
      env: { ...process.env, ...this.stack.workspace.envVars, ...options.env },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Without input, an empty standard input, as "ignore" would give. A program killed before it read
    // its input makes the write fail (EPIPE): what it did is in its exit and output, not in that error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<CliRun>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => {
        const output = `${stdout}\n${stderr}`;
        this.engineOutput.push(output);
        resolve({ code, output });
      });
    });
    return { pid: child.pid!, done };
  }

  /**
   * Installs a resource plugin into this stack's PULUMI_HOME from its tarball, as
   * `pulumi plugin install resource <name> <version> --file <tarball>` does for a user.
   */
  installPlugin(plugin: E2EContext["plugin"]): void {
    const result = spawnSync(
      path.join(e2eContext().cliDir, "pulumi"),
      [
        "plugin",
        "install",
        "resource",
        plugin.name,
        plugin.version,
        "--file",
        plugin.tarball,
        "--non-interactive",
      ],
      {
        cwd: this.programDir,
        env: { ...process.env, ...this.stack.workspace.envVars },
        encoding: "utf8",
      },
    );
    this.engineOutput.push(result.stdout, result.stderr);
    if (result.status !== 0) {
      throw new Error(
        `pulumi plugin install resource ${plugin.name} failed (${describeExit(result)}): ${result.stderr}`,
      );
    }
  }

  /** Runs `op`, expecting it to fail; returns the engine's complete output of the failed run. */
  async failing(op: "up" | "preview"): Promise<string> {
    const error = await this[op]().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!error) throw new Error(`expected pulumi ${op} to fail`);
    // The Automation API rejects with its CommandError, whose text holds the engine's output.
    const text = String(error as Error);
    this.engineOutput.push(text);
    return text;
  }

  /**
   * The new secret and info of each rotation, from the stack outputs (secrets decrypted), and whether
   * every secret output is a Pulumi secret (masked by `pulumi stack output`).
   */
  async outputs(): Promise<{
    secrets: Record<string, string>;
    secretOutputsAreSecret: boolean;
    info: Record<string, RotationInfo>;
  }> {
    const outputs = await this.stack.outputs();
    const secretOutputs = Object.entries(outputs).filter(([key]) =>
      key.endsWith(SECRET_OUTPUT_SUFFIX),
    );
    return {
      secrets: Object.fromEntries(
        secretOutputs.map(([key, output]) => [
          key.slice(0, -SECRET_OUTPUT_SUFFIX.length),
          String(output.value),
        ]),
      ),
      secretOutputsAreSecret:
        secretOutputs.length > 0 &&
        secretOutputs.every(([, output]) => output.secret === true),
      info: (outputs["info"]?.value ?? {}) as Record<string, RotationInfo>,
    };
  }

  /**
   * The stack's resources of our type, read from the raw state file, so secret outputs are exactly as
   * stored: encrypted. (`stack.exportStack()` runs `pulumi stack export --show-secrets`.)
   */
  rotationResources(): Array<{
    urn: string;
    id: string;
    outputs: Record<string, unknown>;
    inputs: Record<string, unknown>;
  }> {
    const state = JSON.parse(this.stateFileText()) as {
      checkpoint?: { latest?: { resources?: Array<Record<string, unknown>> } };
    };
    const resources = state.checkpoint?.latest?.resources ?? [];
    return resources
      .filter((r) => String(r["type"]).endsWith("ClientSecretRotation"))
      .map((r) => ({
        urn: String(r["urn"]),
        id: String(r["id"]),
        outputs: (r["outputs"] ?? {}) as Record<string, unknown>,
        inputs: (r["inputs"] ?? {}) as Record<string, unknown>,
      }));
  }

  /**
   * Every byte the engine persisted for this stack: the backend (state, history, backups), PULUMI_HOME
   * (logs included) and the stack's config file in the program directory; not the program's own input
   * file (see `rotationsIn`), which stands for its source.
   */
  persistedText(): string {
    const files = persistedFiles(this.dir).filter(
      (f) => f !== this.rotationsFile,
    );
    const config = path.join(this.programDir, `Pulumi.${this.stack.name}.yaml`);
    if (fs.existsSync(config)) files.push(config);
    return files.map((f) => fs.readFileSync(f).toString("latin1")).join("\n");
  }

  /** The stack's current state file, raw. */
  stateFileText(): string {
    return fs.readFileSync(stateFilePath(this.dir, this.stack.name), "utf8");
  }

  async dispose(): Promise<void> {
    await this.stack.workspace
      .removeStack(this.stack.name, { force: true })
      .catch(() => undefined);
  }

  private readonly record = (text: string) => {
    this.engineOutput.push(text);
  };
}

/** What {@link withE2E} gives a test: its own emulator, and stacks on it. */
export interface E2EFixture {
  emulator: RunningEmulator;
  newStack: (
    options?: Parameters<typeof E2EStack.create>[1],
  ) => Promise<E2EStack>;
}

/**
 * Runs `test` with an emulator and stacks of its own, and removes them afterwards. Unlike {@link useE2E}
 * it needs no jest hooks, so it serves `test.concurrent`, whose tests overlap their waits on the clock.
 */
export async function withE2E<T>(
  test: (fixture: E2EFixture) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator();
  const stacks: E2EStack[] = [];
  try {
    return await test({
      emulator,
      newStack: async (options) => {
        const stack = await E2EStack.create(emulator, options);
        stacks.push(stack);
        return stack;
      },
    });
  } finally {
    for (const stack of stacks) await stack.dispose();
    await emulator.close();
  }
}

/**
 * Per-test fixtures of an end-to-end test file: a fresh emulator, and stacks on it that are removed after
 * each test. Real engine runs take tens of seconds, so the file's timeout is raised too.
 */
export function useE2E(
  emulatorOptions?: EmulatorOptions | (() => EmulatorOptions),
): {
  emulator: () => RunningEmulator;
  newStack: (
    options?: Parameters<typeof E2EStack.create>[1],
  ) => Promise<E2EStack>;
  pendingRotation: (
    options?: Parameters<typeof E2EStack.create>[1],
  ) => Promise<PendingRotation>;
} {
  jest.setTimeout(10 * 60_000);
  const emulator = useEmulator(emulatorOptions);
  const stacks: E2EStack[] = [];
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.dispose();
  });
  const newStack = async (options?: Parameters<typeof E2EStack.create>[1]) => {
    const stack = await E2EStack.create(emulator(), options);
    stacks.push(stack);
    return stack;
  };
  return {
    emulator,
    newStack,
    pendingRotation: async (options) => {
      const emu = emulator();
      const m2m = emu.seeded!.m2m;
      const stack = await newStack(options);
      const secrets = await stack.upWith([
        { name: "billing", clientId: m2m.clientId },
      ]);
      return { emu, m2m, stack, secret: secrets["billing"]! };
    },
  };
}

/** A stack holding one pending rotation, `billing`, of the emulator's seeded M2M client. */
export interface PendingRotation {
  emu: RunningEmulator;
  m2m: SeededClient;
  stack: E2EStack;
  /** The rotation's new secret. */
  secret: string;
}

/**
 * {@link useE2E}, plus `forEachStytchBehaviour(body)`, which registers the tests of `body` once per
 * behaviour of a Stytch that gets a rotate/start while a rotation is pending (refuse or replace), with each
 * test's emulator in that mode.
 */
export function useE2EInEachStytchBehaviour(): ReturnType<typeof useE2E> & {
  forEachStytchBehaviour: (body: (mode: AlreadyRotatingMode) => void) => void;
} {
  let current: AlreadyRotatingMode = "reject";
  return {
    ...useE2E(() => ({ alreadyRotating: current })),
    forEachStytchBehaviour: (body) =>
      describeEachStytchBehaviour((mode) => (current = mode), body),
  };
}

/**
 * The two stacks of `examples/autopilot` on one backend, as its README sets them up: the consumer stack,
 * configured with `client`'s current secret and deployed (not yet wired to the rotation stack), and the
 * rotation stack beside it, not configured yet.
 */
export async function autopilotExampleStacks(
  newStack: E2EFixture["newStack"],
  client: SeededClient,
): Promise<{ consumer: E2EStack; rotation: E2EStack }> {
  const consumer = await newStack({ program: "autopilotConsumer" });
  const rotation = await newStack({
    program: "autopilotRotation",
    besides: consumer,
  });
  await consumer.stack.setAllConfig({
    billingWorkerClientId: { value: client.clientId },
    billingWorkerSecret: { value: client.clientSecret!, secret: true },
  });
  await consumer.up();
  return { consumer, rotation };
}

/**
 * The next `up` of `stack` promotes its rotation through every gate, and makes exactly the calls that
 * takes at Stytch: the read that it is still ours, the proof that the new secret authenticates, the
 * complete call.
 */
export async function expectNextUpPromotes(
  emu: RunningEmulator,
  stack: E2EStack,
): Promise<void> {
  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual([
    "GET client",
    "POST oauth2/token",
    "POST rotate",
  ]);
}
