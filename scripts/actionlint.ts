/**
 * `npm run actionlint:ensure`: provides actionlint, the GitHub Actions workflow linter, built from the Go
 * module proxy with tools/actionlint and cached like the Pulumi CLI (`scripts/go-tool.ts`). The tests
 * lint every workflow file this repository ships with it (`test/workflows.test.ts`).
 *
 * Only the pinned build is used, never an actionlint on PATH: which checks run depends on the version,
 * and a lint that passes on one machine must pass on every other.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ensureGoTool, firstLineOf, type GoToolSpec } from "./go-tool";

// The one place the actionlint version is pinned; tools/actionlint/go.mod requires the same version.
const ACTIONLINT_VERSION = "v1.7.12";

/** actionlint as tools/actionlint builds it. */
export const ACTIONLINT: GoToolSpec = {
  name: "actionlint",
  displayName: "actionlint",
  logTag: "actionlint:ensure",
  version: ACTIONLINT_VERSION,
  moduleDir: "tools/actionlint",
  pinnedModule: "github.com/rhysd/actionlint",
  versionVariable: "github.com/rhysd/actionlint.version",
  packages: ["github.com/rhysd/actionlint/cmd/actionlint"],
  executables: ["actionlint"],
  // `actionlint -version` prints the version on its first line, then how it was built.
  reportedVersion: (binDir) =>
    firstLineOf(path.join(binDir, "actionlint"), ["-version"]),
  buildTime: "about a minute",
  noGoMessage: () =>
    `actionlint ${ACTIONLINT_VERSION} is not cached and cannot be built because \`go\` is not installed. ` +
    "Install Go (https://go.dev/doc/install); the build fetches it from the Go module proxy once.",
};

/** Returns the directory holding the pinned `actionlint`, building it first if needed. */
export function ensureActionlint(): Promise<string> {
  return ensureGoTool(ACTIONLINT);
}

/** What {@link runActionlint} reports. */
export interface LintResult {
  /** 0: no problem; 1: problems found (listed in `output`); anything else: actionlint itself failed. */
  exitCode: number | null;
  /** actionlint's report, one problem per line, plus anything it wrote to stderr. */
  output: string;
}

/**
 * Lints workflow files with the actionlint in `binDir`. The shellcheck and pyflakes integrations are
 * turned off: they run whatever version the machine happens to have (or none), which would make the
 * result depend on the machine.
 */
export function runActionlint(binDir: string, files: string[]): LintResult {
  const result = spawnSync(
    path.join(binDir, "actionlint"),
    ["-no-color", "-shellcheck=", "-pyflakes=", ...files],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (result.error) throw result.error;
  return {
    exitCode: result.status,
    output: `${result.stdout}${result.stderr}`.trim(),
  };
}
