#!/usr/bin/env node
/**
 * `stytch-rotation`: the operator's command line of this package. One subcommand for now:
 *
 * `stytch-rotation status [--stack NAME]… [--all] [--json] [--fail-blocked-after DURATION]
 *   [--parallel N] [--timeout DURATION] [--quiet]`
 *
 * reads the rotations of one or more stacks (the selected stack of the project in the current directory
 * by default) through the `pulumi` CLI on `PATH`, and prints a table, or with `--json` a report that
 * `status-report.schema.json` describes. Its exit code says whether anything needs someone (see
 * {@link STATUS_EXIT_CODES}), so a cron job or a monitor can page on it. Progress goes to stderr while it
 * reads more than one stack.
 */
import { exportStack, listAllStacks, type PulumiCli } from "./pulumi-stacks";
import {
  REPORT_VERSION,
  STATUS_EXIT_CODES,
  exitCodeOf,
  formatTable,
  rotationRows,
  type RotationRow,
  type StackRead,
  type StatusReport,
} from "./status";
import { durationMs } from "../provider/core/autopilot";

const USAGE = `Usage: stytch-rotation status [options]

Reads the ClientSecretRotation resources (dynamic and native) of Pulumi stacks through the pulumi CLI,
secrets left encrypted, and prints what each rotation is doing and what comes next.

Options:
  --stack NAME                a stack to read (repeatable); default: the selected stack of the project here
  --all                       every stack on the backend (pulumi stack ls --all)
  --json                      print the report as JSON (its schema: status-report.schema.json in the package)
  --fail-blocked-after DUR    exit ${STATUS_EXIT_CODES.blocked} when a promotion has been blocked this long (e.g. 3d, 12h)
  --parallel N                stacks read at the same time (default 4)
  --timeout DUR               longest a pulumi command may run (default 120s)
  --quiet                     no progress on stderr
  --help                      this text

Exit codes: ${STATUS_EXIT_CODES.ok} nothing needs anyone; ${STATUS_EXIT_CODES.overdue} a rotation is overdue; ${STATUS_EXIT_CODES.blocked} a promotion blocked longer than
--fail-blocked-after; ${STATUS_EXIT_CODES.unreadable} a stack could not be read; ${STATUS_EXIT_CODES.usage} usage error. When several apply, the lowest wins.
`;

/** The options of `status`, as parsed. */
interface StatusOptions {
  stacks: string[];
  all: boolean;
  json: boolean;
  failBlockedAfter?: string;
  parallel: number;
  timeoutMs: number;
  quiet: boolean;
}

/** A command line that cannot be run, with the reason. */
class UsageError extends Error {
  override name = "UsageError" as const;
}

function parseStatusArgs(args: readonly string[]): StatusOptions {
  const options: StatusOptions = {
    stacks: [],
    all: false,
    json: false,
    parallel: 4,
    timeoutMs: 120_000,
    quiet: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined || next === "")
        throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--stack":
      case "-s":
        options.stacks.push(value());
        break;
      case "--all":
        options.all = true;
        break;
      case "--json":
        options.json = true;
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--fail-blocked-after": {
        const given = value();
        if (durationMs(given) === undefined) {
          throw new UsageError(
            `--fail-blocked-after must be a duration: a whole number followed by s, m, h or d, such as 3d or 12h`,
          );
        }
        options.failBlockedAfter = given;
        break;
      }
      case "--parallel": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 32) {
          throw new UsageError(
            "--parallel must be a whole number from 1 to 32",
          );
        }
        options.parallel = n;
        break;
      }
      case "--timeout": {
        const ms = durationMs(value());
        if (ms === undefined || ms === 0) {
          throw new UsageError(
            "--timeout must be a duration such as 60s or 5m",
          );
        }
        options.timeoutMs = ms;
        break;
      }
      default:
        throw new UsageError(
          `unknown option ${JSON.stringify(arg.slice(0, 40))}`,
        );
    }
  }
  if (options.all && options.stacks.length > 0) {
    throw new UsageError("--all and --stack cannot be combined");
  }
  return options;
}

/** What `main` writes to and reads from: the process, or a test's stand-ins. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress then rewrites one line instead of adding lines. */
  stderrIsTty: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => number;
}

