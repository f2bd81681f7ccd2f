/**
 * `npm run sdk:generate`: writes the SDKs of the native provider, `sdk/{nodejs,python,go,dotnet}`, from
 * its schema, `provider/native/schema.json`, with Pulumi's own code generators.
 *
 * The generators are two small Go programs in tools/sdkgen (see its README), built from the Go module
 * proxy and cached like the Pulumi CLI (`scripts/go-tool.ts`): `sdkgen` (TypeScript, Python, Go) over the
 * CLI's pkg/v3, and `sdkgen-dotnet` (C#) over pkg/v3 v3.206.0, which still has the C# generator. Each
 * language is generated into a fresh directory that then replaces `sdk/<language>`, so no file of an
 * older generation survives. `test/sdk-drift.test.ts` fails when the committed `sdk/` differs from what
 * this writes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  describeExit,
  ensureGoTool,
  firstLineOf,
  log,
  repoRoot,
  runEnsureCli,
  UsageError,
  type GoToolSpec,
} from "./go-tool";
import { PULUMI_VERSION } from "./pulumi-cli";

const TAG = "sdk:generate";

/** The package schema, relative to the repository root. */
export const SCHEMA = "provider/native/schema.json";

/** Where the SDKs go, relative to the repository root: one directory per language. */
export const SDK_DIR = "sdk";

// The pkg/v3 that still has codegen/dotnet (newer ones dropped it); tools/sdkgen/sdkgen-dotnet/go.mod
// requires the same version.
const DOTNET_GENERATOR_VERSION = "v3.206.0";

/** Each generator program and the languages it writes. */
const GENERATORS: Record<string, string[]> = {
  sdkgen: ["nodejs", "python", "go"],
  "sdkgen-dotnet": ["dotnet"],
};

/** Every language, in the order the generators write them. */
export const LANGUAGES = Object.values(GENERATORS).flat();

/** Both generators, as tools/sdkgen builds them: one cache entry. */
export const SDK_GENERATORS: GoToolSpec = {
  name: "sdkgen",
  displayName: "SDK generators",
  logTag: TAG,
  // The CLI's pkg/v3: the same compiled packages in the Go build cache, and the same generators that a
  // `pulumi package gen-sdk` of this CLI would run.
  version: PULUMI_VERSION,
  moduleDir: "tools/sdkgen",
  pinnedModule: "github.com/pulumi/pulumi/pkg/v3",
  versionVariable: "main.version",
  packages: ["."],
  alsoBuilds: [
    {
      version: DOTNET_GENERATOR_VERSION,
      moduleDir: "tools/sdkgen/sdkgen-dotnet",
      pinnedModule: "github.com/pulumi/pulumi/pkg/v3",
      versionVariable: "main.version",
      packages: ["."],
    },
  ],
  executables: Object.keys(GENERATORS),
  reportedVersion: (binDir) =>
    firstLineOf(path.join(binDir, "sdkgen"), ["-version"]),
  buildTime: "a few minutes",
  noGoMessage: () =>
    "the SDK generators are not cached and cannot be built because `go` is not installed. " +
    "Install Go (https://go.dev/doc/install); the build fetches them from the Go module proxy once.",
};

/** Returns the directory holding `sdkgen` and `sdkgen-dotnet`, building them first if needed. */
export function ensureSdkGenerators(): Promise<string> {
  return ensureGoTool(SDK_GENERATORS);
}

/**
 * Writes every language's SDK from the schema into `out/<language>`; `out` must hold none of them yet.
 *
 * @throws {@link UsageError} when a generator fails (its message is on stderr).
 */
export function generateSdks(binDir: string, out: string): void {
  for (const [generator, languages] of Object.entries(GENERATORS)) {
    const result = spawnSync(
      path.join(binDir, generator),
      [path.join(repoRoot, SCHEMA), out, ...languages],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (result.status !== 0) {
      throw new UsageError(
        `${generator} failed (${describeExit(result)}); see the output above.`,
      );
    }
  }
}

/** `npm run sdk:generate`: regenerates `sdk/` in place and prints its path. */
async function regenerate(): Promise<string> {
  const binDir = await ensureSdkGenerators();
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-generate-"));
  try {
    const started = Date.now();
    generateSdks(binDir, staging);
    log(TAG, `generated ${LANGUAGES.join(", ")} in ${Date.now() - started} ms`);
    const sdkDir = path.join(repoRoot, SDK_DIR);
    for (const language of LANGUAGES) {
      const target = path.join(sdkDir, language);
      fs.rmSync(target, { recursive: true, force: true });
      fs.cpSync(path.join(staging, language), target, { recursive: true });
    }
    return sdkDir;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) void runEnsureCli(TAG, regenerate);
