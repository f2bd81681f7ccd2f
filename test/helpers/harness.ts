/**
 * Shared test plumbing: a fresh emulator per test, a provider configured the way the Pulumi host does
 * it (through `configure`), and probes that use the emulator's real HTTP endpoints.
 */
import {
  startEmulator,
  type AlreadyRotatingMode,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../emulator";
import {
  ClientSecretRotationProvider,
  type ClientSecretRotationInputs,
} from "../../provider";
import { throughEngineWire, type EngineCarriedProvider } from "./engine-wire";

import { requestAccessToken } from "../../examples/gitops-rollover/consumer";

/** Whether the M2M token endpoint accepts this client id and secret, as a consumer would use them. */
export async function m2mSecretWorks(
  emulator: RunningEmulator,
  clientId: string,
  secret: string,
): Promise<boolean> {
  const token = await requestAccessToken(
    { projectId: emulator.projectId, baseUrl: emulator.url },
    clientId,
    secret,
  );
  return token.issued;
}

/** A rotation is complete at Stytch: the new secret gets access tokens and the old one is revoked. */
export async function expectOnlyNewSecretWorks(
  emulator: RunningEmulator,
  clientId: string,
  newSecret: string,
  oldSecret: string,
): Promise<void> {
  expect(await m2mSecretWorks(emulator, clientId, newSecret)).toBe(true);
  expect(await m2mSecretWorks(emulator, clientId, oldSecret)).toBe(false);
}

/**
 * What Stytch does with a rotate/start while a rotation is pending: its documentation does not say
 * whether it refuses or replaces, so the lifecycle, fault and interruption tests run against both.
 */
export const ALREADY_ROTATING_MODES: readonly AlreadyRotatingMode[] = [
  "reject",
  "replace",
];

/**
 * Starts an emulator and registers its shutdown after the current test. `options` may be a function,
 * read when each test starts, so that a `describe.each` can switch them (e.g. the Stytch behaviour).
 */
export function useEmulator(
  options?: EmulatorOptions | (() => EmulatorOptions),
): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  beforeEach(async () => {
    emulator = await startEmulator(
      typeof options === "function" ? options() : options,
    );
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  return () => {
    if (!emulator)
      throw new Error("the emulator is only available inside a test");
    return emulator;
  };
}

/**
 * Registers the tests of `body` once per {@link ALREADY_ROTATING_MODES} entry; `select` is told the mode
 * before that block's tests run, for the fixtures that start each test's emulator.
 */
export function describeEachStytchBehaviour(
  select: (mode: AlreadyRotatingMode) => void,
  body: (mode: AlreadyRotatingMode) => void,
): void {
  describe.each(ALREADY_ROTATING_MODES)(
    "when Stytch answers a rotate/start on a pending rotation with %s",
    (mode) => {
      beforeAll(() => select(mode));
      body(mode);
    },
  );
}

/**
 * A fresh emulator per test, and `forEachStytchBehaviour(body)`, which registers the tests of `body` once
 * per {@link ALREADY_ROTATING_MODES} entry, with each test's emulator in that mode.
 */
export function useEmulatorInEachStytchBehaviour(): {
  emulator: () => RunningEmulator;
  forEachStytchBehaviour: (body: (mode: AlreadyRotatingMode) => void) => void;
} {
  let current: AlreadyRotatingMode = "reject";
  return {
    emulator: useEmulator(() => ({ alreadyRotating: current })),
    forEachStytchBehaviour: (body) =>
      describeEachStytchBehaviour((mode) => (current = mode), body),
  };
}

/** Checked inputs of a rotation of the emulator's seeded M2M client, with `overrides`. */
export function seededM2MInputs(
  emulator: RunningEmulator,
  overrides: Partial<ClientSecretRotationInputs> = {},
): ClientSecretRotationInputs {
  return {
    clientId: emulator.seeded!.m2m.clientId,
    clientKind: "m2m",
    promoted: false,
    triggers: {},
    ...overrides,
  };
}

/**
 * A provider configured with stack config pointing at the emulator, as the Pulumi host would, and called
 * through the host's serialization (see `engine-wire.ts`), so tests see only what the engine carries.
 */
export async function providerFor(
  emulator: RunningEmulator,
  extraConfig: Record<string, string> = {},
): Promise<EngineCarriedProvider> {
  const provider = throughEngineWire(new ClientSecretRotationProvider());
  const values: Record<string, string> = {
    "stytch:projectId": emulator.projectId,
    "stytch:secret": emulator.projectSecret,
    "stytch:baseUrl": emulator.url,
    ...extraConfig,
  };
  await provider.configure({ config: stackConfig(values) });
  return provider;
}

/** A stack config as `configure` receives it. */
export function stackConfig(values: Record<string, string>) {
  return {
    get: (key: string) => values[key],
    require: (key: string) => {
      const value = values[key];
      if (value === undefined)
        throw new Error(`Missing required configuration key: ${key}`);
      return value;
    },
  };
}

/**
 * The Stytch calls served since the last `clearRequests()`, as "METHOD endpoint" with the client kind
 * left out, e.g. "POST rotate/start", "GET client".
 */
export function stytchCalls(emulator: RunningEmulator): string[] {
  return emulator.requests.map((r) => {
    if (!r.route) return `${r.method} ${r.path}`;
    // The OAuth endpoints a secret is verified with: "POST oauth2/token", "POST oauth2/introspect".
    if (!r.route.includes(":client_id")) {
      return `${r.method} ${r.route.replace(/^\/v1\/public\/:project_id\//, "")}`;
    }
    const suffix = r.route.split(":client_id")[1] ?? "";
    const name = suffix === "" ? "client" : suffix.replace(/^\/secrets\//, "");
    return `${r.method} ${name}`;
  });
}

/** Reads a client over HTTP with the project credentials. */
export async function readClient(
  emulator: RunningEmulator,
  kind: "m2m" | "connected_apps",
  clientId: string,
): Promise<Record<string, unknown>> {
  const response = await adminCall(
    emulator,
    "GET",
    `/v1/${kind}/clients/${encodeURIComponent(clientId)}`,
  );
  return response[kind === "m2m" ? "m2m_client" : "connected_app"] as Record<
    string,
    unknown
  >;
}

/** An out-of-band call, as an operator or another tool would make it. */
export async function adminCall(
  emulator: RunningEmulator,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(emulator.url + path, {
    method,
    headers: {
      Authorization:
        "Basic " +
        Buffer.from(`${emulator.projectId}:${emulator.projectSecret}`).toString(
          "base64",
        ),
      ...(method === "GET" ? {} : { "Content-Type": "application/json" }),
    },
    ...(method === "GET" ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200)
    throw new Error(
      `${method} ${path}: ${response.status} ${String(answer["error_type"])}`,
    );
  return answer;
}

/** Collects everything written through console.* while `run` executes. */
export async function captureConsole<T>(
  run: () => Promise<T>,
): Promise<{ result?: T; error?: unknown; output: string }> {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    };
  }
  try {
    return { result: await run(), output: lines.join("\n") };
  } catch (error) {
    return { error, output: lines.join("\n") };
  } finally {
    methods.forEach((m, i) => (console[m] = originals[i]!));
  }
}

/** Everything an error exposes when printed by the Pulumi host (`${e}: ${e.stack}`), causes included. */
export function printedError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    parts.push(
      String(current), // eslint-disable-line @typescript-eslint/no-base-to-string -- the host prints `${e}` of whatever was thrown, and this copies it
      (current as Error).stack ?? "",
      JSON.stringify(current) ?? "",
    );
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join("\n");
}

/** Asserts that none of the secrets occurs in the text. */
export function expectFreeOfSecrets(
  text: string,
  secrets: Array<string | null | undefined>,
): void {
  for (const secret of secrets) {
    if (!secret) continue;
    expect(text.includes(secret)).toBe(false);
  }
}
