#!/usr/bin/env node
/**
 * `npm run emulator` / `stytch-emulator`: runs the emulator in the foreground so that pipelines can be
 * rehearsed against it from other processes (`pulumi up` with `STYTCH_BASE_URL` pointing here).
 *
 * Usage: `stytch-emulator [--port N] [--host H] [--replace-pending] [--verbose]`
 * - `--port N` (or env `STYTCH_EMULATOR_PORT`), default 8787; `0` picks a free port.
 * - `--host H`, default 127.0.0.1. The provider accepts plain `http://` only for loopback hosts.
 * - `--replace-pending`: rotate/start while pending replaces the next secret instead of failing.
 * - `--verbose`: one line per request (method, path, status; never a body, header or secret).
 *
 * It prints the URL, the emulator-only project credentials and the seeded client *ids*. Client secrets
 * are never printed: they exist only in the one response that reveals them.
 */
import { startEmulator, type EmulatorOptions } from "./index";

const DEFAULT_PORT = 8787;

interface CliOptions {
  port: number;
  host: string;
  replacePending: boolean;
  verbose: boolean;
  help: boolean;
}

function usage(): string {
  return "Usage: stytch-emulator [--port N] [--host H] [--replace-pending] [--verbose]";
}

/** Parses argv and env. Throws with a usage line on anything it does not understand. */
function parseArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): CliOptions {
  const options: CliOptions = {
    port: parsePort(
      env["STYTCH_EMULATOR_PORT"] ?? String(DEFAULT_PORT),
      "STYTCH_EMULATOR_PORT",
    ),
    host: "127.0.0.1",
    replacePending: false,
    verbose: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=")
      ? arg.split("=", 2)
      : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined)
        throw new Error(`${flag} needs a value.\n${usage()}`);
      return next;
    };
    switch (flag) {
      case "--port":
        options.port = parsePort(value(), "--port");
        break;
      case "--host":
        options.host = value();
        break;
      case "--replace-pending":
        options.replacePending = true;
        break;
      case "--verbose":
        options.verbose = true;
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new Error(`Unknown argument "${arg}".\n${usage()}`);
    }
  }
  return options;
}

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `${source} must be a port number from 0 to 65535, got "${text}".`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  if (cli.help) {
    console.log(usage());
    return;
  }
  const options: EmulatorOptions = {
    port: cli.port,
    host: cli.host,
    alreadyRotating: cli.replacePending ? "replace" : "reject",
    onRequest: cli.verbose
      ? (r) => console.log(`${r.method} ${r.path} -> ${r.status}`)
      : undefined,
  };
  const emulator = await startEmulator(options).catch(
    (error: NodeJS.ErrnoException) => {
      console.error(
        error.code === "EADDRINUSE"
          ? `Port ${cli.port} is already in use; pass --port N (0 picks a free one) or set STYTCH_EMULATOR_PORT.`
          : `The emulator could not start: ${error.message}`,
      );
      process.exit(1);
    },
  );

  const seeded = emulator.seeded;
  console.log(
    [
      `Stytch emulator listening on ${emulator.url}`,
      "",
      "Emulator-only credentials (valid against this emulator only, never at Stytch):",
      `  project id:     ${emulator.projectId}`,
      `  project secret: ${emulator.projectSecret}`,
      "",
      "Seeded clients (ids only; client secrets are never printed):",
      `  M2M client:                          ${seeded?.m2m.clientId ?? "-"}`,
      `  Connected App (first_party):         ${seeded?.connectedApp.clientId ?? "-"}`,
      `  Connected App (first_party_public):  ${seeded?.publicConnectedApp.clientId ?? "-"}`,
      "",
      "Point the provider at it from another shell:",
      `  export STYTCH_BASE_URL=${emulator.url} STYTCH_PROJECT_ID=${emulator.projectId} STYTCH_SECRET=${emulator.projectSecret}`,
      "",
      "Inject faults with the project's Basic auth, e.g. a lost rotate/start response:",
      `  curl -u "$STYTCH_PROJECT_ID:$STYTCH_SECRET" -H 'content-type: application/json' \\`,
      `    -d '{"route":"/v1/m2m/clients/:client_id/secrets/rotate/start","dropResponse":true}' ${emulator.url}/_emulator/faults`,
      `  (DELETE ${emulator.url}/_emulator/faults clears them; GET ${emulator.url}/_emulator/requests lists requests.)`,
      "",
      "M2M access tokens are RS256 JWTs; the key set that verifies them (B2B clients use /v1/b2b/sessions/jwks/…):",
      `  ${emulator.url}/v1/sessions/jwks/${emulator.projectId}`,
      `  (POST ${emulator.url}/_emulator/keys/rotate, with the same Basic auth, signs new tokens with a new key.)`,
      "",
      "State is in memory and lost on exit. Press Ctrl+C to stop.",
    ].join("\n"),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\nReceived ${signal}, stopping the emulator.`);
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
