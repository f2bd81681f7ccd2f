/**
 * The native plugin's resource, `stytch:index:ClientSecretRotation`, declared by a program in each
 * language these tests cover, behind one interface ({@link NativeStack}), so that one body of
 * end-to-end tests runs them all (`test/e2e/native-languages.test.ts`):
 *
 * | language     | the program                                                   | a commit             | an operation                                    |
 * |--------------|---------------------------------------------------------------|----------------------|-------------------------------------------------|
 * | `yaml`       | a `Pulumi.yaml` written from the rotations, one per stack     | rewrites that file   | the CLI and its YAML language host, which takes |
 * |              | (YAML has no loops: a user writes one resource per rotation)  |                      | the types from the plugin's `GetSchema`         |
 * | `go`         | `test/e2e/native-go`: the generated Go SDK in an Automation   | goes with each run's | that program (built by {@link buildGoDriver}),  |
 * |              | API inline program, one project directory per stack           | request              | which runs the CLI and serves itself to it      |
 * | `typescript` | `test/e2e/native-typescript`: the generated TypeScript SDK,   | the `rotations`      | the CLI and its Node.js language host           |
 * |              | compiled and installed as `pulumi-stytch` (global setup)      | stack config         |                                                 |
 *
 * Each stack has its own backend, PULUMI_HOME with the plugin installed from its tarball, and `stytch:*`
 * stack config as the only credentials ({@link E2EStack}). Every program exports the same outputs: each
 * rotation's new secret as `<name>Secret` and `info` with its public outputs, as the other e2e programs
 * do, so {@link E2EStack.outputs} reads them all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { persistedFiles } from "../../demo/offline-pulumi";
import type { RunningEmulator } from "../../emulator";
import { CREDENTIAL_SOURCES } from "../../provider/core/credentials";
import { ROTATION_TYPE } from "../../provider/native/client-secret-rotation";
import { findGo, runWithProgress } from "../../scripts/go-tool";
import type { PulumiRunner } from "./interruption";
import {
  e2eContext,
  type CliRun,
  type E2EFixture,
  type E2EStack,
} from "./pulumi-harness";
import { repoRoot } from "./repo-files";

/** The languages whose programs the native plugin is tested with. */
export const NATIVE_LANGUAGES = ["yaml", "go", "typescript"] as const;
export type NativeLanguage = (typeof NATIVE_LANGUAGES)[number];

/** One rotation of a program: the inputs these tests set (the Go program refuses any other). */
export type NativeRotation = {
  name: string;
  clientId: string;
  promoted?: boolean;
  promoteAfter?: string;
  verifyBeforePromote?: boolean;
};

/** What the engine runs a program for. */
export type Operation = "up" | "preview" | "refresh" | "destroy";

