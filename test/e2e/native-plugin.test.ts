/**
 * The native provider plugin `pulumi-resource-stytch` through the real engine: packed as users get it
 * (`npm run plugin:pack`), installed with `pulumi plugin install resource stytch <version> --file`, and
 * driven by a program that registers `stytch:index:ClientSecretRotation` by its type token
 * (`test/e2e/native`). The only credentials are the stack's `stytch:*` config, which reaches the plugin
 * through `Configure`; the tests run with no STYTCH_* variable in the environment. Stytch calls are
 * counted at the emulator, and every persisted byte (state, history, PULUMI_HOME and its logs) and every
 * line the engine printed are searched for the secrets.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as emptyProto from "google-protobuf/google/protobuf/empty_pb";
import { e2eContext, useE2E } from "../helpers/pulumi-harness";
import { repoRoot } from "../helpers/repo-files";
import {
  adminCall,
  expectFreeOfSecrets,
  expectOnlyNewSecretWorks,
  m2mSecretWorks,
  stytchCalls,
} from "../helpers/harness";
import { anyString } from "../helpers/matchers";
import {
  BAD_CLIENT_ID,
  SECRET_SIG,
  expectBadClientIdRefused,
  expectNoCredentialsInEnvironment,
} from "../helpers/native-languages";

const { emulator, newStack, pendingRotation } = useE2E();

/** A stack of the native program (`test/e2e/native`), the plugin installed in its PULUMI_HOME. */
const NATIVE = { program: "native", withPlugin: true } as const;

// Credentials from the environment would reach the plugin too: these tests prove the stack config does.
beforeAll(expectNoCredentialsInEnvironment);

test("the executable runs with no Node.js on PATH and no node_modules: it prints its port and serves the protocol", async () => {
  const { plugin } = e2eContext();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-alone-"));
  // No environment at all but a PATH that holds nothing; the engine address leads nowhere.
  const child = spawn(plugin.executable, ["127.0.0.1:1"], {
    cwd,
    env: { PATH: "/nonexistent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
      });
      child.on("exit", (code, signal) =>
        reject(
          new Error(
            `the plugin exited (${code ?? signal ?? "?"}) before its port: ${stderr}`,
          ),
        ),
      );
    });
    expect(port).toMatch(/^\d+$/);
    const client = new providerRpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    try {
      const info = await new Promise<string>((resolve, reject) =>
        client.getPluginInfo(new emptyProto.Empty(), (error, response) =>
          error ? reject(error) : resolve(response.getVersion()),
        ),
      );
      expect(info).toBe(plugin.version);
      const schema = await new Promise<string>((resolve, reject) =>
        client.getSchema(
          new providerProto.GetSchemaRequest(),
          (error, response) =>
            error ? reject(error) : resolve(response.getSchema()),
        ),
      );
      expect(JSON.parse(schema)).toMatchObject({
        name: "stytch",
        version: plugin.version,
      });
    } finally {
      client.close();
    }
    // Not Node's "single executable applications are experimental" warning, nor any other line.
    expect(stderr).toBe("");
  } finally {
    child.kill();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("schema.json, which the plugin serves, passes `pulumi schema check`", () => {
  const { cliDir } = e2eContext();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "schema-check-"));
  try {
    const result = spawnSync(
      path.join(cliDir, "pulumi"),
      ["schema", "check", path.join(repoRoot, "provider/native/schema.json")],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          PULUMI_HOME: home,
          PULUMI_SKIP_UPDATE_CHECK: "true",
        },
      },
    );
    expect(result.stderr + result.stdout).toBe("");
    expect(result.status).toBe(0);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("start, hand-off, promote, refresh and destroy through the plugin, with stack config as the only credentials", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack(NATIVE);
  await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);

  // Configure got the stack config through the engine: a rotation happens with no other credentials.
  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
  const started = await stack.outputs();
  const secret = started.secrets["billing"]!;
  expect(started.secretOutputsAreSecret).toBe(true);
  expect(started.info["billing"]).toMatchObject({
    clientId: m2m.clientId,
    status: "pending",
    lastFour: secret.slice(-4),
  });
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);
  expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(true);

  // The plugin itself made the secret a secret: the program asked for nothing.
  const [resource] = stack.rotationResources();
  expect(resource!.urn).toContain("::stytch:index:ClientSecretRotation::");
  expect(resource!.outputs["newClientSecret"]).toMatchObject({
    ...SECRET_SIG,
    ciphertext: anyString(),
  });
  expect(resource!.inputs).not.toHaveProperty("__provider");
  expect(resource!.id).toBe(`${m2m.clientId}:${secret.slice(-4)}`);

  emu.clearRequests();
  await stack.up();
  await stack.preview();
  expect(emu.requests).toHaveLength(0);

  await stack.setRotations([
    { name: "billing", clientId: m2m.clientId, promoted: true },
  ]);
  emu.clearRequests();
  await stack.up();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
  const promoted = await stack.outputs();
  expect(promoted.secrets["billing"]).toBe(secret);
  expect(promoted.secretOutputsAreSecret).toBe(true);
  expect(promoted.info["billing"]!.status).toBe("promoted");
  await expectOnlyNewSecretWorks(emu, m2m.clientId, secret, m2m.clientSecret!);

  emu.clearRequests();
  await stack.refresh();
  expect(stytchCalls(emu)).toEqual(["GET client"]);
  expect((await stack.outputs()).info["billing"]!.status).toBe("promoted");

  emu.clearRequests();
  await stack.destroy();
  expect(emu.requests).toHaveLength(0);
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(true);

  const secrets = [secret, emu.projectSecret, m2m.clientSecret];
  expectFreeOfSecrets(stack.persistedText(), secrets);
  expectFreeOfSecrets(stack.engineOutput.join("\n"), secrets);
});

