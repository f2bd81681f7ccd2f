/**
 * Builds a command-line tool from Go modules under `tools/` with the Go module proxy, and caches it per
 * machine. The Pulumi CLI (`scripts/pulumi-cli.ts`), actionlint (`scripts/actionlint.ts`) and the SDK
 * generators (`scripts/sdk-generate.ts`) all come from here; each one is a {@link GoToolSpec}.
 *
 * A cache entry is `${XDG_CACHE_HOME:-~/.cache}/pulumi-stytch-client-secret-rotation/<name>-<version>`:
 * `bin/` plus `build-stamp.json`, which records what the entry was built from (a hash of its modules'
 * `.go`, `go.mod` and `go.sum` files, the versions and the build flags) and the identity of each binary.
 * An entry is published with one rename, so a reader never sees half of one, and built under an
 * mkdir-based lock, so two concurrent runs do not both spend minutes building it.
 *
 * Progress goes to stderr. Only {@link runEnsureCli} writes to stdout: the directory, as its last line.
 */
import * as childProcess from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The repository this script belongs to; compiled, it runs from `build/scripts/`. */
export const repoRoot = findRepoRoot(__dirname);

/** Where every tool this repository builds is cached. */
export const cacheRoot = path.join(
  process.env["XDG_CACHE_HOME"] || path.join(os.homedir(), ".cache"),
  "pulumi-stytch-client-secret-rotation",
);

const PROGRESS_INTERVAL_MS = 30 * 1000;
// The slowest build (the Pulumi CLI) takes ~7 minutes on 2 cores; waiting far longer than that for
// another process means something is wrong with it.
const LOCK_WAIT_LIMIT_MS = 45 * 60 * 1000;
// A lock directory whose owner never wrote its pid is considered abandoned after this long (the owner
// writes it right after mkdir).
const OWNERLESS_LOCK_GRACE_MS = 60 * 1000;

/** A failure whose message says what to do; printed without a stack trace. */
export class UsageError extends Error {
  override name = "UsageError" as const;
}

/** One `go build` into a tool's `bin/`: packages of one Go module, with a version stamped in. */
export interface GoBuild {
  /** The version tag the binaries report, e.g. `"v3.276.0"`. */
  version: string;
  /** The Go module that pins the tool, relative to the repository root (e.g. `tools/pulumi-cli`). */
  moduleDir: string;
  /** The module whose `go.mod` requirement must equal {@link GoBuild.version}. */
  pinnedModule: string;
  /** The Go variable that `-ldflags -X` sets to the version. */
  versionVariable: string;
  /** The packages `go build` builds into `bin/`, as given to `go build` in {@link GoBuild.moduleDir}. */
  packages: string[];
}

/** How to build, check and name one tool. Its own {@link GoBuild} names the cache entry. */
export interface GoToolSpec extends GoBuild {
  /** Cache entry prefix, e.g. `"pulumi"` gives `pulumi-v3.276.0`. */
  name: string;
  /** For messages, e.g. `"Pulumi CLI"`. */
  displayName: string;
  /** Prefix of every progress line, e.g. `"pulumi:ensure"`. */
  logTag: string;
  /**
   * More builds into the same `bin/`, each from a Go module of its own: for a program that cannot share
   * the tool's module because it needs another version of a common dependency.
   */
  alsoBuilds?: GoBuild[];
  /** Every executable a complete `bin/` holds. */
  executables: string[];
  /**
   * Files copied into `bin/` after the build (made executable), by executable name → source path.
   * Called before the build starts, so that a missing source fails before minutes of compiling.
   */
  extraExecutables?: () => Record<string, string>;
  /** Runs a built `bin/` and returns the version it reports, or `undefined` if it fails. */
  reportedVersion: (binDir: string) => string | undefined;
  /** How long a cold build takes, for the progress message, e.g. `"several minutes"`. */
  buildTime: string;
  /** The message when there is no cached build and no Go to make one. */
  noGoMessage: () => string;
}

