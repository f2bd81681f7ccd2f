/**
 * Reading a command line that a message printed the way a person pasting it into a shell would.
 */
import { spawnSync } from "node:child_process";

/** The words a POSIX shell makes of `commandLine` (quotes removed, no expansion beyond quoting). */
export function shellWords(commandLine: string): string[] {
  const result = spawnSync("sh", ["-c", `printf '%s\\n' ${commandLine}`], {
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(
      `sh could not read ${JSON.stringify(commandLine)}: ${result.stderr}`,
    );
  }
  return result.stdout.trimEnd().split("\n");
}

/** Every command a message printed in backticks that starts with `program`, in order. */
export function printedCommands(text: string, program: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1]!.trim())
    .filter(
      (command) => command === program || command.startsWith(`${program} `),
    );
}