/** `pulumi <operation>` as a pipeline step runs it. */
const OPERATION_ARGS: Record<Operation, string[]> = {
  up: ["up", "--yes", "--skip-preview"],
  preview: ["preview", "--diff"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

function isOperation(command: string | undefined): command is Operation {
  return command !== undefined && command in OPERATION_ARGS;
}

/** The key and value Pulumi puts on an encrypted value in the state (`sdk/go/common/resource/sig`). */
export const SECRET_SIG = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
};

/**
 * Asserts that no STYTCH_* variable is set: the plugin would take credentials from the environment too,
 * and these tests prove that the stack config alone reaches it.
 */
export function expectNoCredentialsInEnvironment(): void {
  const inherited = Object.values(CREDENTIAL_SOURCES)
    .map(({ envVar }) => envVar)
    .filter((name) => process.env[name] !== undefined);
  expect(inherited).toEqual([]);
}

/** A client id that `check` refuses: a path, not a Stytch id. */
export const BAD_CLIENT_ID = "m2m-client-test-1/../../oops";

/**
 * Asserts what a preview of a rotation named `billing` with {@link BAD_CLIENT_ID} printed: the field and
 * what is wrong with it, as the resource's problem (the engine prints the value of a property's problem,
 * and a client id might be a secret pasted in the wrong place: README, "Handling errors"). The emulator
 * must have served nothing.
 */
export function expectBadClientIdRefused(
  output: string,
  emulator: RunningEmulator,
): void {
  expect(output).toContain(
    "stytch:index:ClientSecretRotation resource 'billing' has a problem: clientId ",
  );
  expect(output).toContain("cannot be a Stytch client id");
  expect(emulator.requests).toHaveLength(0);
}

/** The Go program's module, relative to the repository root. */
const GO_MODULE = "test/e2e/native-go";

/**
 * Builds the Go program (`test/e2e/native-go`) into `workRoot` and resolves with the executable's path.
 * A plain `go build` of the module with its committed go.sum (`-mod=readonly`): Go's build cache keeps the
 * compiled packages and the linked program, so only the first build on a machine takes long.
 *
 * @throws when there is no Go, or the build fails (its output is on stderr).
 */
export async function buildGoDriver(workRoot: string): Promise<string> {
  const go = findGo();
  if (!go) {
    throw new Error(
      `building ${GO_MODULE} needs Go (https://go.dev/doc/install); the Go module proxy provides the rest`,
    );
  }
  const executable = path.join(workRoot, "native-go-driver");
  const elapsed = await runWithProgress(
    "e2e",
    go,
    ["build", "-mod=readonly", "-trimpath", "-o", executable, "."],
    {
      cwd: path.join(repoRoot, GO_MODULE),
      // Flags and environment as scripts/go-tool.ts builds with, so the two share Go's build cache.
      env: { ...process.env, CGO_ENABLED: "0", GOWORK: "off" },
    },
    `go build in ${GO_MODULE}`,
  );
  process.stderr.write(
    `[e2e] built ${GO_MODULE} in ${(elapsed / 1000).toFixed(1)} s\n`,
  );
  return executable;
}

/**
 * A YAML program declaring `rotations`, with the outputs of the other languages' programs. Every value is
 * written as JSON, which is YAML too, so no client id or duration meets YAML's quoting rules.
 */
export function yamlProgram(rotations: readonly NativeRotation[]): string {
  const ref = (name: string, property: string) => `\${${name}.${property}}`;
  const resources = Object.fromEntries(
    rotations.map(({ name, ...properties }) => [
      name,
      { type: ROTATION_TYPE, properties },
    ]),
  );
  const outputs = {
    ...Object.fromEntries(
      rotations.map(({ name }) => [
        `${name}Secret`,
        ref(name, "newClientSecret"),
      ]),
    ),
    info: Object.fromEntries(
      rotations.map(({ name, promoteAfter }) => [
        name,
        {
          clientId: ref(name, "clientId"),
          lastFour: ref(name, "newClientSecretLastFour"),
          status: ref(name, "status"),
          id: ref(name, "id"),
          ...(promoteAfter === undefined
            ? {}
            : { promoteDueAt: ref(name, "promoteDueAt") }),
        },
      ]),
    ),
  };
  return [
    "# Written by test/helpers/native-languages.ts for one stack of test/e2e/native-languages.test.ts.",
    "name: rotation-native-yaml",
    "runtime: yaml",
    `resources: ${JSON.stringify(resources)}`,
    `outputs: ${JSON.stringify(outputs)}`,
    "",
  ].join("\n");
}

/** The plugin's executable, as `pulumi plugin install` puts it into PULUMI_HOME. */
const PLUGIN = "pulumi-resource-stytch";

/** The project of the Go program's stacks. */
const GO_PROJECT = [
  "# The project of an Automation API inline program (test/e2e/native-go): the program serves itself to",
  "# the engine, so no Go language host and no `main` are involved.",
  "name: rotation-native-go",
  "runtime: go",
  "",
].join("\n");

/** What differs between the languages. */
interface LanguageProgram {
  /** The program's directory: the stack's own, or (`shared`) the installed program every stack runs. */
  dir: string;
  shared: boolean;
  /**
   * The programs of the process tree of a `pulumi up` while the plugin serves a create, which a kill of
   * the whole tree must end (`killAfterLanding`): the CLI, the plugin, and the language host and program.
   */
  programs: readonly string[];
  /** Commits `rotations` to the program, as a change to its source would. */
  commit(stack: E2EStack, rotations: readonly NativeRotation[]): Promise<void>;
  /** Starts `pulumi <args>` for the stack, the way a program in this language runs it. */
  startCli(
    stack: E2EStack,
    args: string[],
    rotations: readonly NativeRotation[],
  ): { pid: number; done: Promise<CliRun> };
}

/** A fresh directory for one stack's program, holding `Pulumi.yaml`. */
function programDir(language: NativeLanguage, manifest: string): string {
  const dir = fs.mkdtempSync(
    path.join(e2eContext().workRoot, `${language}-program-`),
  );
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), manifest);
  return dir;
}

