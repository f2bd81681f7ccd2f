/**
 * Jest global setup of the end-to-end project: provides the Pulumi CLI (building it once per machine if
 * needed), packs this package with `npm pack` and installs the tarball into throw-away Pulumi programs:
 * the fixture on the newest `@pulumi/pulumi` and on the oldest we support, and the README's example.
 * The tests then drive those programs through the real engine, so the provider is serialized exactly as
 * users get it. The same tarball goes into a TypeScript consumer program, which the tests compile
 * against the packed declarations. For the native plugin, the plugin's tarball (`npm run plugin:pack`),
 * the generated TypeScript SDK compiled, packed and installed into its program, and the Go program built
 * (`test/helpers/native-languages.ts`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiCli } from "../../demo/offline-pulumi";
import { packPlugin } from "../../scripts/plugin-pack";
import { buildGoDriver } from "../helpers/native-languages";
import {
  installProgram,
  packNodejsSdk,
  packThisPackage,
  supportedPulumiVersions,
} from "../helpers/packed-program";
import { E2E_CONTEXT_ENV, type E2EContext } from "../helpers/pulumi-harness";

/** The two projects of examples/autopilot, installed together in `dir`. */
function autopilotPrograms(dir: string) {
  return {
    autopilotRotation: path.join(dir, "rotation"),
    autopilotConsumer: path.join(dir, "consumer"),
  };
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workRoot = fs.mkdtempSync(
    path.join(os.tmpdir(), "stytch-rotation-e2e-"),
  );
  // The Node.js side first: on a machine that has never built the CLI, `.ci/run` is building it
  // meanwhile, and these installs wait mostly on the npm registry, not on the cores the build keeps busy.
  const tarball = packThisPackage(workRoot);
  // `npm run plugin:pack`: reused when nothing it is built from changed, otherwise about half a minute.
  const plugin = await packPlugin();
  const versions = supportedPulumiVersions();
  const programs: E2EContext["programs"] = {
    newest: installProgram(
      workRoot,
      "program-newest",
      "fixture",
      tarball,
      versions.newest,
    ),
    floor: installProgram(
      workRoot,
      "program-floor",
      "fixture",
      tarball,
      versions.floor,
    ),
    example: installProgram(
      workRoot,
      "example",
      "example",
      tarball,
      versions.newest,
    ),
    consumer: installProgram(
      workRoot,
      "consumer",
      "consumer",
      tarball,
      versions.newest,
    ),
    ...autopilotPrograms(
      installProgram(
        workRoot,
        "autopilot",
        "autopilot",
        tarball,
        versions.newest,
      ),
    ),
    native: installProgram(
      workRoot,
      "native",
      "native",
      tarball,
      versions.newest,
    ),
    nativeTypescript: installProgram(
      workRoot,
      "native-typescript",
      "nativeTypescript",
      packNodejsSdk(workRoot),
      versions.newest,
    ),
  };
  // The end-to-end tests never skip: without a CLI this throws, and the script names the ways to get one.
  process.stderr.write(
    "\n[e2e] providing the Pulumi CLI (npm run pulumi:ensure)…\n",
  );
  const cliDir = ensurePulumiCli();
  // After the CLI, whose Go build shares much with this one and leaves it in Go's build cache; not
  // beside the installs, which block this process (spawnSync), so it could neither report the build's
  // progress nor time it.
  const goDriver = await buildGoDriver(workRoot);
  const context: E2EContext = {
    workRoot,
    tarball,
    cliDir,
    programs,
    goDriver,
    pulumiVersions: versions,
    plugin: {
      name: "stytch",
      version: plugin.version,
      tarball: plugin.tarball,
      executable: plugin.executable,
    },
  };
  const contextFile = path.join(workRoot, "context.json");
  fs.writeFileSync(contextFile, JSON.stringify(context, null, 2));
  // Workers are started after global setup and inherit this environment.
  process.env[E2E_CONTEXT_ENV] = contextFile;
  process.stderr.write(
    `\n[e2e] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: CLI ${cliDir}\n`,
  );
}
