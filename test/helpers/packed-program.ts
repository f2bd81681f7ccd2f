/**
 * The package as users get it: `npm pack`ed and installed into a throw-away Pulumi program next to a
 * chosen `@pulumi/pulumi`. Pulumi serializes a provider from `node_modules` differently from a local
 * module (by `require` instead of by value), so only this form shows what lands in users' state.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeExit } from "../../scripts/go-tool";
import { repoRoot } from "./repo-files";

/** The fields of this repository's package.json that the tests read. */
export interface RootManifest {
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  typesVersions: Record<string, Record<string, string[]>>;
  devDependencies: Record<string, string> & { "@pulumi/pulumi": string };
  peerDependencies: { "@pulumi/pulumi": string };
}

/** This repository's package.json. */
export function rootManifest(): RootManifest {
  return JSON.parse(
    fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"),
  ) as RootManifest;
}

/** The `@pulumi/pulumi` versions this package is tested on: the dev dependency and the peer floor. */
export function supportedPulumiVersions(): { newest: string; floor: string } {
  const manifest = rootManifest();
  return {
    newest: manifest.devDependencies["@pulumi/pulumi"].replace(/^[\^~]/, ""),
    floor:
      manifest.peerDependencies["@pulumi/pulumi"].match(/\d+\.\d+\.\d+/)![0],
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

/** A program the package is installed into. */
interface ProgramSource {
  /** Its directory in this repository. */
  dir: string;
  /** The files copied from there. */
  files: readonly string[];
  /** Dev dependencies of this repository it needs too, installed at the versions this repository uses. */
  tools?: readonly string[];
  /** The name the tarball is installed as, the one the program imports; default this package's. */
  package?: string;
}

/**
 * The programs the package is installed into: the e2e fixture, the README's example, and a TypeScript
 * consumer of the public API that is only compiled.
 */
export const PROGRAM_SOURCES = {
  fixture: { dir: "test/e2e/fixture", files: ["Pulumi.yaml", "index.js"] },
  example: {
    dir: "examples/gitops-rollover",
    files: ["Pulumi.yaml", "index.ts", "tsconfig.json"],
  },
  // Two projects, one install: node_modules is found from each project's parent directory.
  autopilot: {
    dir: "examples/autopilot",
    files: [
      "rotation/Pulumi.yaml",
      "rotation/index.ts",
      "rotation/tsconfig.json",
      "consumer/Pulumi.yaml",
      "consumer/index.ts",
      "consumer/tsconfig.json",
      "service/index.ts",
    ],
  },
  // The native plugin's resource by its type token; the package is installed but not used.
  native: {
    dir: "test/e2e/native",
    files: ["Pulumi.yaml", "index.ts", "tsconfig.json"],
  },
  // The native plugin's resource through its generated SDK: the tarball is the SDK's (packNodejsSdk).
  nativeTypescript: {
    dir: "test/e2e/native-typescript",
    files: ["Pulumi.yaml", "index.ts", "tsconfig.json"],
    package: "pulumi-stytch",
  },
  consumer: {
    dir: "test/e2e/consumer",
    files: ["index.ts", "tsconfig.json"],
    tools: ["typescript", "@types/node"],
  },
} as const satisfies Record<string, ProgramSource>;

/**
 * Creates `workRoot/name` holding a copy of a program from this repository with the tarball,
 * `@pulumi/pulumi@pulumiVersion` and the program's tools installed, and returns its path. The tarball is
 * installed as `pulumi-stytch-client-secret-rotation`, the name the programs require: this package's, or a
 * stand-in with the same exports (the bench's no-op floor, `bench/floor-package/`); or, for a program
 * that names another package, as that one.
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
  const program: ProgramSource = PROGRAM_SOURCES[source];
  for (const file of program.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(
      path.join(repoRoot, program.dir, file),
      path.join(dir, file),
    );
  }
  const { devDependencies } = rootManifest();
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify(
      {
        name: `rotation-${name}`,
        private: true,
        dependencies: {
          "@pulumi/pulumi": pulumiVersion,
          [program.package ?? "pulumi-stytch-client-secret-rotation"]:
            `file:${tarball}`,
          ...Object.fromEntries(
            (program.tools ?? []).map((tool) => [tool, devDependencies[tool]]),
          ),
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

/**
 * Compiles the generated TypeScript SDK (`sdk/nodejs`, the package `pulumi-stytch`) with tsc and packs it
 * as a user builds a local package before it is published: the compiled `bin/` with the SDK's
 * `package.json` beside it (its `getVersion()` reads it at run time, and the version it gives is the
 * plugin version the engine loads). Returns the tarball's path, in `workRoot`; the repository is left
 * untouched. The compiler and `@types/node` are this repository's, not the SDK's own dev dependencies
 * (TypeScript 4.7, `@types/node` 20), which would take another `npm install`; its tsconfig.json is the
 * SDK's.
 */
export function packNodejsSdk(workRoot: string): string {
  const sdk = path.join(repoRoot, "sdk", "nodejs");
  const bin = path.join(workRoot, "sdk-nodejs", "bin");
  run(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc", { paths: [repoRoot] }),
      "-p",
      path.join(sdk, "tsconfig.json"),
      "--outDir",
      bin,
    ],
    repoRoot,
    "tsc -p sdk/nodejs",
  );
  for (const file of ["package.json", "README.md"]) {
    fs.copyFileSync(path.join(sdk, file), path.join(bin, file));
  }
  return packPackage(bin, path.dirname(bin));
}

/**
 * Upgrades (or downgrades) the package in an installed program to `tarball`, as a user's `npm install`
 * of another version would.
 */
export function reinstallPackage(dir: string, tarball: string): void {
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball],
    dir,
    `npm install ${path.basename(tarball)} in ${dir}`,
  );
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
      `[packed] ${what} failed (${command} ${args.join(" ")}, ${describeExit(result)}):\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result.stdout;
}
