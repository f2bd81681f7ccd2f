/**
 * What `npm pack` puts in the published package: the compiled provider and emulator with their
 * declarations, the package's documents, and nothing else. No tests, fixtures or test build output, and
 * no source maps, which would embed the test sources and the secrets they use. Whether the packed
 * declarations compile for a user is checked by `test/e2e/consumer-types.test.ts`.
 *
 * The list comes from `npm pack --dry-run` over the `dist/` that `npm run test:unit` has just built.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { rootManifest } from "./helpers/packed-program";
import { repoRoot } from "./helpers/repo-files";
import { arrayContaining } from "./helpers/matchers";

interface PackResult {
  files: Array<{ path: string }>;
}

function packedFiles(): string[] {
  const result = spawnSync(
    "npm",
    ["pack", "--dry-run", "--json", "--ignore-scripts"],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(`npm pack --dry-run failed: ${result.stderr}`);
  }
  const [pack] = JSON.parse(result.stdout) as PackResult[];
  return pack!.files.map((file) => file.path).sort();
}

const manifest = rootManifest();
const files = packedFiles();
const DOCUMENTS = ["CHANGELOG.md", "LICENSE", "README.md", "package.json"];

test("holds the documents users need", () => {
  expect(files).toEqual(arrayContaining(DOCUMENTS));
});

/** The one data file shipped: the JSON Schema of `stytch-rotation status --json`. */
const STATUS_SCHEMA = "dist/cli/status-report.schema.json";

test("holds only compiled provider, emulator and command-line modules besides them", () => {
  const unexpected = files.filter(
    (file) =>
      !DOCUMENTS.includes(file) &&
      file !== STATUS_SCHEMA &&
      !/^dist\/(provider|emulator|cli)\/([a-z-]+\/)?[a-z-]+\.(js|d\.ts)$/.test(
        file,
      ),
  );
  // Spelled out so that a failure names the kind of leak.
  expect(files.filter((file) => /(^|\/)test\/|\.test\./.test(file))).toEqual(
    [],
  );
  expect(files.filter((file) => /fixture/.test(file))).toEqual([]);
  expect(files.filter((file) => file.startsWith("build/"))).toEqual([]);
  expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
  expect(unexpected).toEqual([]);
});

test("holds a .js and a .d.ts for every provider, emulator and command-line source module, and the status schema", () => {
  expect(files).toContain(STATUS_SCHEMA);
  const expected = ["provider", "emulator", "cli"].flatMap((dir) =>
    fs
      .readdirSync(path.join(repoRoot, dir), { recursive: true })
      .map(String)
      // The native plugin ships as its own executable (`npm run plugin:pack`), not in this package.
      .filter((file) => file.endsWith(".ts") && !file.startsWith("native/"))
      .flatMap((file) => {
        const base = `dist/${dir}/${file.replace(/\.ts$/, "")}`;
        return [`${base}.js`, `${base}.d.ts`];
      }),
  );
  expect(files).toEqual(arrayContaining(expected));
});

test("holds every file package.json points users at", () => {
  const exportTargets = Object.values(manifest.exports)
    .flatMap((target) =>
      typeof target === "string" ? [target] : Object.values(target),
    )
    .filter((target) => !target.includes("*"));
  const typesVersionsTargets = Object.values(manifest.typesVersions).flatMap(
    (mapping) => Object.values(mapping).flat(),
  );
  const targets = [
    manifest.main,
    manifest.types,
    ...Object.values(manifest.bin),
    ...exportTargets,
    ...typesVersionsTargets,
  ].map((target) => path.posix.normalize(target));
  expect(targets.filter((target) => !files.includes(target))).toEqual([]);
});

test("no packed module carries or points at a source map", () => {
  const withMaps = files.filter((file) =>
    /sourceMappingURL|sourcesContent/.test(
      fs.readFileSync(path.join(repoRoot, file), "utf8"),
    ),
  );
  expect(withMaps).toEqual([]);
});
