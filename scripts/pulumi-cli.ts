/**
 * `npm run pulumi:ensure`: provides a Pulumi CLI for this repository's tests and examples, as a directory
 * holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`; the one it builds also
 * holds `pulumi-language-yaml`, for YAML programs (an installed Pulumi ships its own).
 *
 * Lookup order:
 *   1. $STYTCH_ROTATION_PULUMI_DIR (validated, never modified);
 *   2. a `pulumi` already on PATH (never triggers a build);
 *   3. the build cache in ${XDG_CACHE_HOME:-~/.cache}/pulumi-stytch-client-secret-rotation;
 *   4. a build from the Go module proxy using tools/pulumi-cli (takes minutes).
 * Steps 3 and 4 are `scripts/go-tool.ts`, shared with actionlint.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  cacheRoot,
  copyExecutable,
  ensureGoTool,
  findOnPath,
  firstLineOf,
  isExecutableFile,
  log,
  makeStaging,
  missingExecutables,
  publish,
  removeStaging,
  repoRoot,
  UsageError,
  type GoToolSpec,
} from "./go-tool";

// The one place the CLI version is pinned. tools/pulumi-cli/go.mod must require
// github.com/pulumi/pulumi/pkg/v3 at the same version; the build refuses to run if they drift apart.
// v3.276.0 is the version of the newest @pulumi/pulumi on npm, the SDK the tests run on (checked 2026-12-06);
// the Go module proxy available to us serves it whole.
export const PULUMI_VERSION = "v3.276.0";

// The YAML language host, github.com/pulumi/pulumi-yaml; tools/pulumi-yaml/go.mod requires the same version.
// Its own module, because it does not compile against the CLI's pkg/v3 (it requires v3.206.0).
const PULUMI_YAML_VERSION = "v1.25.0";

const TAG = "pulumi:ensure";
// What this repository's own programs need; a directory given or found on PATH must hold these.
const EXECUTABLES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
];
const LAUNCHER = "pulumi-resource-pulumi-nodejs";
const YAML_HOST = "pulumi-language-yaml";

/** The Pulumi CLI as tools/pulumi-cli builds it. */
export const PULUMI_CLI: GoToolSpec = {
  name: "pulumi",
  displayName: "Pulumi CLI",
  logTag: TAG,
  version: PULUMI_VERSION,
  moduleDir: "tools/pulumi-cli",
  pinnedModule: "github.com/pulumi/pulumi/pkg/v3",
  versionVariable: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
  packages: [
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    "./cmd/pulumi-language-nodejs",
  ],
  // The engine finds a language host next to `pulumi` (or on PATH), so the YAML host goes into this bin/.
  alsoBuilds: [
    {
      version: PULUMI_YAML_VERSION,
      moduleDir: "tools/pulumi-yaml",
      pinnedModule: "github.com/pulumi/pulumi-yaml",
      versionVariable: "github.com/pulumi/pulumi-yaml/pkg/version.Version",
      packages: ["github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"],
    },
  ],
  executables: [...EXECUTABLES, YAML_HOST],
  extraExecutables: () => ({ [LAUNCHER]: launcherFromNodeModules() }),
  reportedVersion: pulumiVersionOf,
  buildTime: "several minutes",
  noGoMessage: () =>
    [
      "no Pulumi CLI found, and it cannot be built because `go` is not installed.",
      "Any one of these fixes it:",
      "  - install Pulumi (https://www.pulumi.com/docs/install/) and put `pulumi` on PATH;",
      "  - set STYTCH_ROTATION_PULUMI_DIR to a directory holding pulumi, pulumi-language-nodejs",
      "    and pulumi-resource-pulumi-nodejs;",
      `  - install Go (https://go.dev/doc/install) so this script can build Pulumi ${PULUMI_VERSION}`,
      "    from the Go module proxy (a few minutes, once).",
    ].join("\n"),
};

/** Returns the directory of a Pulumi CLI, building one if there is none (see the lookup order above). */
export async function ensurePulumi(): Promise<string> {
  return fromEnvironment() ?? fromPath() ?? (await ensureGoTool(PULUMI_CLI));
}

