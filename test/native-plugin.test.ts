/**
 * The native plugin's translation, without the engine: its schema against the core and the dynamic
 * resource, secrets in and out of the protocol, and provider configuration into the core's settings.
 * What the engine does with all of it is `test/e2e/native-plugin.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTOPILOT_INPUTS } from "../provider/core/autopilot";
import {
  CREDENTIAL_SOURCES,
  secretSettingNames,
} from "../provider/core/credentials";
import { fingerprintFor, fingerprintOf } from "../provider/core/fingerprint";
import { EMERGENCY_INPUT } from "../provider/core/revocation";
import {
  FINGERPRINT_FUNCTION,
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

describe("the secretFingerprint function", () => {
  const clientId = "m2m-client-test-00000000-0000-4000-8000-000000000000";

  test("answers what the dynamic resource's secretFingerprint() computes", () => {
    expect(fingerprintFor({ secret: "s3cret-value", clientId })).toEqual({
      fingerprint: fingerprintOf("s3cret-value", clientId),
    });
  });

  test("names a missing argument without quoting the other (it may be the secret)", () => {
    const result = fingerprintFor({ secret: "s3cret-value" });
    expect(result).toEqual({
      failures: [
        {
          property: "clientId",
          reason: expect.stringContaining("clientId must be") as string,
        },
      ],
    });
    expect(JSON.stringify(result)).not.toContain("s3cret-value");
  });

  test("is in the schema with its secret argument marked secret", () => {
    const fn = (
      schema as unknown as {
        functions: Record<
          string,
          { inputs: { properties: Record<string, SchemaProperty> } }
        >;
      }
    ).functions[FINGERPRINT_FUNCTION]!;
    expect(fn.inputs.properties["secret"]?.secret).toBe(true);
    expect(fn.inputs.properties["clientId"]?.secret).toBeUndefined();
  });
});

describe("provider configuration kept secret in the state", () => {
  test("the project secret and the events' URL and signing key always, and a project id that looks like a secret", () => {
    const always = ["secret", "eventsUrl", "eventsSigningSecret"];
    expect(
      secretSettingNames({ projectId: "project-test-1", secret: "x" }),
    ).toEqual(always);
    expect(
      secretSettingNames({ projectId: "secret-test-swapped-by-mistake" }),
    ).toEqual([...always, "projectId"]);
  });
});
