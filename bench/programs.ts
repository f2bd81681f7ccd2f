/**
 * The programs the bench drives: the end-to-end fixture (`test/e2e/fixture`, rotations from the
 * `rotations` stack config) installed with this package's tarball (twice: the dynamic resource, and the
 * native provider's resource that the fixture registers when its config says `nativePlugin: true`) and
 * with the floor's (`bench/floor-package`), each next to the same `@pulumi/pulumi`, exactly as the
 * end-to-end tests install it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  installProgram,
  packPackage,
  packThisPackage,
  supportedPulumiVersions,
} from "../test/helpers/packed-program";
import type { Variant } from "./measure";

const repoRoot = path.resolve(__dirname, "../..");

/** Installs both programs under `workRoot` and returns their directories and the `@pulumi/pulumi` used. */
export function installBenchPrograms(workRoot: string): {
  programs: Record<Variant, string>;
  pulumiVersion: string;
} {
  const pulumiVersion = supportedPulumiVersions().newest;
  const install = (variant: Variant, tarball: string) =>
    installProgram(workRoot, variant, "fixture", tarball, pulumiVersion);
  const ours = packThisPackage(workRoot);
  return {
    programs: {
      ours: install("ours", ours),
      // The same program, which registers the native type when its stack config says so.
      native: install("native", ours),
      floor: install(
        "floor",
        packPackage(stageFloorPackage(workRoot), workRoot),
      ),
    },
    pulumiVersion,
  };
}

/**
 * The floor package as `npm pack` wants it: its manifest next to its compiled code (`tsc -p
 * tsconfig.json` compiles `bench/` into `build/bench/`), in a directory of its own.
 */
function stageFloorPackage(workRoot: string): string {
  const dir = path.join(workRoot, "floor-package");
  fs.mkdirSync(dir);
  fs.copyFileSync(
    path.join(repoRoot, "bench/floor-package/package.json"),
    path.join(dir, "package.json"),
  );
  fs.copyFileSync(
    path.join(repoRoot, "build/bench/floor-package/index.js"),
    path.join(dir, "index.js"),
  );
  return dir;
}