/** Writes a progress line to stderr. */
export function log(tag: string, message: string): void {
  process.stderr.write(`[${tag}] ${message}\n`);
}

/** Whether `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executables of `names` that `dir` lacks or cannot run. */
export function missingExecutables(
  dir: string,
  names: readonly string[],
): string[] {
  return names.filter((name) => !isExecutableFile(path.join(dir, name)));
}

/** The first executable called `name` on `PATH`. */
export function findOnPath(name: string): string | undefined {
  for (const entry of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (!entry) continue;
    const candidate = path.resolve(entry, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Copies `source` into `binDir` as the executable `name`. */
export function copyExecutable(
  source: string,
  binDir: string,
  name: string,
): void {
  const target = path.join(binDir, name);
  fs.copyFileSync(source, target);
  fs.chmodSync(target, 0o755);
}

/**
 * The first line a command prints to stdout, or `undefined` if it fails. The tools' version commands
 * need no network and finish in well under a second.
 */
export function firstLineOf(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const result = childProcess.spawnSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env,
    timeout: 60 * 1000,
  });
  return result.status === 0 ? result.stdout.split("\n")[0]?.trim() : undefined;
}

/**
 * How a child process ended, for a message: `exit code 2`, `signal SIGTERM`, or, for one that never ran
 * (`spawnSync` sets `error` and leaves both null), why not.
 */
export function describeExit(ended: {
  status: number | null;
  signal: NodeJS.Signals | null;
  error?: Error | undefined;
}): string {
  if (ended.status !== null) return `exit code ${ended.status}`;
  if (ended.signal !== null) return `signal ${ended.signal}`;
  return ended.error ? ended.error.message : "no exit code";
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json above ${start}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// What a cache entry holds

interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

interface BuildStamp {
  version: string;
  inputsHash: string;
  builtAt: string;
  files: Record<string, FileIdentity>;
}

/** Paths of one tool's cache entry. */
function entryPaths(spec: GoToolSpec): {
  entry: string;
  bin: string;
  stamp: string;
  lock: string;
} {
  const entry = path.join(cacheRoot, `${spec.name}-${spec.version}`);
  return {
    entry,
    bin: path.join(entry, "bin"),
    stamp: path.join(entry, "build-stamp.json"),
    lock: `${entry}.lock`,
  };
}

function buildFlags(build: GoBuild): string[] {
  return [
    "build",
    // go.sum is committed and complete: never let a build rewrite it.
    "-mod=readonly",
    "-trimpath",
    // The wrapper module lives in a git checkout; VCS stamping would need git and adds nothing here.
    "-buildvcs=false",
    "-ldflags",
    `-s -w -X ${build.versionVariable}=${build.version}`,
  ];
}

function allBuilds(spec: GoToolSpec): GoBuild[] {
  return [spec, ...(spec.alsoBuilds ?? [])];
}

/**
 * Identifies what a cache entry was built from, so that editing the tool's modules (dependencies,
 * sources) invalidates the cache. A module's files are its `.go`, `go.mod` and `go.sum` files, less those
 * of a module nested in it, plus those of each local module its `go.mod` replaces a requirement with.
 */
function buildInputsHash(spec: GoToolSpec): string {
  const hash = crypto.createHash("sha256");
  for (const build of allBuilds(spec)) {
    const moduleDir = path.join(repoRoot, build.moduleDir);
    hash.update(`${build.version}\0${JSON.stringify(buildFlags(build))}\0`);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, dirent.name);
        if (dirent.isDirectory()) {
          if (!fs.existsSync(path.join(full, "go.mod"))) walk(full);
        } else if (/\.(go|mod|sum)$/.test(dirent.name)) files.push(full);
      }
    };
    walk(moduleDir);
    for (const replaced of localReplacements(moduleDir)) walk(replaced);
    for (const file of files.sort()) {
      hash.update(`${path.relative(moduleDir, file)}\0`);
      hash.update(fs.readFileSync(file));
      hash.update("\0");
    }
  }
  return hash.digest("hex");
}

