/**
 * `pulumi-resource-stytch`: the entry point of the native provider plugin, bundled into one file and then
 * into a single executable (`scripts/plugin-pack.ts`).
 *
 * The engine starts it as `pulumi-resource-stytch [--logtostderr] [-v=N] [--tracing URL] <engine
 * address>` and reads one line from its standard output: the port of the gRPC server. Everything after
 * that line is the engine's debug log at best, so the core's warnings go to the engine's `Log` instead
 * (`engine-log.ts`), and standard output is written once.
 */
import { EngineLog, engineAddress } from "./engine-log";
import { ResourceProviderService, serve } from "./server";

// Both inlined by the bundler: the executable reads no file at run time. (`require` rather than `import`:
// these paths hold only in the source tree, which is what the bundler reads; tsc's output never runs.)
const manifest = require("../../package.json") as { version: string };
const schema = require("./schema.json") as object;

async function main(): Promise<void> {
  // The engine also hands a plugin its package's stack config in PULUMI_CONFIG, with secrets decrypted
  // (`defaultHost.Provider` in `pkg/host/host.go`). This plugin takes its configuration from `Configure`
  // only, so that copy of the project secret is dropped before anything could pass it on to a child.
  delete process.env["PULUMI_CONFIG"];
  const log = new EngineLog((text) => process.stderr.write(`${text}\n`));
  log.connect(engineAddress(process.argv.slice(2)));
  // The core's operator messages: secret-free lines that the user must see, with the resource.
  console.warn = log.warn;
  const service = new ResourceProviderService(
    { version: manifest.version, schema: JSON.stringify(schema) },
    log,
  );
  const { port } = await serve(service);
  process.stdout.write(`${port}\n`);
}

main().catch((error: unknown) => {
  // Before the port is printed the engine shows this to the user; it names no value.
  process.stderr.write(
    `pulumi-resource-stytch failed to start: ${error instanceof Error ? error.message : "unknown error"}\n`,
  );
  process.exit(1);
});