// `pulumi version` with a throwaway PULUMI_HOME (it writes a log file per invocation) and without
// touching the network.
function pulumiVersionOf(binDir: string): string | undefined {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ensure-home-"));
  try {
    return firstLineOf(path.join(binDir, "pulumi"), ["version"], {
      ...process.env,
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
    });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. Explicit directory

function fromEnvironment(): string | undefined {
  const value = process.env["STYTCH_ROTATION_PULUMI_DIR"];
  if (!value) return undefined;
  const dir = path.resolve(value);
  const missing = missingExecutables(dir, EXECUTABLES);
  if (missing.length > 0) {
    throw new UsageError(
      `STYTCH_ROTATION_PULUMI_DIR=${value} must be a directory holding the executables ` +
        `${EXECUTABLES.join(", ")}; missing or not executable: ${missing.join(", ")}.`,
    );
  }
  log(TAG, `using STYTCH_ROTATION_PULUMI_DIR: ${dir}`);
  return dir;
}

// ---------------------------------------------------------------------------------------------------
// 2. An installed Pulumi

function fromPath(): string | undefined {
  const pulumi = findOnPath("pulumi");
  if (!pulumi) return undefined;

  // Installers often put a symlink on PATH; the language host ships next to the real binary, so look in
  // both places.
  const dirs = [path.dirname(pulumi)];
  try {
    const realDir = path.dirname(fs.realpathSync(pulumi));
    if (realDir !== dirs[0]) dirs.push(realDir);
  } catch {
    // A dangling link fails isExecutableFile before we get here.
  }

  for (const dir of dirs) {
    if (missingExecutables(dir, EXECUTABLES).length === 0) {
      log(TAG, `using the Pulumi CLI on PATH: ${dir}`);
      return dir;
    }
  }

  const pulumiDir = dirs.find((dir) =>
    isExecutableFile(path.join(dir, "pulumi-language-nodejs")),
  );
  const languageHost = pulumiDir
    ? path.join(pulumiDir, "pulumi-language-nodejs")
    : findOnPath("pulumi-language-nodejs");
  if (!languageHost) {
    log(
      TAG,
      `found ${pulumi} but no pulumi-language-nodejs next to it or on PATH; ignoring it`,
    );
    return undefined;
  }
  return composeAroundInstalledPulumi(
    pulumi,
    languageHost,
    findOnPath(LAUNCHER),
  );
}

// The installed Pulumi lacks the dynamic-provider launcher (it normally ships with it, but package
// managers sometimes split it out). Build a small directory of symlinks to the installed binaries plus
// the launcher. Note: the engine finds bundled plugins next to the *resolved* pulumi binary, or on PATH,
// so callers must put this directory on PATH.
function composeAroundInstalledPulumi(
  pulumi: string,
  languageHost: string,
  launcher: string | undefined,
): string {
  const key = crypto
    .createHash("sha256")
    .update(`${pulumi}\0${languageHost}\0${launcher ?? ""}`)
    .digest("hex")
    .slice(0, 12);
  const entry = path.join(cacheRoot, `installed-${key}`);
  const bin = path.join(entry, "bin");

  const wanted: Record<string, string> = {
    pulumi: fs.realpathSync(pulumi),
    "pulumi-language-nodejs": fs.realpathSync(languageHost),
  };
  if (launcher) wanted[LAUNCHER] = fs.realpathSync(launcher);

  const upToDate =
    missingExecutables(bin, EXECUTABLES).length === 0 &&
    Object.entries(wanted).every(([name, target]) => {
      try {
        return fs.readlinkSync(path.join(bin, name)) === target;
      } catch {
        return false;
      }
    });
  if (!upToDate) {
    // Resolve the launcher before creating anything, so a missing node_modules fails cleanly.
    const launcherSource = launcher ? undefined : launcherFromNodeModules();
    const staging = makeStaging(entry);
    try {
      fs.mkdirSync(path.join(staging, "bin"));
      for (const [name, target] of Object.entries(wanted)) {
        fs.symlinkSync(target, path.join(staging, "bin", name));
      }
      if (launcherSource) {
        copyExecutable(launcherSource, path.join(staging, "bin"), LAUNCHER);
      }
      publish(staging, entry);
    } finally {
      removeStaging(staging);
    }
  }
  log(TAG, `using the Pulumi CLI on PATH (${pulumi}) via ${bin}`);
  return bin;
}

// ---------------------------------------------------------------------------------------------------
// The dynamic-provider launcher

// `pulumi-resource-pulumi-nodejs` is a 4-line shell script shipped in the @pulumi/pulumi npm package. It
// is copied rather than symlinked: node_modules gets deleted and reinstalled, and the cache must survive
// that. Copying is safe because the script itself resolves @pulumi/pulumi from the program's working
// directory at run time, so it works with whatever SDK version each program has installed.
function launcherFromNodeModules(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve("@pulumi/pulumi/package.json", {
      paths: [repoRoot],
    });
  } catch {
    throw new UsageError(
      `@pulumi/pulumi is not installed in ${repoRoot}; run \`npm install\` first ` +
        `(its ${LAUNCHER} launcher is needed for dynamic resources).`,
    );
  }
  const source = path.join(path.dirname(packageJson), LAUNCHER);
  if (!fs.existsSync(source)) {
    throw new UsageError(
      `${source} does not exist; this @pulumi/pulumi package does not ship the ${LAUNCHER} launcher.`,
    );
  }
  return source;
}
