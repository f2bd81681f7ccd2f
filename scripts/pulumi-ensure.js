#!/usr/bin/env node
"use strict";

// Provides a Pulumi CLI for this repository's tests and examples, and prints
// the absolute path of a directory holding `pulumi`, `pulumi-language-nodejs`
// and `pulumi-resource-pulumi-nodejs` as the LAST line of stdout. Everything
// else goes to stderr, so callers can do:
//
//   npm run --silent pulumi:ensure | tail -n 1
//
// Lookup order:
//   1. $STYTCH_ROTATION_PULUMI_DIR (validated, never modified);
//   2. a `pulumi` already on PATH (never triggers a build);
//   3. the build cache in ${XDG_CACHE_HOME:-~/.cache}/pulumi-stytch-client-secret-rotation;
//   4. a build from the Go module proxy using tools/pulumi-cli (takes minutes).
//
// Plain CommonJS without dependencies: it must run before `npm install` has
// finished mattering, and under Node.js 20 and 22.

const childProcess = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

// The one place the CLI version is pinned. tools/pulumi-cli/go.mod must
// require github.com/pulumi/pulumi/pkg/v3 at the same version; the build
// refuses to run if they drift apart. v3.274.1 is the newest pkg/v3 the Go
// module proxy available to us serves whole (checked 2026-11-26).
const PULUMI_VERSION = "3.274.1";
const VERSION_TAG = `v${PULUMI_VERSION}`;

const EXECUTABLES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
];
const LAUNCHER = "pulumi-resource-pulumi-nodejs";

const repoRoot = path.resolve(__dirname, "..");
const toolsDir = path.join(repoRoot, "tools", "pulumi-cli");
const cacheRoot = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
  "pulumi-stytch-client-secret-rotation",
);
// The unit that is published atomically: bin/ plus the stamp describing it.
const cacheEntry = path.join(cacheRoot, `pulumi-${VERSION_TAG}`);
const cacheBin = path.join(cacheEntry, "bin");
const stampFile = path.join(cacheEntry, "build-stamp.json");
const lockDir = `${cacheEntry}.lock`;

const PROGRESS_INTERVAL_MS = 30 * 1000;
// A build takes ~6 minutes on 2 cores; waiting far longer than that for
// another process means something is wrong with it.
const LOCK_WAIT_LIMIT_MS = 45 * 60 * 1000;
// A lock directory whose owner never wrote its pid is considered abandoned
// after this long (the owner writes it right after mkdir).
const OWNERLESS_LOCK_GRACE_MS = 60 * 1000;

class UsageError extends Error {}

