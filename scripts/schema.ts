/**
 * `npm run schema`: writes the native provider's package schema, `provider/native/schema.json`, from the
 * code it describes, so that the dynamic resource and every SDK say the same thing:
 *
 * - the resource's inputs and outputs, and their descriptions, from the TSDoc of
 *   `ClientSecretRotationArgs` and of the `ClientSecretRotation` class (`provider/dynamic/resource.ts`);
 * - the provider configuration, from the TSDoc of `CREDENTIAL_SOURCES` (`provider/core/credentials.ts`) and
 *   of `ORPHAN_AUTHORIZATION_KEY` (`provider/core/orphaned-rotation.ts`);
 * - which outputs are secret, from the core's `SECRET_OUTPUTS`.
 *
 * `test/schema.test.ts` fails when the committed schema differs from what this writes, and
 * `test/sdk-drift.test.ts` when the SDKs differ from the schema: the TSDoc is the one source of both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { AUTOPILOT_OUTPUTS } from "../provider/core/autopilot";
import { ALWAYS_SECRET_SETTINGS } from "../provider/core/credentials";
import { CLIENT_KINDS } from "../provider/core/stytch-types";
import { SECRET_OUTPUTS } from "../provider/core/types";
import {
  FINGERPRINT_FUNCTION,
  ROTATION_TYPE,
} from "../provider/native/client-secret-rotation";
import { repoRoot } from "./go-tool";

/** The schema file, relative to the repository root. */
export const SCHEMA_FILE = "provider/native/schema.json";

/** The dynamic resource's type, which the native one aliases for migration. */
export const DYNAMIC_ROTATION_TYPE =
  "pulumi-nodejs:dynamic/stytch:ClientSecretRotation";

const RESOURCE_SOURCE = "provider/dynamic/resource.ts";
const CREDENTIALS_SOURCE = "provider/core/credentials.ts";
const ORPHANS_SOURCE = "provider/core/orphaned-rotation.ts";
const CLIENT_KIND_TYPE = "stytch:index:ClientKind";

type Property = Record<string, unknown> & { description: string };

/** The schema type of each TypeScript type the resource's arguments and outputs use. */
const SCHEMA_TYPES: Record<string, Record<string, unknown>> = {
  string: { type: "string" },
  boolean: { type: "boolean" },
  ClientKind: { $ref: `#/types/${CLIENT_KIND_TYPE}` },
  RotationStatus: { type: "string" },
  OverdueMode: { type: "string" },
  "Record<string, unknown>": {
    type: "object",
    additionalProperties: { $ref: "pulumi.json#/Any" },
  },
  "Record<string, pulumi.Input<unknown>>": {
    type: "object",
    additionalProperties: { $ref: "pulumi.json#/Any" },
  },
  "pulumi.Input<string>[]": { type: "array", items: { type: "string" } },
};

/** The per-language package names of the generated SDKs. */
const LANGUAGES = {
  nodejs: {
    packageName: "pulumi-stytch",
    packageDescription:
      "Zero-downtime rotation of Stytch client secrets: the stytch provider's Node.js SDK.",
  },
  python: { packageName: "pulumi_stytch", pyproject: { enabled: true } },
  go: {
    importBasePath:
      "github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch",
  },
  csharp: { rootNamespace: "PulumiStytch" },
};

