/**
 * The committed SDKs (`sdk/`) compile: TypeScript with tsc against the `@pulumi/pulumi` this repository
 * installs, Python with the machine's `python3` (syntax only: Pulumi for Python is not installed here),
 * and Go through a program that uses `sdk/go` with a `replace` directive (`test/sdk-consumers/go`),
 * vetted and built against `sdk/v3` v3.276.0. C# is not compiled: there is no .NET SDK on these machines.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeExit, findGo } from "../scripts/go-tool";
import { SDK_DIR } from "../scripts/sdk-generate";
import { repoFiles, repoRoot } from "./helpers/repo-files";

/** Runs a command; fails the test with its output unless it succeeds. */
function mustRun(
  command: string,
  args: string[],
  options: SpawnSyncOptions = {},
): void {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(
      `${[command, ...args].join(" ")} ended with ${describeExit(result)}:\n` +
        `${String(result.stdout)}${String(result.stderr)}`,
    );
  }
}

test("the TypeScript SDK compiles against the installed @pulumi/pulumi", () => {
  mustRun(process.execPath, [
    require.resolve("typescript/bin/tsc", { paths: [repoRoot] }),
    "--noEmit",
    "-p",
    path.join(SDK_DIR, "nodejs", "tsconfig.json"),
  ]);
});

test("every file of the Python SDK is valid Python", () => {
  const files = repoFiles().filter((file) =>
    /^sdk\/python\/.*\.pyi?$/.test(file),
  );
  expect(files).toContain("sdk/python/pulumi_stytch/client_secret_rotation.py");
  // compile() without writing __pycache__ into the SDK, as py_compile would.
  mustRun("python3", [
    "-c",
    'import sys\nfor f in sys.argv[1:]: compile(open(f, encoding="utf-8").read(), f, "exec")',
    ...files,
  ]);
});

test(
  "a Go program using the Go SDK through a replace directive vets and builds",
  () => {
    const go = findGo();
    if (!go) throw new Error("no `go` on PATH or in /usr/local/go/bin");
    const consumer = path.join(repoRoot, "test/sdk-consumers/go");
    const options: SpawnSyncOptions = {
      cwd: consumer,
      env: {
        ...process.env,
        CGO_ENABLED: "0",
        GOWORK: "off",
        GOFLAGS: "-mod=readonly",
      },
    };
    mustRun(
      go,
      [
        "vet",
        "-trimpath",
        ".",
        "github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch/...",
      ],
      options,
    );
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-go-consumer-"));
    try {
      mustRun(
        go,
        ["build", "-trimpath", "-o", path.join(out, "consumer"), "."],
        options,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  // Cold, this compiles sdk/v3's Go SDK (minutes on 2 cores); afterwards the Go build cache has it.
  20 * 60 * 1000,
);
