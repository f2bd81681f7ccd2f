/**
 * An interrupted `pulumi` run and its recovery, as the person on call sees them: the whole process tree
 * is killed (a runner killed, out of memory) after Stytch applied a rotate call whose answer the
 * emulator holds back, so the state never learns of it; recovery then follows only what the CLI and the
 * provider print. Shared by `test/e2e/interrupted.test.ts` (the dynamic resource) and
 * `test/e2e/native-languages.test.ts` (the native plugin from each language).
 */
import { ROUTE_TEMPLATES, type RunningEmulator } from "../../emulator";
import { authorizeCommand } from "../../provider/core/orphaned-rotation";
import { arrayContaining } from "./matchers";
import { killProcessTree, programsOfTree } from "./process-tree";
import type { CliRun, E2EStack } from "./pulumi-harness";
import { printedCommands, shellWords } from "./shell";

/** Longer than any test: the answer of the interrupted call never arrives. */
export const HELD_MS = 30 * 60_000;

/**
 * What the recovery drives: `pulumi <args>` started in a process group of its own (killable as a whole
 * tree), or run to its end. An {@link E2EStack} runs the CLI for both; a program that runs the engine
 * itself (an Automation API program) runs its operations (`up`, `destroy`, …) its own way and the rest
 * (`cancel`, `config set`) with the CLI.
 */
export type PulumiRunner = Pick<E2EStack, "startCli" | "cli">;

/**
 * Starts `pulumi <args>`, waits until `landed` holds at the emulator (the rotate call was applied while
 * its answer is held back), and kills the whole process tree. The tree must hold a process of each of
 * `programs` (file names, e.g. `pulumi-resource-stytch`) when they are given, and at least 4 processes
 * when not (the CLI, the language host, the dynamic provider's launcher and its `node`).
 */
export async function killAfterLanding(
  stack: PulumiRunner,
  args: string[],
  landed: () => boolean,
  programs?: readonly string[],
): Promise<void> {
  const run = stack.startCli(args);
  let finished = false;
  void run.done.then(() => (finished = true));
  while (!landed()) {
    if (finished) {
      throw new Error(
        `pulumi ${args.join(" ")} ended before the call landed:\n${(await run.done).output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (programs) {
    expect(programsOfTree(run.pid)).toEqual(arrayContaining(programs));
  }
  expect(killProcessTree(run.pid)).toBeGreaterThanOrEqual(
    programs?.length ?? 4,
  );
  expect((await run.done).code).toBeNull();
}

/** Commands the person on call re-runs after running what an error told them. */
const RETRIED = ["pulumi up", "pulumi destroy", "pulumi refresh"];

/**
 * Re-runs `pulumi <command>` until it succeeds; after each failure runs the first command its output
 * prints in backticks (other than re-running it), as a pipeline step would (`--yes` where the command
 * asks for confirmation). Returns every command run, in order, and the successful run.
 */
export async function recover(
  stack: PulumiRunner,
  command: [string, ...string[]],
): Promise<{ steps: string[]; last: CliRun }> {
  const steps: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    steps.push(`pulumi ${command[0]}`);
    const run = await stack.cli([...command, "--yes", "--skip-preview"]);
    if (run.code === 0) return { steps, last: run };
    const next = printedCommands(run.output, "pulumi").find(
      (printed) => !RETRIED.includes(printed),
    );
    if (!next) {
      throw new Error(
        `pulumi ${command.join(" ")} failed and printed no command to run:\n${run.output}`,
      );
    }
    steps.push(next);
    const words = shellWords(next).slice(1);
    const confirm = words[0] === "cancel" ? ["--yes"] : [];
    const fix = await stack.cli([...words, ...confirm]);
    if (fix.code !== 0) {
      throw new Error(`\`${next}\` failed:\n${fix.output}`);
    }
  }
  throw new Error(
    `no recovery after ${steps.length} steps: ${steps.join(" → ")}`,
  );
}

/**
 * Kills the stack's next `pulumi up` once its rotate/start has landed at Stytch (its answer held back);
 * returns the last four of that orphaned rotation's next secret. `programs` as for
 * {@link killAfterLanding}.
 */
export async function killStart(
  emu: RunningEmulator,
  stack: PulumiRunner,
  clientId: string,
  programs?: readonly string[],
): Promise<string> {
  emu.faults.inject({
    route: ROUTE_TEMPLATES.m2m.rotateStart,
    answerDelayMs: HELD_MS,
  });
  await killAfterLanding(
    stack,
    ["up", "--yes", "--skip-preview"],
    () => emu.getClient(clientId)?.next_client_secret_last_four != null,
    programs,
  );
  return emu.getClient(clientId)!.next_client_secret_last_four!;
}

/**
 * Recovers from {@link killStart} by following what is printed, and expects exactly the engine's unlock,
 * our one command naming the orphaned rotation, and the `up` that converges. Returns that last run.
 */
export async function expectOrphanRecovery(
  stack: PulumiRunner,
  clientId: string,
  orphan: string,
): Promise<CliRun> {
  const { steps, last } = await recover(stack, ["up"]);
  expect(steps).toEqual([
    "pulumi up",
    "pulumi cancel", // the engine's: the killed run left the file backend's lock
    "pulumi up",
    authorizeCommand(clientId, orphan), // ours; "--" before the path when the last four start with "-"
    "pulumi up",
  ]);
  return last;
}
