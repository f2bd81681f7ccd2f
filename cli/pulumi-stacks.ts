/**
 * Reading stacks through the `pulumi` CLI, as the person or pipeline running `stytch-rotation status` is
 * logged in: the same backend (`PULUMI_BACKEND_URL`, or `pulumi login`), the same `PULUMI_HOME`.
 *
 * `pulumi stack export` is run WITHOUT `--show-secrets`: the export then holds every secret as the
 * ciphertext the backend stores, so this command never has a plaintext secret to print, and it needs no
 * passphrase or key. (The Automation API's `exportStack` passes `--show-secrets`, which is why it is not
 * used here.)
 */
import { spawn } from "node:child_process";

/** How to run `pulumi`. */
export interface PulumiCli {
  /** The executable: `pulumi` from `PATH` unless given. */
  command: string;
  /** The directory to run in: the project's, for the default stack. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long one `pulumi` command may run before it is stopped. */
  timeoutMs: number;
}

/** A `pulumi` command that failed, with a one-line reason fit to print. */
export class PulumiCliError extends Error {
  override name = "PulumiCliError" as const;
}

/** The names of every stack the backend holds (`pulumi stack ls --all --json`). */
export async function listAllStacks(cli: PulumiCli): Promise<string[]> {
  const stdout = await runPulumi(cli, ["stack", "ls", "--all", "--json"]);
  const parsed = parseJson(stdout, "pulumi stack ls --all --json");
  if (!Array.isArray(parsed)) {
    throw new PulumiCliError(
      "pulumi stack ls --all --json did not print a list",
    );
  }
  return parsed.flatMap((entry: unknown) => {
    const name = (entry as { name?: unknown } | null)?.name;
    return typeof name === "string" ? [name] : [];
  });
}

/**
 * A stack's state as `pulumi stack export` prints it, secrets encrypted; `stack` undefined for the stack
 * selected in `cli.cwd`.
 */
export async function exportStack(
  cli: PulumiCli,
  stack: string | undefined,
): Promise<unknown> {
  const args = [
    "stack",
    "export",
    ...(stack === undefined ? [] : ["--stack", stack]),
  ];
  return parseJson(await runPulumi(cli, args), "pulumi stack export");
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PulumiCliError(
      `${what} did not print JSON (${text.length} characters)`,
    );
  }
}

/** Runs one `pulumi` command and returns its stdout; stopped (its own process only) at the deadline. */
function runPulumi(cli: PulumiCli, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.command, [...args, "--non-interactive"], {
      cwd: cli.cwd,
      // No update check: it is a network call on every command, and a monitor may run offline.
      env: { PULUMI_SKIP_UPDATE_CHECK: "true", ...cli.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
    }, cli.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      // Only the end is kept: the reason of a failure is its last line.
      stderr = (stderr + chunk.toString()).slice(-4_096);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new PulumiCliError(
          error.code === "ENOENT"
            ? `the pulumi CLI (${cli.command}) was not found: install it, or put it on PATH`
            : `pulumi ${args.slice(0, 2).join(" ")} could not be started (${error.code ?? "unknown error"})`,
        ),
      );
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString("utf8"));
        return;
      }
      const reason = timedOut
        ? `did not finish within ${cli.timeoutMs / 1000} s`
        : `failed (${code === null ? `signal ${signal ?? "?"}` : `exit code ${code}`})` +
          `${lastLine(stderr) ? `: ${lastLine(stderr)}` : ""}`;
      reject(
        new PulumiCliError(`pulumi ${args.slice(0, 2).join(" ")} ${reason}`),
      );
    });
  });
}

/** The last non-empty line of the CLI's stderr, without control characters, at most 300 characters. */
function lastLine(text: string): string {
  const line =
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? "";
  const clean = line.replace(/[\x00-\x1f\x7f-\x9f]/g, " ");
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}
