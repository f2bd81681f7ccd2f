/**
 * The native plugin's translation, without the engine: its schema against the core and the dynamic
 * resource, secrets in and out of the protocol, and provider configuration into the core's settings.
 * What the engine does with all of it is `test/e2e/native-plugin.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTOPILOT_INPUTS } from "../provider/core/autopilot";
import { CREDENTIAL_SOURCES } from "../provider/core/credentials";
import { EMERGENCY_INPUT } from "../provider/core/revocation";
import {
  ROTATION_TYPE,
  SECRET_CONFIG,
  SECRET_OUTPUTS,
  settingsFromConfig,
} from "../provider/native/client-secret-rotation";
import { engineAddress } from "../provider/native/engine-log";
import {
  isSecretValue,
  secretValue,
  unwrapSecrets,
  wrapSecrets,
} from "../provider/native/wire";
import { repoRoot } from "./helpers/repo-files";

interface SchemaProperty {
  secret?: boolean;
}
interface Schema {
  name: string;
  version: string;
  config: { variables: Record<string, SchemaProperty> };
  provider: { inputProperties: Record<string, SchemaProperty> };
  resources: Record<
    string,
    {
      inputProperties: Record<string, SchemaProperty>;
      properties: Record<string, SchemaProperty>;
      requiredInputs: string[];
    }
  >;
}

const schema = JSON.parse(
  fs.readFileSync(path.join(repoRoot, "provider/native/schema.json"), "utf8"),
) as Schema;
const rotation = schema.resources[ROTATION_TYPE]!;

describe("schema.json", () => {
  test("is the stytch package at this package's version", () => {
    expect(schema.name).toBe("stytch");
    expect(schema.version).toBe(
      (
        JSON.parse(
          fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"),
        ) as { version: string }
      ).version,
    );
    expect(Object.keys(schema.resources)).toEqual([ROTATION_TYPE]);
  });

  test("takes the dynamic resource's arguments, clientId required", () => {
    expect(Object.keys(rotation.inputProperties).sort()).toEqual(
      [
        "clientId",
        "clientKind",
        "promoted",
        "triggers",
        EMERGENCY_INPUT,
        ...AUTOPILOT_INPUTS,
      ].sort(),
    );
    expect(rotation.requiredInputs).toEqual(["clientId"]);
  });

  test("marks secret exactly the outputs the plugin always returns secret", () => {
    const secret = Object.entries(rotation.properties)
      .filter(([, property]) => property.secret === true)
      .map(([name]) => name);
    expect(secret).toEqual([...SECRET_OUTPUTS]);
  });

  test("declares every setting the core reads, the project secret as secret", () => {
    const settings = [
      ...Object.values(CREDENTIAL_SOURCES).map(({ configKey }) => configKey),
      "stytch:cancelOrphanedRotation",
    ].map((key) => key.replace(/^stytch:/, ""));
    expect(Object.keys(schema.config.variables).sort()).toEqual(
      settings.sort(),
    );
    const secret = Object.entries(schema.config.variables)
      .filter(([, variable]) => variable.secret === true)
      .map(([name]) => name);
    expect(secret).toEqual([...SECRET_CONFIG]);
    expect(schema.provider.inputProperties).toEqual(schema.config.variables);
  });
});

describe("secrets on the wire", () => {
  test("are unwrapped deeply, and the properties that held one are remembered", () => {
    const { values, secretKeys } = unwrapSecrets({
      clientId: secretValue("m2m-client-test-1"),
      triggers: { quarter: secretValue("2026-Q4"), plain: "x" },
      promoted: false,
    });
    expect(values).toEqual({
      clientId: "m2m-client-test-1",
      triggers: { quarter: "2026-Q4", plain: "x" },
      promoted: false,
    });
    expect([...secretKeys].sort()).toEqual(["clientId", "triggers"]);
  });

  test("are wrapped again whole per property, once, and only where present", () => {
    const wrapped = wrapSecrets(
      {
        newClientSecret: "s3cret",
        triggers: { quarter: "2026-Q4" },
        status: "pending",
      },
      ["newClientSecret", "triggers", "absent"],
    );
    expect(isSecretValue(wrapped["newClientSecret"])).toBe(true);
    expect(wrapped["triggers"]).toEqual(secretValue({ quarter: "2026-Q4" }));
    expect(wrapped["status"]).toBe("pending");
    expect(wrapped).not.toHaveProperty("absent");
    expect(wrapSecrets(wrapped, ["newClientSecret"])).toEqual(wrapped);
  });
});

describe("provider configuration", () => {
  test("comes from Configure's args, secrets unwrapped, before its variables", () => {
    const args = unwrapSecrets({
      projectId: "project-test-from-args",
      secret: secretValue("secret-from-args"),
      requestTimeoutMs: 5000,
      cancelOrphanedRotation: { "m2m-client-test-1": "ab12" },
    }).values;
    const variables = new Map([
      ["stytch:config:projectId", "project-test-from-variables"],
      ["stytch:config:baseUrl", "http://127.0.0.1:1"],
    ]);
    expect(settingsFromConfig(args, variables)).toEqual({
      projectId: "project-test-from-args",
      secret: "secret-from-args",
      baseUrl: "http://127.0.0.1:1",
      requestTimeoutMs: "5000",
      cancelOrphanedRotation: { "m2m-client-test-1": "ab12" },
    });
  });

  test("may be empty: a fresh stack leaves every setting to the environment", () => {
    expect(settingsFromConfig({}, new Map())).toEqual({});
  });
});

test("the engine's address is the plugin's positional argument, after the engine's flags", () => {
  expect(engineAddress(["127.0.0.1:4000"])).toBe("127.0.0.1:4000");
  expect(
    engineAddress([
      "--logtostderr",
      "-v=9",
      "--tracing",
      "http://t",
      "127.0.0.1:4000",
    ]),
  ).toBe("127.0.0.1:4000");
  expect(engineAddress([])).toBe("");
});
