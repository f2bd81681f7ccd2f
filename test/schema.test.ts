/**
 * The native provider's schema is written from the code (`npm run schema`, `scripts/schema.ts`): the
 * dynamic resource's TSDoc, the core's settings and secret outputs. A committed schema that differs from
 * that is a change made in one place and not the other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SCHEMA_FILE, buildSchema, schemaText } from "../scripts/schema";
import { repoRoot } from "./helpers/repo-files";

test("the committed schema is what `npm run schema` writes", () => {
  const committed = fs.readFileSync(path.join(repoRoot, SCHEMA_FILE), "utf8");
  if (committed !== schemaText()) {
    throw new Error(
      `${SCHEMA_FILE} differs from the code it describes: run \`npm run schema\`, then \`npm run sdk:generate\`, and commit both.`,
    );
  }
});

test("every argument and output of the dynamic resource is described, and only the new secret is secret", () => {
  const schema = buildSchema() as {
    resources: Record<
      string,
      { properties: Record<string, { description: string; secret?: boolean }> }
    >;
  };
  const [resource] = Object.values(schema.resources);
  const properties = Object.entries(resource!.properties);
  expect(properties.length).toBeGreaterThanOrEqual(19);
  for (const [, property] of properties) {
    expect(property.description.length).toBeGreaterThan(20);
    expect(property.description).not.toMatch(/\{@link|\n(?!\n)/);
  }
  expect(
    properties.filter(([, p]) => p.secret === true).map(([name]) => name),
  ).toEqual(["newClientSecret"]);
});
