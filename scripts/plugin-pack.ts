/**
 * `npm run plugin:pack`: builds the native provider plugin `pulumi-resource-stytch` as one executable that
 * runs without Node.js, and packs it as `pulumi plugin install resource stytch <version> --file` takes it:
 * `dist/plugin/pulumi-resource-stytch-v<version>-linux-amd64.tar.gz`, whose root holds only the
 * executable. Prints the tarball's path as the last line of stdout; progress goes to stderr.
 *
 * How: esbuild bundles `provider/native/main.ts` with everything it imports (the core, gRPC, the
 * protocol's generated code, the schema and the version) into one CommonJS file; Node's single executable
 * applications (`node --experimental-sea-config`, then `postject`) put that file into a copy of the
 * Node.js 22 binary that `npm ci` installed (the `node` dev dependency). In such an executable `require`
 * loads only Node's built-in modules, which is all the bundle leaves to it: nothing is read from
 * `node_modules` at run time.
 *
 * The slow half (postject rewrites a 125 MB binary, then the tarball is compressed) is skipped when the
 * bundle, the Node.js binary and this recipe are what the existing tarball was built from.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import {
  UsageError,
  describeExit,
  log,
  repoRoot,
  runEnsureCli,
} from "./go-tool";

const TAG = "plugin:pack";
const PLUGIN = "pulumi-resource-stytch";
const ENTRY = "provider/native/main.ts";
/** The only platform built: the Node.js binary copied is the one `npm ci` installed on this machine. */
const PLATFORM = "linux-amd64";
/** Node's name for the blob's place in the executable, and the fuse that tells Node a blob is there. */
const SEA_RESOURCE = "NODE_SEA_BLOB";
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** Bump when the steps below change what they produce, so that a cached tarball is not reused. */
const RECIPE = "1";

/** What `npm run plugin:pack` made, and how. */
export interface PackedPlugin {
  /** The tarball `pulumi plugin install --file` takes. */
  tarball: string;
  /** The executable inside it, as built. */
  executable: string;
  version: string;
  /** Whether the executable and tarball were reused from an earlier run with the same inputs. */
  cached: boolean;
}

function packageVersion(): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"),
  ) as { version: string };
  return manifest.version;
}

/** The Node.js 22 binary of the `node` dev dependency: the base of the executable. */
function nodeBinary(): string {
  let manifest: string;
  try {
    manifest = require.resolve("node/package.json", { paths: [repoRoot] });
  } catch {
    throw new UsageError(
      "the `node` dev dependency is not installed; run `npm ci` first.",
    );
  }
  const binary = path.join(path.dirname(manifest), "bin", "node");
  if (!fs.existsSync(binary)) {
    throw new UsageError(`${binary} does not exist; run \`npm ci\` again.`);
  }
  return binary;
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} ${args.join(" ")} failed (${describeExit(result)}):\n${result.stderr}${result.stdout}`,
    );
  }
}

/** Builds (or reuses) the plugin's executable and tarball under `dist/plugin/`. */
export async function packPlugin(): Promise<PackedPlugin> {
  const started = Date.now();
  const version = packageVersion();
  const node = nodeBinary();
  const outDir = path.join(repoRoot, "dist", "plugin");
  const workDir = path.join(outDir, "work");
  fs.mkdirSync(workDir, { recursive: true });
  const bundle = path.join(workDir, `${PLUGIN}.js`);
  await build({
    entryPoints: [path.join(repoRoot, ENTRY)],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // No absolute path of this machine in the executable, and nothing but code: the sources' comments
    // stay in the repository.
    legalComments: "none",
    logLevel: "warning",
  });
  log(TAG, `bundled ${ENTRY} (${Date.now() - started} ms)`);

  const nodeVersion = spawnSync(node, ["--version"], {
    encoding: "utf8",
  }).stdout.trim();
  const stamp = crypto
    .createHash("sha256")
    .update(
      [RECIPE, version, nodeVersion, String(fs.statSync(node).size)].join("\0"),
    )
    .update(fs.readFileSync(bundle))
    .digest("hex");
  const tarball = path.join(outDir, `${PLUGIN}-v${version}-${PLATFORM}.tar.gz`);
  const executable = path.join(outDir, PLATFORM, PLUGIN);
  const stampFile = path.join(outDir, `${PLATFORM}.stamp`);
  if (
    fs.existsSync(tarball) &&
    fs.existsSync(executable) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, "utf8") === stamp
  ) {
    log(TAG, `unchanged since the last build: ${tarball}`);
    return { tarball, executable, version, cached: true };
  }
  fs.rmSync(stampFile, { force: true });

  // The blob: the bundle as Node's single-executable loader wants it, made by the same Node.js.
  const blob = path.join(workDir, "sea-prep.blob");
  const seaConfig = path.join(workDir, "sea-config.json");
  fs.writeFileSync(
    seaConfig,
    JSON.stringify({
      main: bundle,
      output: blob,
      // The engine reads the plugin's first line of stdout as its port; the warning is noise elsewhere.
      disableExperimentalSEAWarning: true,
      // Compiled once here instead of at every start of the plugin.
      useCodeCache: true,
    }),
  );
  run(node, ["--experimental-sea-config", seaConfig], workDir);

  const staging = path.join(workDir, PLATFORM);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  const stagedExecutable = path.join(staging, PLUGIN);
  fs.copyFileSync(node, stagedExecutable);
  fs.chmodSync(stagedExecutable, 0o755);
  const { inject } = require("postject") as {
    inject(
      file: string,
      resource: string,
      data: Buffer,
      options: { sentinelFuse: string },
    ): Promise<void>;
  };
  await inject(stagedExecutable, SEA_RESOURCE, fs.readFileSync(blob), {
    sentinelFuse: SEA_FUSE,
  });
  log(TAG, `built the executable (${Date.now() - started} ms)`);

  const stagedTarball = path.join(workDir, path.basename(tarball));
  run("tar", ["-czf", stagedTarball, "-C", staging, PLUGIN], workDir);
  fs.rmSync(path.join(outDir, PLATFORM), { recursive: true, force: true });
  fs.renameSync(staging, path.join(outDir, PLATFORM));
  fs.renameSync(stagedTarball, tarball);
  fs.writeFileSync(stampFile, stamp);
  const mb = (file: string) =>
    `${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MiB`;
  log(
    TAG,
    `packed ${tarball} (${mb(tarball)}; executable ${mb(executable)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { tarball, executable, version, cached: false };
}

if (require.main === module) {
  void runEnsureCli(TAG, async () => (await packPlugin()).tarball);
}
