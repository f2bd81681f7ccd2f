/**
 * The repository as its users see it on GitHub: every file that is committed or about to be (tracked or
 * new), never what `.gitignore` excludes (node_modules, build output). Tests that must cover "every file
 * of a kind" find them here instead of listing them by hand.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeExit, repoRoot } from "../../scripts/go-tool";

export { repoRoot };

/** Paths relative to the repository root, with `/` separators, sorted. */
export function repoFiles(): string[] {
  const result = spawnSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (result.status !== 0) {
    throw new Error(
      `git ls-files failed in ${repoRoot} (${describeExit(result)})${result.stderr ? `: ${result.stderr}` : ""}`,
    );
  }
  return (
    result.stdout
      .split("\0")
      .filter((file) => file !== "")
      // --cached also lists tracked files deleted from the work tree.
      .filter((file) => fs.existsSync(path.join(repoRoot, file)))
      .sort()
  );
}
