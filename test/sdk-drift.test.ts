/**
 * The committed SDKs (`sdk/`) are exactly what `npm run sdk:generate` writes from the schema
 * (`provider/native/schema.json`): a schema edit without regenerating, or a hand edit of a generated
 * file, fails here, naming each file. And each SDK keeps the new client secret a Pulumi secret.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ensureSdkGenerators,
  generateSdks,
  SDK_DIR,
} from "../scripts/sdk-generate";
import { repoFiles, repoRoot } from "./helpers/repo-files";

let generated: string;
// A cold build of the two generators takes minutes; afterwards this is a cache lookup.
beforeAll(
  async () => {
    const binDir = await ensureSdkGenerators();
    generated = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-drift-"));
    generateSdks(binDir, generated);
  },
  20 * 60 * 1000,
);
afterAll(() => {
  if (generated) fs.rmSync(generated, { recursive: true, force: true });
});

/** Every file below `dir`, relative to it with `/` separators. */
function filesBelow(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) =>
      path
        .relative(dir, path.join(dirent.parentPath, dirent.name))
        .split(path.sep)
        .join("/"),
    );
}

test("the committed sdk/ is what `npm run sdk:generate` writes from the schema", () => {
  const committedDir = path.join(repoRoot, SDK_DIR);
  // As GitHub shows it: ignored files (an `npm install` or a build inside an SDK) do not count.
  const committed = repoFiles()
    .filter((file) => file.startsWith(`${SDK_DIR}/`))
    .map((file) => file.slice(SDK_DIR.length + 1));
  const fresh = filesBelow(generated);
  const drift = [...new Set([...committed, ...fresh])]
    .sort()
    .flatMap((file) => {
      const where = `${SDK_DIR}/${file}`;
      if (!fresh.includes(file)) return [`${where}: not generated any more`];
      if (!committed.includes(file)) return [`${where}: missing`];
      const same = fs
        .readFileSync(path.join(committedDir, file))
        .equals(fs.readFileSync(path.join(generated, file)));
      return same ? [] : [`${where}: differs`];
    });
  expect(drift).toEqual([]);
});

// How each language's generated resource asks the engine to keep an output secret.
test.each([
  {
    file: "nodejs/clientSecretRotation.ts",
    marking: /additionalSecretOutputs: \["newClientSecret"\]/,
  },
  {
    file: "python/pulumi_stytch/client_secret_rotation.py",
    marking: /additional_secret_outputs=\["newClientSecret"\]/,
  },
  {
    file: "go/stytch/clientSecretRotation.go",
    marking:
      /pulumi\.AdditionalSecretOutputs\(\[\]string\{\s*"newClientSecret",\s*\}\)/,
  },
  {
    file: "dotnet/ClientSecretRotation.cs",
    marking: /AdditionalSecretOutputs =\s*\{\s*"newClientSecret",\s*\}/,
  },
])("$file marks newClientSecret secret", ({ file, marking }) => {
  expect(fs.readFileSync(path.join(generated, file), "utf8")).toMatch(marking);
});
