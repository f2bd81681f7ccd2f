/**
 * The native provider's examples, run as their READMEs say, against the emulator through the real engine:
 * `examples/yaml-rotation` (a YAML program, `pulumi up`) and `examples/go-rotation` (the Go program, run by
 * `go run . up` through the Automation API, since no Go language host is built here). Each one starts a
 * rotation, promotes it and destroys it, with the plugin installed by `pulumi plugin install` and stack
 * config as the only credentials.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  expectFreeOfSecrets,
  expectOnlyNewSecretWorks,
  stytchCalls,
} from "../helpers/harness";
import { e2eContext, useE2E, type E2EStack } from "../helpers/pulumi-harness";
import { anyString } from "../helpers/matchers";
import { repoRoot } from "../helpers/repo-files";

const { emulator, newStack } = useE2E();

/** A copy of an example's files (no build output), where a test may write the stack's config. */
function copyOfExample(name: string, files: string[]): string {
  const dir = fs.mkdtempSync(path.join(e2eContext().workRoot, `${name}-`));
  for (const file of files) {
    fs.copyFileSync(
      path.join(repoRoot, "examples", name, file),
      path.join(dir, file),
    );
  }
  return dir;
}

/** Runs the example's three commits: start, promote, destroy; `run` is how the example runs an operation. */
async function startPromoteDestroy(
  stack: E2EStack,
  run: (operation: "up" | "destroy") => Promise<void>,
): Promise<void> {
  const emu = emulator();
  const { m2m } = emu.seeded!;
  await stack.stack.setConfig("clientId", { value: m2m.clientId });

  emu.clearRequests();
  await run("up");
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate/start"]);
  const started = await stack.stack.outputs();
  const secret = String(started["billingWorkerSecret"]!.value);
  expect(started["billingWorkerSecret"]!.secret).toBe(true);
  expect(started["billingWorkerRotation"]!.value).toBe("pending");
  expect(emu.verifySecret(m2m.clientId, secret)).toBe("next");
  // Encrypted in the state: Pulumi's secret signature and ciphertext, not the value.
  const [rotation] = stack.rotationResources();
  expect(rotation!.outputs["newClientSecret"]).toEqual({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    ciphertext: anyString(),
  });

  await stack.stack.setConfig("promoted", { value: "true" });
  emu.clearRequests();
  await run("up");
  expect(stytchCalls(emu)).toEqual(["GET client", "POST rotate"]);
  expect((await stack.stack.outputs())["billingWorkerRotation"]!.value).toBe(
    "promoted",
  );
  await expectOnlyNewSecretWorks(emu, m2m.clientId, secret, m2m.clientSecret!);

  emu.clearRequests();
  await run("destroy");
  expect(emu.requests).toEqual([]);
  expectFreeOfSecrets(stack.persistedText() + stack.engineOutput.join("\n"), [
    secret,
    m2m.clientSecret,
    emu.projectSecret,
  ]);
}

test("examples/yaml-rotation: start, promote and destroy with pulumi up", async () => {
  const stack = await newStack({
    program: {
      dir: copyOfExample("yaml-rotation", ["Pulumi.yaml"]),
    },
    withPlugin: true,
  });
  await startPromoteDestroy(stack, async (operation) => {
    await (operation === "up" ? stack.up() : stack.destroy());
  });
});

test("examples/go-rotation: start, promote and destroy with go run . up, through the Automation API", async () => {
  const dir = copyOfExample("go-rotation", [
    "Pulumi.yaml",
    "main.go",
    "go.mod",
    "go.sum",
  ]);
  // The SDK the example's go.mod points at, where the copy finds it.
  const goMod = path.join(dir, "go.mod");
  fs.writeFileSync(
    goMod,
    fs
      .readFileSync(goMod, "utf8")
      .replace("=> ../../sdk/go", `=> ${path.join(repoRoot, "sdk/go")}`),
  );
  // `go run` builds, then runs; built once here, as `go run` would, and Go's build cache keeps it.
  const binary = path.join(dir, "go-rotation");
  const build = spawnSync(
    "go",
    ["build", "-mod=readonly", "-trimpath", "-o", binary, "."],
    { cwd: dir, encoding: "utf8" },
  );
  if (build.status !== 0) {
    throw new Error(
      `go build of examples/go-rotation failed:\n${build.stderr}`,
    );
  }

  const stack = await newStack({ program: { dir }, withPlugin: true });
  await startPromoteDestroy(stack, async (operation) => {
    const child = spawn(binary, [operation], {
      cwd: dir,
      env: {
        ...process.env,
        ...stack.stack.workspace.envVars,
        PULUMI_STACK: stack.stack.name,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.on("close", resolve),
    );
    stack.engineOutput.push(output);
    if (code !== 0)
      throw new Error(`go-rotation ${operation} failed:\n${output}`);
  });
});