/** The directories of the local modules (`=> ./dir`, `=> ../dir`) that a module's `go.mod` replaces. */
function localReplacements(moduleDir: string): string[] {
  const goMod = fs.readFileSync(path.join(moduleDir, "go.mod"), "utf8");
  return [...goMod.matchAll(/=>\s*(\.\.?\/\S*)\s*$/gm)].map((match) =>
    path.resolve(moduleDir, match[1] ?? ""),
  );
}

function fileIdentity(file: string): FileIdentity {
  const stat = fs.statSync(file);
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
}

function sameIdentity(a: FileIdentity | undefined, b: FileIdentity): boolean {
  return (
    a !== undefined &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ino === b.ino
  );
}

// Running the version command costs ~0.4 s for the Pulumi CLI (Go init of a 115 MB binary), too slow for
// every cache hit. It runs once when an entry is built and is recorded in the stamp together with the
// binaries' identities; a hit runs it again only if a binary was replaced since.
function fromCache(spec: GoToolSpec, inputsHash: string): string | undefined {
  const { entry, bin, stamp: stampFile } = entryPaths(spec);
  if (missingExecutables(bin, spec.executables).length > 0) return undefined;
  let stamp: Partial<BuildStamp>;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, "utf8")) as BuildStamp;
  } catch {
    return undefined;
  }
  if (stamp.inputsHash !== inputsHash) {
    log(
      spec.logTag,
      `cached ${spec.displayName} in ${entry} was built from other sources; rebuilding`,
    );
    return undefined;
  }
  const unchanged = spec.executables.every((name) =>
    sameIdentity(stamp.files?.[name], fileIdentity(path.join(bin, name))),
  );
  if (!unchanged) {
    const version = spec.reportedVersion(bin);
    if (version !== spec.version) {
      log(
        spec.logTag,
        `cached ${spec.displayName} in ${bin} reports ${version || "an error"} instead of ${spec.version}; rebuilding`,
      );
      return undefined;
    }
  }
  log(spec.logTag, `using cached ${spec.displayName} ${spec.version}: ${bin}`);
  return bin;
}

/**
 * Moves a fully prepared staging directory to `target` in one rename, so a reader sees either the old
 * entry, the new one, or none — never half of one.
 */