test("destroying a pending rotation cancels it at Stytch", async () => {
  const { emu, m2m, stack, secret } = await pendingRotation(NATIVE);

  emu.clearRequests();
  await stack.destroy();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(false);
  expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(true);
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    secret,
    emu.projectSecret,
    m2m.clientSecret,
  ]);
});

test("the core's warnings reach the user through the engine, with the resource", async () => {
  const { emu, m2m, stack, secret } = await pendingRotation(NATIVE);
  // Someone cancels the rotation outside Pulumi: destroying it then has nothing to cancel, and says so.
  await adminCall(
    emu,
    "POST",
    `/v1/m2m/clients/${m2m.clientId}/secrets/rotate/cancel`,
  );

  emu.clearRequests();
  const destroyed = await stack.destroy();
  expect(stytchCalls(emu)).toEqual(["GET client"]);
  const printed = destroyed.stdout;
  expect(printed).toContain("warning:");
  expect(printed).toContain(
    `The rotation of ${m2m.clientId} (new secret ending ${secret.slice(-4)}) was no longer pending at Stytch, so nothing was cancelled.`,
  );
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    secret,
    emu.projectSecret,
    m2m.clientSecret,
  ]);
});

test("a bad input fails the preview naming the field, before any call to Stytch", async () => {
  const emu = emulator();
  const stack = await newStack(NATIVE);
  await stack.setRotations([{ name: "billing", clientId: BAD_CLIENT_ID }]);

  emu.clearRequests();
  expectBadClientIdRefused(await stack.failing("preview"), emu);
});

test("a preview with no credentials set anywhere succeeds; the up then names both ways to set them", async () => {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  const stack = await newStack({ ...NATIVE, credentials: "none" });
  await stack.setRotations([{ name: "billing", clientId: m2m.clientId }]);

  emu.clearRequests();
  const preview = await stack.preview();
  expect(preview.changeSummary).toMatchObject({ create: 2 });
  expect(emu.requests).toHaveLength(0);

  const output = await stack.failing("up");
  expect(output).toContain("pulumi config set stytch:projectId");
  expect(output).toContain("STYTCH_PROJECT_ID");
  expect(output).toContain("pulumi config set --secret stytch:secret");
  expect(emu.requests).toHaveLength(0);
});

test("a stack moves from the dynamic resource to the plugin with an alias: no Stytch call, the same secret, then the plugin cancels it", async () => {
  // A rotation started by the dynamic resource (test/e2e/fixture), still pending.
  const { emu, m2m, stack, secret } = await pendingRotation();
  const moved = await stack.inProgram("native", { withPlugin: true });
  await moved.setRotations([
    {
      name: "billing",
      clientId: m2m.clientId,
      // The type the dynamic resource registers (`pulumi.dynamic.Resource` with module "stytch").
      $aliases: [{ type: "pulumi-nodejs:dynamic/stytch:ClientSecretRotation" }],
    },
  ]);

  emu.clearRequests();
  const preview = await moved.preview();
  expect(preview.changeSummary).toEqual({ same: 2 });
  const up = await moved.up();
  expect(up.summary.resourceChanges).toEqual({ same: 2 });
  expect(emu.requests).toHaveLength(0);

  const { secrets, secretOutputsAreSecret, info } = await moved.outputs();
  expect(secrets["billing"]).toBe(secret);
  expect(secretOutputsAreSecret).toBe(true);
  expect(info["billing"]!.status).toBe("pending");
  const [resource] = moved.rotationResources();
  expect(resource!.urn).toContain("::stytch:index:ClientSecretRotation::");
  expect(resource!.outputs["newClientSecret"]).toMatchObject({
    ...SECRET_SIG,
    ciphertext: anyString(),
  });

  emu.clearRequests();
  await moved.destroy();
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/cancel"]);
  expect(await m2mSecretWorks(emu, m2m.clientId, secret)).toBe(false);
  expect(await m2mSecretWorks(emu, m2m.clientId, m2m.clientSecret!)).toBe(true);
  expectFreeOfSecrets(
    moved.persistedText() +
      stack.engineOutput.join("\n") +
      moved.engineOutput.join("\n"),
    [secret, emu.projectSecret, m2m.clientSecret],
  );
});
