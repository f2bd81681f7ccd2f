/**
 * One core, two front-ends: `provider/core/` decides, the front-ends translate. What a module may import
 * says which it is, so the rule is checked on the import lines themselves: the core imports nothing from
 * Pulumi and nothing of a front-end, and neither front-end imports the other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoFiles, repoRoot } from "./helpers/repo-files";

/** The modules each TypeScript file of a folder imports, as written (`import`, `export … from`, `require`). */
function importsOf(folder: string): Array<{ file: string; module: string }> {
  return repoFiles()
    .filter((file) => file.startsWith(`${folder}/`) && file.endsWith(".ts"))
    .flatMap((file) => {
      const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
      const modules = [
        ...text.matchAll(/\bfrom\s+"([^"]+)"/g),
        ...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
        ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
      ].map((match) => match[1]!);
      return modules.map((module) => ({ file, module }));
    });
}

test("the core imports nothing from Pulumi and nothing of a front-end", () => {
  const imports = importsOf("provider/core");
  expect(imports.length).toBeGreaterThan(20);
  expect(
    imports.filter(
      ({ module }) => module.startsWith("@pulumi/") || module.startsWith("../"),
    ),
  ).toEqual([]);
});

test("the dynamic front-end reaches the core, never the native one", () => {
  const imports = importsOf("provider/dynamic");
  expect(imports.some(({ module }) => module.startsWith("../core/"))).toBe(
    true,
  );
  expect(imports.filter(({ module }) => module.includes("native"))).toEqual([]);
});