const LANGUAGE_PROGRAMS: Record<NativeLanguage, () => LanguageProgram> = {
  yaml: () => {
    const dir = programDir("yaml", yamlProgram([]));
    return {
      dir,
      shared: false,
      // The YAML host runs the program itself.
      programs: ["pulumi", "pulumi-language-yaml", PLUGIN],
      commit: async (_stack, rotations) =>
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProgram(rotations)),
      startCli: (stack, args) => stack.startCli(args),
    };
  },
  go: () => {
    const dir = programDir("go", GO_PROJECT);
    // The Automation API's own files (the engine's event log, which a killed run leaves behind) go
    // here, with the stack's other files, so that the secret scans read them too.
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(tmp);
    return {
      dir,
      shared: false,
      // The program is its own language host: it starts the CLI, which starts the plugin.
      programs: ["native-go-driver", "pulumi", PLUGIN],
      // The rotations are the program's source, sent with each run.
      commit: async () => undefined,
      startCli: (stack, args, rotations) => {
        const [operation] = args;
        // `pulumi cancel`, `pulumi config set`: the CLI's, as for any program.
        if (!isOperation(operation)) return stack.startCli(args);
        return stack.startProgram(e2eContext().goDriver, [operation], {
          input: JSON.stringify({
            stack: stack.stack.name,
            workDir: dir,
            rotations,
          }),
          env: { TMPDIR: tmp },
        });
      },
    };
  },
  typescript: () => ({
    dir: e2eContext().programs.nativeTypescript,
    shared: true,
    programs: ["pulumi", "pulumi-language-nodejs", "node", PLUGIN],
    commit: (stack, rotations) => stack.setRotations([...rotations]),
    startCli: (stack, args) => stack.startCli(args),
  }),
};

/**
 * A stack of the native plugin's program in one language: what a test does with it, whatever the
 * language. Its `startCli` and `cli` run `pulumi` commands as that language's program does, so the
 * recovery helpers of `./interruption` drive it as they drive an {@link E2EStack}.
 */
export class NativeStack implements PulumiRunner {
  private rotations: readonly NativeRotation[] = [];

  private constructor(
    readonly language: NativeLanguage,
    /** The stack, for what the CLI does the same for every language: outputs, state, persisted files. */
    readonly stack: E2EStack,
    private readonly program: LanguageProgram,
  ) {}

  /** A fresh stack of the `language` program, with the plugin installed, from the test's fixture. */
  static async create(
    language: NativeLanguage,
    newStack: E2EFixture["newStack"],
  ): Promise<NativeStack> {
    const program = LANGUAGE_PROGRAMS[language]();
    const stack = await newStack({
      program: { dir: program.dir },
      withPlugin: true,
    });
    return new NativeStack(language, stack, program);
  }

  /** The programs of a `pulumi up`'s process tree during a create (see {@link LanguageProgram}). */
  get programs(): readonly string[] {
    return this.program.programs;
  }

  /** Commits the program's rotations, as a change to its source would. */
  async setRotations(rotations: readonly NativeRotation[]): Promise<void> {
    this.rotations = rotations;
    await this.program.commit(this.stack, rotations);
  }

  startCli(args: string[]): { pid: number; done: Promise<CliRun> } {
    return this.program.startCli(this.stack, args, this.rotations);
  }

  cli(args: string[]): Promise<CliRun> {
    return this.startCli(args).done;
  }

  /** Runs `pulumi <operation>`, which must succeed. */
  async run(operation: Operation): Promise<CliRun> {
    const run = await this.cli(OPERATION_ARGS[operation]);
    if (run.code !== 0) {
      throw new Error(
        `pulumi ${operation} of the ${this.language} program ended with ${run.code ?? "a signal"}:\n${run.output}`,
      );
    }
    return run;
  }

  /** Runs `pulumi <operation>`, which must fail; returns what it printed. */
  async failing(operation: Operation): Promise<string> {
    const run = await this.cli(OPERATION_ARGS[operation]);
    if (run.code === 0) {
      throw new Error(
        `expected pulumi ${operation} of the ${this.language} program to fail:\n${run.output}`,
      );
    }
    return run.output;
  }

  /**
   * Every byte persisted for the stack ({@link E2EStack.persistedText}), plus, for a program directory of
   * its own, every file there.
   */
  persistedText(): string {
    const program = this.program.shared
      ? []
      : persistedFiles(this.program.dir).map((file) =>
          fs.readFileSync(file).toString("latin1"),
        );
    return [this.stack.persistedText(), ...program].join("\n");
  }

  /** Everything the engine, the CLI and the Go program printed. */
  printed(): string {
    return this.stack.engineOutput.join("\n");
  }
}