function log(message) {
  process.stderr.write(`[pulumi:ensure] ${message}\n`);
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function missingExecutables(dir) {
  return EXECUTABLES.filter((name) => !isExecutableFile(path.join(dir, name)));
}

function findOnPath(name) {
  for (const entry of (process.env.PATH || "").split(path.delimiter)) {
    if (!entry) continue;
    const candidate = path.resolve(entry, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function formatDuration(ms) {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------
// 1. Explicit directory

function fromEnvironment() {
  const value = process.env.STYTCH_ROTATION_PULUMI_DIR;
  if (!value) return undefined;
  const dir = path.resolve(value);
  const missing = missingExecutables(dir);
  if (missing.length > 0) {
    throw new UsageError(
      `STYTCH_ROTATION_PULUMI_DIR=${value} must be a directory holding the executables ` +
        `${EXECUTABLES.join(", ")}; missing or not executable: ${missing.join(", ")}.`,
    );
  }
  log(`using STYTCH_ROTATION_PULUMI_DIR: ${dir}`);
  return dir;
}

// ---------------------------------------------------------------------------
// 2. An installed Pulumi

function fromPath() {
  const pulumi = findOnPath("pulumi");
  if (!pulumi) return undefined;

  // Installers often put a symlink on PATH; the language host ships next to
  // the real binary, so look in both places.
  const dirs = [path.dirname(pulumi)];
  try {
    const realDir = path.dirname(fs.realpathSync(pulumi));
    if (realDir !== dirs[0]) dirs.push(realDir);
  } catch {
    // A dangling link fails isExecutableFile before we get here.
  }

  for (const dir of dirs) {
    if (missingExecutables(dir).length === 0) {
      log(`using the Pulumi CLI on PATH: ${dir}`);
      return dir;
    }
  }

  const pulumiDir = dirs.find((dir) =>
    isExecutableFile(path.join(dir, "pulumi-language-nodejs")),
  );
  const languageHost = pulumiDir
    ? path.join(pulumiDir, "pulumi-language-nodejs")
    : findOnPath("pulumi-language-nodejs");
  if (!languageHost) {
    log(
      `found ${pulumi} but no pulumi-language-nodejs next to it or on PATH; ignoring it`,
    );
    return undefined;
  }
  const launcher = findOnPath(LAUNCHER);
  return composeAroundInstalledPulumi(pulumi, languageHost, launcher);
}

// The installed Pulumi lacks the dynamic-provider launcher (it normally ships
// with it, but package managers sometimes split it out). Build a small
// directory of symlinks to the installed binaries plus the launcher. Note: the
// engine finds bundled plugins next to the *resolved* pulumi binary, or on
// PATH, so callers must put this directory on PATH.
function composeAroundInstalledPulumi(pulumi, languageHost, launcher) {
  const key = crypto
    .createHash("sha256")
    .update(`${pulumi}\0${languageHost}\0${launcher || ""}`)
    .digest("hex")
    .slice(0, 12);
  const entry = path.join(cacheRoot, `installed-${key}`);
  const bin = path.join(entry, "bin");

  const wanted = {
    pulumi: fs.realpathSync(pulumi),
    "pulumi-language-nodejs": fs.realpathSync(languageHost),
  };
  if (launcher) wanted[LAUNCHER] = fs.realpathSync(launcher);

  const upToDate =
    missingExecutables(bin).length === 0 &&
    Object.entries(wanted).every(([name, target]) => {
      try {
        return fs.readlinkSync(path.join(bin, name)) === target;
      } catch {
        return false;
      }
    });
  if (upToDate) {
    log(`using the Pulumi CLI on PATH (${pulumi}) via ${bin}`);
    return bin;
  }

  // Resolve the launcher before creating anything, so a missing
  // node_modules fails cleanly.
  const launcherSource = launcher ? undefined : launcherFromNodeModules();

  fs.mkdirSync(cacheRoot, { recursive: true });
  const staging = fs.mkdtempSync(`${entry}.tmp-`);
  try {
    fs.mkdirSync(path.join(staging, "bin"));
    for (const [name, target] of Object.entries(wanted)) {
      fs.symlinkSync(target, path.join(staging, "bin", name));
    }
    if (launcherSource)
      installLauncher(launcherSource, path.join(staging, "bin"));
    publish(staging, entry);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`using the Pulumi CLI on PATH (${pulumi}) via ${bin}`);
  return bin;
}

// ---------------------------------------------------------------------------
// The dynamic-provider launcher

// `pulumi-resource-pulumi-nodejs` is a 4-line shell script shipped in the
// @pulumi/pulumi npm package. It is copied rather than symlinked: node_modules
// gets deleted and reinstalled, and the cache must survive that. Copying is
// safe because the script itself resolves @pulumi/pulumi from the program's
// working directory at run time, so it works with whatever SDK version each
// program has installed.
function launcherFromNodeModules() {
  let packageJson;
  try {
    packageJson = require.resolve("@pulumi/pulumi/package.json", {
      paths: [repoRoot],
    });
  } catch {
    throw new UsageError(
      `@pulumi/pulumi is not installed in ${repoRoot}; run \`npm install\` first ` +
        `(its ${LAUNCHER} launcher is needed for dynamic resources).`,
    );
  }
  const source = path.join(path.dirname(packageJson), LAUNCHER);
  if (!fs.existsSync(source)) {
    throw new UsageError(
      `${source} does not exist; this @pulumi/pulumi package does not ship the ${LAUNCHER} launcher.`,
    );
  }
  return source;
}

function installLauncher(source, binDir) {
  const target = path.join(binDir, LAUNCHER);
  fs.copyFileSync(source, target);
  fs.chmodSync(target, 0o755);
}

// ---------------------------------------------------------------------------
// 3. The build cache

// Identifies what a cache entry was built from, so that editing
// tools/pulumi-cli (dependencies, the language host) invalidates the cache.
function buildInputsHash() {
  const hash = crypto.createHash("sha256");
  hash.update(`${VERSION_TAG}\0${JSON.stringify(buildFlags())}\0`);
  const files = [];
  const walk = (dir) => {
    for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, dirent.name);
      if (dirent.isDirectory()) walk(full);
      else if (/\.(go|mod|sum)$/.test(dirent.name)) files.push(full);
    }
  };
  walk(toolsDir);
  for (const file of files.sort()) {
    hash.update(`${path.relative(toolsDir, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function fileIdentity(file) {
  const stat = fs.statSync(file);
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}

function sameIdentity(a, b) {
  return (
    a && b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino
  );
}

// Runs `pulumi version` with a throwaway PULUMI_HOME (it writes a log file per
// invocation) and without touching the network.
function pulumiVersionOf(binDir) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-ensure-home-"));
  try {
    const result = childProcess.spawnSync(
      path.join(binDir, "pulumi"),
      ["version"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          PULUMI_HOME: home,
          PULUMI_SKIP_UPDATE_CHECK: "true",
        },
        timeout: 60 * 1000,
      },
    );
    return result.status === 0 ? result.stdout.trim() : undefined;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

// `pulumi version` costs ~0.4 s (Go init of a 115 MB binary), too slow for
// every cache hit. It is run once when an entry is built and recorded in the
// stamp together with the binaries' identities; a hit re-runs it only if a
// binary was replaced since.
function fromCache(inputsHash) {
  if (missingExecutables(cacheBin).length > 0) return undefined;
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, "utf8"));
  } catch {
    return undefined;
  }
  if (stamp.inputsHash !== inputsHash) {
    log(`cached CLI in ${cacheEntry} was built from other sources; rebuilding`);
    return undefined;
  }
  const unchanged = EXECUTABLES.every((name) =>
    sameIdentity(stamp.files?.[name], fileIdentity(path.join(cacheBin, name))),
  );
  if (!unchanged) {
    const version = pulumiVersionOf(cacheBin);
    if (version !== VERSION_TAG) {
      log(
        `cached CLI in ${cacheBin} reports ${version || "an error"} instead of ${VERSION_TAG}; rebuilding`,
      );
      return undefined;
    }
  }
  log(`using cached Pulumi CLI ${VERSION_TAG}: ${cacheBin}`);
  return cacheBin;
}

// Moves a fully prepared staging directory to `target` in one rename, so a
// reader sees either the old entry, the new one, or none — never half of one.
function publish(staging, target) {
  const retired = `${target}.old-${process.pid}-${Date.now()}`;
  let hadOld = false;
  try {
    fs.renameSync(target, retired);
    hadOld = true;
  } catch (err) {
    if (err.code !== "ENOENT") throw err;
  }
  fs.renameSync(staging, target);
  if (hadOld) fs.rmSync(retired, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Lock: an mkdir-based lock next to the cache entry, so two concurrent runs
// do not both spend minutes building (or publish over each other).

function processIsAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

function tryAcquireLock() {
  try {
    fs.mkdirSync(lockDir);
  } catch (err) {
    if (err.code === "EEXIST") return false;
    throw err;
  }
  fs.writeFileSync(
    path.join(lockDir, "owner.json"),
    JSON.stringify({
      pid: process.pid,
      host: os.hostname(),
      since: new Date().toISOString(),
    }),
  );
  return true;
}

// Returns a description of the holder, or undefined if the lock was stale
// and has been removed.
function inspectLock() {
  let owner;
  try {
    owner = JSON.parse(
      fs.readFileSync(path.join(lockDir, "owner.json"), "utf8"),
    );
  } catch {
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lockDir).mtimeMs;
    } catch {
      return undefined; // released meanwhile
    }
    if (age < OWNERLESS_LOCK_GRACE_MS) return "a process that is starting";
    log(`removing abandoned lock ${lockDir}`);
    fs.rmSync(lockDir, { recursive: true, force: true });
    return undefined;
  }
  if (owner.host === os.hostname() && !processIsAlive(owner.pid)) {
    log(`removing stale lock ${lockDir} left by pid ${owner.pid}`);
    fs.rmSync(lockDir, { recursive: true, force: true });
    return undefined;
  }
  return `pid ${owner.pid} on ${owner.host} since ${owner.since}`;
}

let lockHeld = false;

async function acquireLock() {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const started = Date.now();
  let lastReport = 0;
  for (;;) {
    if (tryAcquireLock()) {
      lockHeld = true;
      return;
    }
    const holder = inspectLock();
    if (holder === undefined) continue;
    const waited = Date.now() - started;
    if (waited > LOCK_WAIT_LIMIT_MS) {
      throw new UsageError(
        `gave up after ${formatDuration(waited)} waiting for ${lockDir} (held by ${holder}); ` +
          `if no build is running, delete that directory.`,
      );
    }
    if (waited === 0 || waited - lastReport >= PROGRESS_INTERVAL_MS) {
      log(
        `another run is building the Pulumi CLI (${holder}); waiting… ${formatDuration(waited)}`,
      );
      lastReport = waited;
    }
    await sleep(1000);
  }
}

function releaseLock() {
  lockHeld = false;
  fs.rmSync(lockDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// 4. Build from the Go module proxy

function findGo() {
  // /usr/local/go is where the official tarball installs; it is often not on
  // PATH for non-login shells such as CI steps.
  return (
    findOnPath("go") ||
    ["/usr/local/go/bin/go"].find((candidate) => isExecutableFile(candidate))
  );
}

function buildFlags() {
  return [
    "build",
    // go.sum is committed and complete: never let a build rewrite it.
    "-mod=readonly",
    "-trimpath",
    // The wrapper module lives in a git checkout; VCS stamping would need
    // git and adds nothing here.
    "-buildvcs=false",
    "-ldflags",
    `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${VERSION_TAG}`,
  ];
}

function checkGoModPin() {
  const goMod = fs.readFileSync(path.join(toolsDir, "go.mod"), "utf8");
  const match = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(goMod);
  if (!match || match[1] !== VERSION_TAG) {
    throw new UsageError(
      `tools/pulumi-cli/go.mod pins pkg/v3 at ${match ? match[1] : "nothing"} but ` +
        `scripts/pulumi-ensure.js pins ${VERSION_TAG}; update them together.`,
    );
  }
}

let activeChild;

function runWithProgress(command, args, options, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = childProcess.spawn(command, args, {
      ...options,
      // go's own output (e.g. "go: downloading …") is progress too: stderr.
      stdio: ["ignore", 2, 2],
    });
    activeChild = child;
    const timer = setInterval(() => {
      log(
        `${what}: still running, ${formatDuration(Date.now() - started)} elapsed`,
      );
    }, PROGRESS_INTERVAL_MS);
    const finish = (err) => {
      clearInterval(timer);
      activeChild = undefined;
      if (err) reject(err);
      else resolve(Date.now() - started);
    };
    child.on("error", (err) => finish(err));
    child.on("exit", (code, signal) => {
      if (code === 0) finish();
      else
        finish(
          new UsageError(
            `${what} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); see the output above.`,
          ),
        );
    });
  });
}

let activeStaging;

async function build(go, inputsHash) {
  checkGoModPin();
  const launcherSource = launcherFromNodeModules();

  fs.mkdirSync(cacheRoot, { recursive: true });
  // Staging lives next to the cache entry (same filesystem) so publishing is
  // a single rename.
  const staging = fs.mkdtempSync(`${cacheEntry}.tmp-`);
  activeStaging = staging;
  try {
    const bin = path.join(staging, "bin");
    fs.mkdirSync(bin);

    log(
      `building Pulumi CLI ${VERSION_TAG} with ${go}; this takes several minutes the first time ` +
        `(progress every ${PROGRESS_INTERVAL_MS / 1000}s)`,
    );
    const elapsed = await runWithProgress(
      go,
      [
        ...buildFlags(),
        "-o",
        bin + path.sep,
        "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        "./cmd/pulumi-language-nodejs",
      ],
      {
        cwd: toolsDir,
        env: {
          ...process.env,
          // Static binaries: no C toolchain needed, and the cache entry does
          // not depend on the machine's libc.
          CGO_ENABLED: "0",
          // A go.work somewhere above would silently change the build.
          GOWORK: "off",
        },
      },
      "go build",
    );
    log(`go build finished in ${formatDuration(elapsed)}`);

    installLauncher(launcherSource, bin);

    const missing = missingExecutables(bin);
    if (missing.length > 0) {
      throw new UsageError(`build produced no ${missing.join(", ")} in ${bin}`);
    }
    const version = pulumiVersionOf(bin);
    if (version !== VERSION_TAG) {
      throw new UsageError(
        `the freshly built pulumi reports ${version || "an error"} instead of ${VERSION_TAG}`,
      );
    }

    const files = {};
    for (const name of EXECUTABLES) {
      files[name] = fileIdentity(path.join(bin, name));
    }
    fs.writeFileSync(
      path.join(staging, "build-stamp.json"),
      JSON.stringify(
        {
          version,
          inputsHash,
          builtAt: new Date().toISOString(),
          // Identities as they will be after the rename (rename keeps inode,
          // size and mtime).
          files,
        },
        null,
        2,
      ),
    );
    publish(staging, cacheEntry);
    log(`installed Pulumi CLI ${VERSION_TAG} in ${cacheBin}`);
    return cacheBin;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    activeStaging = undefined;
  }
}

// ---------------------------------------------------------------------------

function noWayToGetCli() {
  return new UsageError(
    [
      "no Pulumi CLI found, and it cannot be built because `go` is not installed.",
      "Any one of these fixes it:",
      "  - install Pulumi (https://www.pulumi.com/docs/install/) and put `pulumi` on PATH;",
      "  - set STYTCH_ROTATION_PULUMI_DIR to a directory holding pulumi, pulumi-language-nodejs",
      "    and pulumi-resource-pulumi-nodejs;",
      `  - install Go (https://go.dev/doc/install) so this script can build Pulumi ${VERSION_TAG}`,
      "    from the Go module proxy (a few minutes, once).",
    ].join("\n"),
  );
}

async function ensure() {
  const explicit = fromEnvironment();
  if (explicit) return explicit;

  const installed = fromPath();
  if (installed) return installed;

  const inputsHash = buildInputsHash();
  const cached = fromCache(inputsHash);
  if (cached) return cached;

  const go = findGo();
  if (!go) throw noWayToGetCli();

  await acquireLock();
  try {
    // Another run may have finished the build while we waited.
    return fromCache(inputsHash) || (await build(go, inputsHash));
  } finally {
    releaseLock();
  }
}

// Ctrl-C or a harness timeout must not leave a lock that blocks the next run
// for a minute, nor a staging directory behind.
function onSignal(signal) {
  if (activeChild) activeChild.kill(signal);
  if (activeStaging) fs.rmSync(activeStaging, { recursive: true, force: true });
  if (lockHeld) releaseLock();
  process.exit(128 + os.constants.signals[signal]);
}

async function main() {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, onSignal);
  }
  try {
    const dir = await ensure();
    process.stdout.write(`${dir}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      log(`error: ${err.message}`);
    } else {
      log(`error: ${err.stack || err}`);
    }
    process.exitCode = 1;
  }
}

main();