export function publish(staging: string, target: string): void {
  const retired = `${target}.old-${process.pid}-${Date.now()}`;
  let hadOld = false;
  try {
    fs.renameSync(target, retired);
    hadOld = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.renameSync(staging, target);
  if (hadOld) fs.rmSync(retired, { recursive: true, force: true });
}

/**
 * A fresh staging directory next to `entry` (same filesystem, so publishing is one rename), removed
 * again by {@link cleanUpAfterSignal} if the process is interrupted.
 */
export function makeStaging(entry: string): string {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const staging = fs.mkdtempSync(`${entry}.tmp-`);
  active.stagings.add(staging);
  return staging;
}

/** Removes a staging directory made by {@link makeStaging}. */
export function removeStaging(staging: string): void {
  fs.rmSync(staging, { recursive: true, force: true });
  active.stagings.delete(staging);
}

// ---------------------------------------------------------------------------------------------------
// What this process holds, so that Ctrl-C or a harness timeout leaves no lock that blocks the next run
// for a minute, no staging directory and no orphaned `go build`.

const active = {
  child: undefined as childProcess.ChildProcess | undefined,
  stagings: new Set<string>(),
  locks: new Set<string>(),
};

function cleanUpAfterSignal(signal: NodeJS.Signals): void {
  active.child?.kill(signal);
  for (const staging of active.stagings) {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  for (const lock of active.locks) {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Lock: an mkdir-based lock next to the cache entry.

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryAcquireLock(lockDir: string): boolean {
  try {
    fs.mkdirSync(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
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

/** Describes the holder, or returns `undefined` if the lock was stale and has been removed. */
function inspectLock(tag: string, lockDir: string): string | undefined {
  let owner: { pid: number; host: string; since: string };
  try {
    owner = JSON.parse(
      fs.readFileSync(path.join(lockDir, "owner.json"), "utf8"),
    ) as typeof owner;
  } catch {
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lockDir).mtimeMs;
    } catch {
      return undefined; // released meanwhile
    }
    if (age < OWNERLESS_LOCK_GRACE_MS) return "a process that is starting";
    log(tag, `removing abandoned lock ${lockDir}`);
    fs.rmSync(lockDir, { recursive: true, force: true });
    return undefined;
  }
  if (owner.host === os.hostname() && !processIsAlive(owner.pid)) {
    log(tag, `removing stale lock ${lockDir} left by pid ${owner.pid}`);
    fs.rmSync(lockDir, { recursive: true, force: true });
    return undefined;
  }
  return `pid ${owner.pid} on ${owner.host} since ${owner.since}`;
}

async function withLock<T>(
  spec: GoToolSpec,
  work: () => Promise<T>,
): Promise<T> {
  const { lock } = entryPaths(spec);
  fs.mkdirSync(cacheRoot, { recursive: true });
  const started = Date.now();
  let lastReport: number | undefined;
  while (!tryAcquireLock(lock)) {
    const holder = inspectLock(spec.logTag, lock);
    if (holder === undefined) continue;
    const waited = Date.now() - started;
    if (waited > LOCK_WAIT_LIMIT_MS) {
      throw new UsageError(
        `gave up after ${formatDuration(waited)} waiting for ${lock} (held by ${holder}); ` +
          `if no build is running, delete that directory.`,
      );
    }
    if (
      lastReport === undefined ||
      waited - lastReport >= PROGRESS_INTERVAL_MS
    ) {
      log(
        spec.logTag,
        `another run is building ${spec.displayName} ${spec.version} (${holder}); waiting… ${formatDuration(waited)}`,
      );
      lastReport = waited;
    }
    await sleep(1000);
  }
  active.locks.add(lock);
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
    active.locks.delete(lock);
  }
}

// ---------------------------------------------------------------------------------------------------
// Build from the Go module proxy

/** The `go` to build with: on PATH, or where the official tarball installs it. */
export function findGo(): string | undefined {
  // /usr/local/go is where the official tarball installs; it is often not on PATH for non-login shells
  // such as CI steps.
  return (
    findOnPath("go") ||
    ["/usr/local/go/bin/go"].find((candidate) => isExecutableFile(candidate))
  );
}

function checkGoModPin(spec: GoToolSpec, build: GoBuild): void {
  const goMod = fs.readFileSync(
    path.join(repoRoot, build.moduleDir, "go.mod"),
    "utf8",
  );
  const escaped = build.pinnedModule.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`${escaped} (v\\S+)`).exec(goMod);
  if (!match || match[1] !== build.version) {
    throw new UsageError(
      `${build.moduleDir}/go.mod pins ${build.pinnedModule} at ${match?.[1] ?? "nothing"} but ` +
        `scripts/ pins it at ${build.version} for the ${spec.displayName}; update them together.`,
    );
  }
}

/**
 * Runs `command` with its output on stderr, logging every 30 s that it still runs (a cold Go build takes
 * minutes); resolves with the milliseconds it took.
 *
 * @throws {@link UsageError} when it fails.
 */
export function runWithProgress(
  tag: string,
  command: string,
  args: string[],
  options: childProcess.SpawnOptions,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = childProcess.spawn(command, args, {
      ...options,
      // go's own output (e.g. "go: downloading …") is progress too: stderr.
      stdio: ["ignore", 2, 2],
    });
    active.child = child;
    const timer = setInterval(() => {
      log(
        tag,
        `${what}: still running, ${formatDuration(Date.now() - started)} elapsed`,
      );
    }, PROGRESS_INTERVAL_MS);
    const finish = (error?: Error): void => {
      clearInterval(timer);
      active.child = undefined;
      if (error) reject(error);
      else resolve(Date.now() - started);
    };
    child.on("error", (error) => finish(error));
    child.on("exit", (code, signal) => {
      if (code === 0) finish();
      else
        finish(
          new UsageError(
            `${what} failed (${describeExit({ status: code, signal })}); see the output above.`,
          ),
        );
    });
  });
}

async function build(
  spec: GoToolSpec,
  go: string,
  inputsHash: string,
): Promise<string> {
  const builds = allBuilds(spec);
  for (const each of builds) checkGoModPin(spec, each);
  const extras = spec.extraExecutables?.() ?? {};
  const { entry, bin: cacheBin } = entryPaths(spec);
  const staging = makeStaging(entry);
  try {
    const bin = path.join(staging, "bin");
    fs.mkdirSync(bin);

    log(
      spec.logTag,
      `building ${spec.displayName} ${spec.version} with ${go}; this takes ${spec.buildTime} the first time ` +
        `(progress every ${PROGRESS_INTERVAL_MS / 1000}s)`,
    );
    for (const each of builds) {
      const what =
        builds.length === 1 ? "go build" : `go build in ${each.moduleDir}`;
      const elapsed = await runWithProgress(
        spec.logTag,
        go,
        [...buildFlags(each), "-o", bin + path.sep, ...each.packages],
        {
          cwd: path.join(repoRoot, each.moduleDir),
          env: {
            ...process.env,
            // Static binaries: no C toolchain needed, and the cache entry does not depend on the
            // machine's libc.
            CGO_ENABLED: "0",
            // A go.work somewhere above would silently change the build.
            GOWORK: "off",
          },
        },
        what,
      );
      log(spec.logTag, `${what} finished in ${formatDuration(elapsed)}`);
    }

    for (const [name, source] of Object.entries(extras)) {
      copyExecutable(source, bin, name);
    }
    const missing = missingExecutables(bin, spec.executables);
    if (missing.length > 0) {
      throw new UsageError(`build produced no ${missing.join(", ")} in ${bin}`);
    }
    const version = spec.reportedVersion(bin);
    if (version !== spec.version) {
      throw new UsageError(
        `the freshly built ${spec.displayName} reports ${version || "an error"} instead of ${spec.version}`,
      );
    }

    const files: Record<string, FileIdentity> = {};
    for (const name of spec.executables) {
      files[name] = fileIdentity(path.join(bin, name));
    }
    const stamp: BuildStamp = {
      version,
      inputsHash,
      builtAt: new Date().toISOString(),
      // Identities as they will be after the rename (rename keeps inode, size and mtime).
      files,
    };
    fs.writeFileSync(
      path.join(staging, "build-stamp.json"),
      JSON.stringify(stamp, null, 2),
    );
    publish(staging, entry);
    log(
      spec.logTag,
      `installed ${spec.displayName} ${spec.version} in ${cacheBin}`,
    );
    return cacheBin;
  } finally {
    removeStaging(staging);
  }
}

/**
 * Returns the cached `bin/` of a tool, building it with Go first if the cache has no entry built from
 * the current sources. Concurrent callers (other processes too) wait for one build.
 *
 * @throws {@link UsageError} when there is no cached build and no Go, or the build fails.
 */
export async function ensureGoTool(spec: GoToolSpec): Promise<string> {
  const inputsHash = buildInputsHash(spec);
  const cached = fromCache(spec, inputsHash);
  if (cached) return cached;

  const go = findGo();
  if (!go) throw new UsageError(spec.noGoMessage());

  // Another run may have finished the build while we waited for the lock.
  return withLock(
    spec,
    async () =>
      fromCache(spec, inputsHash) ?? (await build(spec, go, inputsHash)),
  );
}

/**
 * The command-line contract of `npm run pulumi:ensure` and `npm run actionlint:ensure`: progress on
 * stderr, the directory as the last line of stdout, exit code 1 with a message on failure.
 */
export async function runEnsureCli(
  tag: string,
  ensure: () => Promise<string>,
): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      cleanUpAfterSignal(signal);
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  try {
    const dir = await ensure();
    process.stdout.write(`${dir}\n`);
  } catch (error) {
    log(
      tag,
      `error: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? String(error))}`,
    );
    process.exitCode = 1;
  }
}
