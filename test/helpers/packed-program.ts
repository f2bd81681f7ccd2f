/**
 * The package as users get it: `npm pack`ed and installed into a throw-away Pulumi program next to a
 * chosen `@pulumi/pulumi`. Pulumi serializes a provider from `node_modules` differently from a local
 * module (by `require` instead of by value), so only this form shows what lands in users' state.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "../../..");

/** The `@pulumi/pulumi` versions this package is tested on: the dev dependency and the peer floor. */
export function supportedPulumiVersions(): { newest: string; floor: string } {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"),
  );
  return {
    newest: manifest.devDependencies["@pulumi/pulumi"].replace(/^[\^~]/, ""),
    floor:
      manifest.peerDependencies["@pulumi/pulumi"].match(/\d+\.\d+\.\d+/)[0],
  };
}

/** Packs this package (build it first) into `workRoot` and returns the tarball's path. */
export function packThisPackage(workRoot: string): string {
  return packPackage(repoRoot, workRoot);
}

/** Packs the package in `packageDir` with `npm pack` into `workRoot` and returns the tarball's path. */
export function packPackage(packageDir: string, workRoot: string): string {
  const out = run(
    "npm",
    ["pack", "--silent", "--pack-destination", workRoot],
    packageDir,
    `npm pack in ${packageDir}`,
  );
  const name = out.trim().split("\n").pop()!.trim();
  return path.join(workRoot, name);
}

/** The Pulumi programs the package is installed into: the e2e fixture, and the README's example. */
export const PROGRAM_SOURCES = {
  fixture: { dir: "test/e2e/fixture", files: ["Pulumi.yaml", "index.js"] },
  example: {
    dir: "examples/gitops-rollover",
    files: ["Pulumi.yaml", "index.ts", "tsconfig.json"],
  },
} as const;

/**
 * Creates `workRoot/name` holding a copy of a program from this repository with the tarball and
 * `@pulumi/pulumi@pulumiVersion` installed, and returns its path. The tarball is installed as
 * `pulumi-stytch-client-secret-rotation`, the name the programs require: this package's, or a stand-in
 * with the same exports (the bench's no-op floor, `bench/floor-package/`).
 */
export function installProgram(
  workRoot: string,
  name: string,
  source: keyof typeof PROGRAM_SOURCES,
  tarball: string,
  pulumiVersion: string,
): string {
  const dir = path.join(workRoot, name);
  fs.mkdirSync(dir);
  const { dir: sourceDir, files } = PROGRAM_SOURCES[source];
  for (const file of files) {
    fs.copyFileSync(path.join(repoRoot, sourceDir, file), path.join(dir, file));
  }
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify(
      {
        name: `rotation-${name}`,
        private: true,
        dependencies: {
          "@pulumi/pulumi": pulumiVersion,
          "pulumi-stytch-client-secret-rotation": `file:${tarball}`,
        },
      },
      null,
      2,
    ),
  );
  process.stderr.write(
    `[packed] installing the packed package with @pulumi/pulumi ${pulumiVersion} into ${dir}…\n`,
  );
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error"],
    dir,
    `npm install in ${name}`,
  );
  return dir;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  what: string,
): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) {
    throw new Error(
      `[packed] ${what} failed (${command} ${args.join(" ")}, exit ${result.status}):\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result.stdout;
}