/** The schema, built from the sources. */
export function buildSchema(): Record<string, unknown> {
  const program = ts.createProgram(
    [RESOURCE_SOURCE, CREDENTIALS_SOURCE, ORPHANS_SOURCE].map((file) =>
      path.join(repoRoot, file),
    ),
    { strict: true, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const source = (file: string): ts.SourceFile => {
    const found = program.getSourceFile(path.join(repoRoot, file));
    if (!found) throw new Error(`cannot read ${file}`);
    return found;
  };
  const docOf = (node: ts.NamedDeclaration): string => {
    const symbol = node.name && checker.getSymbolAtLocation(node.name);
    const text = symbol
      ? ts.displayPartsToString(symbol.getDocumentationComment(checker))
      : "";
    if (!text) throw new Error(`${nameOf(node)} has no TSDoc`);
    return plainDoc(text);
  };

  const resource = source(RESOURCE_SOURCE);
  const fingerprint = findNode(
    resource,
    ts.isFunctionDeclaration,
    "secretFingerprint",
  );
  const paramDoc = (name: string): string => {
    const tag = ts
      .getJSDocTags(fingerprint)
      .find(
        (t): t is ts.JSDocParameterTag =>
          ts.isJSDocParameterTag(t) && t.name.getText() === name,
      );
    const text = ts.getTextOfJSDocComment(tag?.comment);
    if (!text) throw new Error(`secretFingerprint documents no @param ${name}`);
    return plainDoc(text);
  };
  const args = findNode(
    resource,
    ts.isInterfaceDeclaration,
    "ClientSecretRotationArgs",
  );
  const resourceClass = findNode(
    resource,
    ts.isClassDeclaration,
    "ClientSecretRotation",
  );

  const inputProperties: Record<string, Property> = {};
  const requiredInputs: string[] = [];
  for (const member of args.members.filter(ts.isPropertySignature)) {
    const name = nameOf(member);
    inputProperties[name] = {
      ...schemaType(member.type, "pulumi.Input"),
      description: docOf(member),
    };
    if (!member.questionToken) requiredInputs.push(name);
  }

  const properties: Record<string, Property> = {};
  const alwaysPresent: string[] = [];
  for (const member of resourceClass.members.filter(ts.isPropertyDeclaration)) {
    const name = nameOf(member);
    properties[name] = {
      ...schemaType(member.type, "pulumi.Output"),
      description: docOf(member),
      ...(SECRET_OUTPUTS.includes(name) ? { secret: true } : {}),
    };
    // The autopilot's outputs exist only with autopilot inputs (the dynamic resource shows them as "").
    if (!(AUTOPILOT_OUTPUTS as readonly string[]).includes(name)) {
      alwaysPresent.push(name);
    }
  }
  // The other inputs are echoed in the outputs too (the core keeps them to compare on the next run), when
  // they were given: the emergency input is not, since it matters only to the first `up`.
  for (const [name, input] of Object.entries(inputProperties)) {
    if (!(name in properties) && name !== "emergencyRevokeSecretEnding") {
      properties[name] = input;
    }
  }

  const variables: Record<string, Property> = {};
  const credentials = findVariable(
    source(CREDENTIALS_SOURCE),
    "CREDENTIAL_SOURCES",
  );
  for (const entry of objectLiteral(credentials).properties.filter(
    ts.isPropertyAssignment,
  )) {
    const name = nameOf(entry);
    variables[name] = {
      type: "string",
      description: docOf(entry),
      ...((ALWAYS_SECRET_SETTINGS as readonly string[]).includes(name)
        ? { secret: true }
        : {}),
    };
  }
  variables["cancelOrphanedRotation"] = {
    type: "object",
    additionalProperties: { type: "string" },
    description: docOf(
      findVariable(source(ORPHANS_SOURCE), "ORPHAN_AUTHORIZATION_KEY"),
    ),
  };

  return {
    name: "stytch",
    displayName: "Stytch client secret rotation",
    version: (
      JSON.parse(
        fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"),
      ) as { version: string }
    ).version,
    description:
      "Zero-downtime rotation of Stytch M2M and Connected App client secrets: creating a " +
      "ClientSecretRotation starts a rotation, `promoted: true` completes it, and removing it before " +
      "then cancels it.",
    keywords: [
      "stytch",
      "secrets",
      "rotation",
      "category/utility",
      "kind/native",
    ],
    license: "Apache-2.0",
    publisher: "The pulumi-stytch-client-secret-rotation authors",
    config: { variables },
    provider: {
      description: "The provider of Stytch client secret rotations.",
      inputProperties: variables,
    },
    types: {
      [CLIENT_KIND_TYPE]: {
        type: "string",
        description: "The kind of Stytch client whose secret is rotated.",
        enum: CLIENT_KINDS.map((kind) => ({
          name: kind === "m2m" ? "M2M" : "ConnectedApp",
          value: kind,
          description:
            kind === "m2m"
              ? "An M2M client (`m2m-client-…`)."
              : "A Connected App (`connected-app-…`, formerly `idp-client-…`).",
        })),
      },
    },
    resources: {
      [ROTATION_TYPE]: {
        description: classDoc(docOf(resourceClass)),
        inputProperties,
        requiredInputs,
        properties,
        required: alwaysPresent,
        // A stack that used the dynamic resource moves to this one with no replacement: the generated
        // SDKs register the old type as an alias.
        aliases: [{ type: DYNAMIC_ROTATION_TYPE }],
      },
    },
    functions: {
      [FINGERPRINT_FUNCTION]: {
        description: classDoc(docOf(fingerprint)),
        inputs: {
          properties: {
            secret: {
              type: "string",
              secret: true,
              description: paramDoc("secret"),
            },
            clientId: { type: "string", description: paramDoc("clientId") },
          },
          required: ["secret", "clientId"],
        },
        outputs: {
          properties: {
            fingerprint: {
              type: "string",
              description:
                "The fingerprint, `sfp2:…`: what the rotation's `consumerFingerprints` compares with its " +
                "`newClientSecretFingerprint`. Not secret; an SDK marks it secret when the secret given was, so " +
                "unmark it (unsecret) before exporting it.",
            },
          },
          required: ["fingerprint"],
        },
      },
    },
    language: LANGUAGES,
  };
}

/** The schema as the committed file holds it. */
export function schemaText(): string {
  return `${JSON.stringify(buildSchema(), null, 2)}\n`;
}

/** The schema type of a declared `pulumi.Input<T>` / `pulumi.Output<T>`, by `T`. */
function schemaType(
  type: ts.TypeNode | undefined,
  wrapper: "pulumi.Input" | "pulumi.Output",
): Record<string, unknown> {
  const text = type?.getText().replace(/\s+/g, " ") ?? "";
  const inner = new RegExp(`^${wrapper.replace(".", "\\.")}<(.*)>$`).exec(
    text,
  )?.[1];
  const schema = inner === undefined ? undefined : SCHEMA_TYPES[inner];
  if (!schema) {
    throw new Error(
      `no schema type for ${text || "an untyped member"}: add it to SCHEMA_TYPES in scripts/schema.ts`,
    );
  }
  return schema;
}

/**
 * TSDoc as a schema description: `{@link x}` becomes `` `x` ``, and TypeScript's `pulumi.Config` advice is
 * kept as it is (the descriptions are shared by every SDK).
 */
function plainDoc(text: string): string {
  return text
    .replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, "`$1`")
    .replace(/([^\n])\n(?=[^\n])/g, "$1 ")
    .trim();
}

/** A class's TSDoc without its TypeScript example, which would mislead in every other language. */
function classDoc(text: string): string {
  return text.split(/\s## Example/)[0]!.trim();
}

function nameOf(node: ts.NamedDeclaration): string {
  const name = node.name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) {
    return name.text;
  }
  throw new Error("a declaration without a simple name");
}

function findNode<T extends ts.Node>(
  file: ts.SourceFile,
  is: (node: ts.Node) => node is T,
  name: string,
): T {
  const found = file.statements.find(
    (node): node is T & ts.Statement =>
      is(node) && nameOf(node as unknown as ts.NamedDeclaration) === name,
  );
  if (!found) throw new Error(`${file.fileName} declares no ${name}`);
  return found;
}

function findVariable(
  file: ts.SourceFile,
  name: string,
): ts.VariableDeclaration {
  for (const statement of file.statements.filter(ts.isVariableStatement)) {
    const found = statement.declarationList.declarations.find(
      (declaration) => nameOf(declaration) === name,
    );
    if (found) return found;
  }
  throw new Error(`${file.fileName} declares no ${name}`);
}

function objectLiteral(
  declaration: ts.VariableDeclaration,
): ts.ObjectLiteralExpression {
  let node = declaration.initializer;
  while (node && (ts.isAsExpression(node) || ts.isSatisfiesExpression(node))) {
    node = node.expression;
  }
  if (!node || !ts.isObjectLiteralExpression(node)) {
    throw new Error(`${nameOf(declaration)} is not an object literal`);
  }
  return node;
}

if (require.main === module) {
  fs.writeFileSync(path.join(repoRoot, SCHEMA_FILE), schemaText());
  process.stdout.write(`${path.join(repoRoot, SCHEMA_FILE)}\n`);
}