/** Runs `stytch-rotation` with `argv` (without `node` and the script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(USAGE);
    return STATUS_EXIT_CODES.ok;
  }
  if (command !== "status") {
    io.stderr(
      `stytch-rotation: ${command === undefined ? "no command given" : `unknown command ${JSON.stringify(command.slice(0, 40))}`}\n\n${USAGE}`,
    );
    return STATUS_EXIT_CODES.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(USAGE);
    return STATUS_EXIT_CODES.ok;
  }
  let options: StatusOptions;
  try {
    options = parseStatusArgs(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`stytch-rotation status: ${error.message}\n\n${USAGE}`);
    return STATUS_EXIT_CODES.usage;
  }
  return status(options, io);
}

async function status(options: StatusOptions, io: CommandIo): Promise<number> {
  const cli: PulumiCli = {
    command: "pulumi",
    cwd: io.cwd,
    env: io.env,
    timeoutMs: options.timeoutMs,
  };
  const started = io.now();
  const progress = progressLine(io, options.quiet);
  const stacks: StackRead[] = [];
  const rows: RotationRow[][] = [];

  let names: Array<string | undefined> =
    options.stacks.length > 0 ? options.stacks : [undefined];
  if (options.all) {
    progress("listing stacks (pulumi stack ls --all)…");
    try {
      names = await listAllStacks(cli);
    } catch (error) {
      stacks.push(unread("(all stacks)", error, 0));
      names = [];
    }
  }
  const failBlockedAfterMs = durationMs(options.failBlockedAfter);
  let done = 0;
  await forEachLimited(names, options.parallel, async (name, index) => {
    const shownName = name ?? "(selected stack)";
    const t0 = io.now();
    try {
      const exported = await exportStack(cli, name);
      const stack = name ?? selectedStackName(exported) ?? shownName;
      const found = rotationRows(exported, {
        stack,
        now: io.now(),
        failBlockedAfterMs,
      });
      rows[index] = found;
      stacks[index] = {
        stack,
        read: true,
        rotations: found.length,
        error: null,
        seconds: (io.now() - t0) / 1000,
      };
    } catch (error) {
      rows[index] = [];
      stacks[index] = unread(shownName, error, (io.now() - t0) / 1000);
    }
    done++;
    if (names.length > 1)
      progress(`read ${done}/${names.length} stacks (${shownName})`);
  });
  const allRows = rows.flat();
  const allStacks = stacks.filter(Boolean);
  const report: StatusReport = {
    version: REPORT_VERSION,
    generatedAt: new Date(io.now()).toISOString(),
    failBlockedAfter: options.failBlockedAfter ?? null,
    exitCode: exitCodeOf(allRows, allStacks),
    stacks: allStacks,
    rotations: allRows,
  };
  progress(
    `read ${allStacks.filter((s) => s.read).length} of ${allStacks.length} stack(s), ${allRows.length} rotation(s), in ${((io.now() - started) / 1000).toFixed(1)} s`,
    true,
  );
  io.stdout(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatTable(report, io.now()),
  );
  return report.exitCode;
}

function unread(stack: string, error: unknown, seconds: number): StackRead {
  // Our own errors carry a printable one-line reason; anything else is named only by its kind.
  const reason =
    error instanceof Error && error.name === "PulumiCliError"
      ? error.message
      : "unexpected error";
  return { stack, read: false, rotations: 0, error: reason, seconds };
}

/** `project/stack` of an export, from its Stack resource's URN (`urn:pulumi:<stack>::<project>::…`). */
function selectedStackName(exported: unknown): string | undefined {
  const resources = (
    exported as { deployment?: { resources?: Array<{ urn?: unknown }> } } | null
  )?.deployment?.resources;
  const urn = resources?.find((r) => typeof r.urn === "string")?.urn as
    string | undefined;
  const match = urn ? /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn) : null;
  return match ? `${match[2]!}/${match[1]!}` : undefined;
}

/** Writes progress to stderr: on a terminal one rewritten line, elsewhere one line each. */
function progressLine(
  io: CommandIo,
  quiet: boolean,
): (text: string, last?: boolean) => void {
  return (text, last = false) => {
    if (quiet) return;
    if (io.stderrIsTty) io.stderr(`\r\x1b[2K${text}${last ? "\n" : ""}`);
    else io.stderr(`stytch-rotation: ${text}\n`);
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Not the error itself: only this package's own messages are known to be secret-free.
      process.stderr.write(
        `stytch-rotation: unexpected failure (${error instanceof Error ? error.name : typeof error})\n`,
      );
      process.exitCode = 70;
    },
  );
}
