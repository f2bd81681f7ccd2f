/**
 * The emulator over real HTTP, one fresh instance per test. Grouped by endpoint and by behaviour; the
 * expectations come from docs/stytch-api.md and docs/emulator.md.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import {
  ROUTE_TEMPLATES,
  startEmulator,
  type RunningEmulator,
} from "../emulator";
import {
  api,
  basicAuth,
  introspect,
  jwksUrl,
  m2mToken,
  projectAuth,
  rawRequest,
  secretWorks,
  useEmulator,
  verifyAccessToken,
  waitFor,
  type JsonResponse,
} from "./helpers/emulator-fixture";
import { arrayAt, at, objectAt, stringAt, type Json } from "./helpers/json";
import {
  anyNumber,
  anyString,
  objectContaining,
  stringMatching,
} from "./helpers/matchers";

const REQUEST_ID =
  /^request-id-test-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const GENERATED_SECRET = /^[A-Za-z0-9_-]{44}$/;
const JWK_KID =
  /^jwk-test-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const M2M_CLIENT_KEYS = [
  "client_description",
  "client_id",
  "client_name",
  "client_secret_last_four",
  "next_client_secret_last_four",
  "scopes",
  "status",
  "trusted_metadata",
];

const CONNECTED_APP_KEYS = [
  "access_token_custom_audience",
  "access_token_expiry_minutes",
  "access_token_template_content",
  "bypass_consent_for_offline_access",
  "client_description",
  "client_id",
  "client_id_metadata_url",
  "client_name",
  "client_secret_last_four",
  "client_type",
  "creation_method",
  "full_access_allowed",
  "id_token_template_content",
  "logo_url",
  "next_client_secret_last_four",
  "post_logout_redirect_urls",
  "redirect_urls",
  "status",
];

/** Both client kinds, with what differs between them on the wire. */
const KINDS = [
  {
    kind: "m2m" as const,
    segment: "m2m",
    payloadKey: "m2m_client",
    errorPrefix: "m2m_client",
    seeded: (emulator: RunningEmulator) => emulator.seeded!.m2m,
  },
  {
    kind: "connected_app" as const,
    segment: "connected_apps",
    payloadKey: "connected_app",
    errorPrefix: "connected_app",
    seeded: (emulator: RunningEmulator) => emulator.seeded!.connectedApp,
  },
];

/** Asserts Stytch's error shape and returns the body. */
function expectStytchError(
  response: JsonResponse | { status: number; body: Json },
  status: number,
  errorType: string,
): Json {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    status_code: status,
    request_id: stringMatching(REQUEST_ID),
    error_type: errorType,
    error_message: anyString(),
    error_url: `https://stytch.com/docs/api/errors/${status}#${errorType}`,
  });
  expect(response.body["error_message"]).not.toBe("");
  return response.body;
}

/** Asserts the OAuth2 error shape of the token/introspection endpoints. */
function expectOAuthError(response: JsonResponse, error: string): void {
  expect(response.status).toBe(400);
  expect(response.body).toEqual({
    status_code: 400,
    request_id: stringMatching(REQUEST_ID),
    error,
    error_description: anyString(),
    error_uri: `https://stytch.com/docs/api/errors/400#${error}`,
  });
}

function clientPath(segment: string, clientId: string, suffix = ""): string {
  return `/v1/${segment}/clients/${encodeURIComponent(clientId)}${suffix}`;
}

describe("project authentication", () => {
  const emulator = useEmulator();
  const path = () => clientPath("m2m", emulator().seeded!.m2m.clientId);

  test("fails with 400 invalid_authorization_header when the header is missing", async () => {
    expectStytchError(
      await api(emulator(), "GET", path(), { auth: null }),
      400,
      "invalid_authorization_header",
    );
  });

  test.each([
    ["a Bearer token", "Bearer abc"],
    ["Basic without credentials", "Basic"],
    ["Basic that is not base64", "Basic ***"],
    [
      "Basic without a colon",
      `Basic ${Buffer.from("project-test-x").toString("base64")}`,
    ],
    ["an empty secret", basicAuth("project-test-x", "")],
  ])(
    "fails with 400 invalid_authorization_header for %s",
    async (_name, header) => {
      expectStytchError(
        await api(emulator(), "GET", path(), { auth: header }),
        400,
        "invalid_authorization_header",
      );
    },
  );

  test("fails with 400 invalid_project_id_authentication for another project id", async () => {
    expectStytchError(
      await api(emulator(), "GET", path(), {
        auth: basicAuth(
          "project-test-00000000-0000-4000-8000-000000000000",
          emulator().projectSecret,
        ),
      }),
      400,
      "invalid_project_id_authentication",
    );
  });

  test("fails with 401 unauthorized_credentials for a wrong secret", async () => {
    expectStytchError(
      await api(emulator(), "GET", path(), {
        auth: basicAuth(emulator().projectId, `${emulator().projectSecret}x`),
      }),
      401,
      "unauthorized_credentials",
    );
  });

  test.each([
    ["POST", "/v1/m2m/clients"],
    ["POST", "/v1/m2m/clients/search"],
    ["GET", "/v1/m2m/clients/x"],
    ["PUT", "/v1/m2m/clients/x"],
    ["DELETE", "/v1/m2m/clients/x"],
    ["POST", "/v1/m2m/clients/x/secrets/rotate/start"],
    ["POST", "/v1/m2m/clients/x/secrets/rotate"],
    ["POST", "/v1/m2m/clients/x/secrets/rotate/cancel"],
    ["POST", "/v1/connected_apps/clients"],
    ["GET", "/v1/connected_apps/clients/x"],
    ["POST", "/v1/connected_apps/clients/x/secrets/rotate/start"],
    ["POST", "/v1/connected_apps/clients/x/secrets/rotate"],
    ["POST", "/v1/connected_apps/clients/x/secrets/rotate/cancel"],
  ])("is required on %s %s", async (method, route) => {
    expectStytchError(
      await api(emulator(), method, route, {
        auth: null,
        body: method === "GET" ? undefined : {},
      }),
      400,
      "invalid_authorization_header",
    );
  });

  test("is checked before the client lookup, so an unknown client does not leak through", async () => {
    expectStytchError(
      await api(
        emulator(),
        "GET",
        clientPath("m2m", "m2m-client-test-unknown"),
        {
          auth: basicAuth(emulator().projectId, "wrong"),
        },
      ),
      401,
      "unauthorized_credentials",
    );
  });
});

describe("GET client", () => {
  const emulator = useEmulator();

  test("returns an M2M client with exactly the documented fields and no nulls in required strings", async () => {
    const { m2m } = emulator().seeded!;
    const response = await api(
      emulator(),
      "GET",
      clientPath("m2m", m2m.clientId),
    );
    expect(response.status).toBe(200);
    expect(response.body["status_code"]).toBe(200);
    expect(response.body["request_id"]).toMatch(REQUEST_ID);
    const client = objectAt(response.body, "m2m_client");
    expect(Object.keys(client).sort()).toEqual(M2M_CLIENT_KEYS);
    expect(client).toEqual({
      client_id: m2m.clientId,
      client_name: "Seeded M2M client",
      client_description: "",
      status: "active",
      scopes: ["read:users", "write:users"],
      client_secret_last_four: m2m.clientSecret!.slice(-4),
      trusted_metadata: {},
      next_client_secret_last_four: null,
    });
  });

  test("returns a Connected App with every required field, creation_method and id_token_template_content", async () => {
    const { connectedApp } = emulator().seeded!;
    const response = await api(
      emulator(),
      "GET",
      clientPath("connected_apps", connectedApp.clientId),
    );
    expect(response.status).toBe(200);
    const app = objectAt(response.body, "connected_app");
    expect(Object.keys(app).sort()).toEqual(CONNECTED_APP_KEYS);
    expect(app).toMatchObject({
      client_id: connectedApp.clientId,
      client_name: "Seeded Connected App",
      client_description: "",
      status: "active",
      client_type: "first_party",
      client_secret_last_four: connectedApp.clientSecret!.slice(-4),
      next_client_secret_last_four: null,
      full_access_allowed: false,
      redirect_urls: [],
      post_logout_redirect_urls: [],
      access_token_expiry_minutes: 60,
      access_token_template_content: "{}",
      id_token_template_content: "",
      bypass_consent_for_offline_access: false,
      creation_method: "API",
    });
  });

  test("returns a public Connected App with null last fours", async () => {
    const { publicConnectedApp } = emulator().seeded!;
    expect(publicConnectedApp.clientSecret).toBeNull();
    const response = await api(
      emulator(),
      "GET",
      clientPath("connected_apps", publicConnectedApp.clientId),
    );
    expect(response.body["connected_app"]).toMatchObject({
      client_type: "first_party_public",
      client_secret_last_four: null,
      next_client_secret_last_four: null,
    });
  });

  test.each(KINDS)(
    "fails with 404 <kind>_not_found for an unknown $kind",
    async ({ segment, errorPrefix }) => {
      expectStytchError(
        await api(emulator(), "GET", clientPath(segment, "unknown-client")),
        404,
        `${errorPrefix}_not_found`,
      );
    },
  );

  test("fails with 404 m2m_client_not_found for a Connected App id on the M2M route", async () => {
    expectStytchError(
      await api(
        emulator(),
        "GET",
        clientPath("m2m", emulator().seeded!.connectedApp.clientId),
      ),
      404,
      "m2m_client_not_found",
    );
  });

  test("fails with 404 connected_app_not_found for an M2M id on the Connected Apps route", async () => {
    expectStytchError(
      await api(
        emulator(),
        "GET",
        clientPath("connected_apps", emulator().seeded!.m2m.clientId),
      ),
      404,
      "connected_app_not_found",
    );
  });
});

describe("emulator options", () => {
  test("uses the given project credentials and creation_method", async () => {
    const emulator = await startEmulator({
      projectId: "project-test-11111111-1111-4111-8111-111111111111",
      projectSecret: "secret-test-fixed",
      creationMethod: "DYNAMIC_CLIENT_REGISTRATION",
    });
    try {
      expect(emulator.projectId).toBe(
        "project-test-11111111-1111-4111-8111-111111111111",
      );
      const response = await api(
        emulator,
        "GET",
        clientPath("connected_apps", emulator.seeded!.connectedApp.clientId),
        {
          auth: basicAuth(
            "project-test-11111111-1111-4111-8111-111111111111",
            "secret-test-fixed",
          ),
        },
      );
      expect(at(response.body, "connected_app", "creation_method")).toBe(
        "DYNAMIC_CLIENT_REGISTRATION",
      );
    } finally {
      await emulator.close();
    }
  });

  test("generates test-shaped project credentials and a loopback URL by default", async () => {
    const emulator = await startEmulator({ seed: false });
    try {
      expect(emulator.projectId).toMatch(/^project-test-[0-9a-f-]{36}$/);
      expect(emulator.projectSecret).toMatch(/^secret-test-[A-Za-z0-9_-]+$/);
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.seeded).toBeNull();
      const search = await api(emulator, "POST", "/v1/m2m/clients/search", {
        body: {},
      });
      expect(search.body["m2m_clients"]).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  test("close() can be called twice", async () => {
    const emulator = await startEmulator();
    await emulator.close();
    await expect(emulator.close()).resolves.toBeUndefined();
  });
});

describe("create", () => {
  const emulator = useEmulator();

  test("creates an M2M client and reveals its 44-character secret once", async () => {
    const response = await api(emulator(), "POST", "/v1/m2m/clients", {
      body: { scopes: ["read:users"] },
    });
    expect(response.status).toBe(200);
    const client = objectAt(response.body, "m2m_client");
    expect(client["client_id"]).toMatch(/^m2m-client-test-[0-9a-f-]{36}$/);
    expect(client["client_secret"]).toMatch(GENERATED_SECRET);
    expect(client).toMatchObject({
      client_name: "",
      client_description: "",
      status: "active",
      scopes: ["read:users"],
      client_secret_last_four: stringAt(client, "client_secret").slice(-4),
      trusted_metadata: {},
      next_client_secret_last_four: null,
    });
    const read = await api(
      emulator(),
      "GET",
      clientPath("m2m", stringAt(client, "client_id")),
    );
    expect(read.text).not.toContain(client["client_secret"]);
    expect(read.body["m2m_client"]).not.toHaveProperty("client_secret");
  });

  test("accepts a custom client_id and client_secret", async () => {
    const response = await api(emulator(), "POST", "/v1/m2m/clients", {
      body: {
        scopes: [],
        client_id: "billing-worker",
        client_secret: "a-custom-secret-value",
      },
    });
    expect(response.body["m2m_client"]).toMatchObject({
      client_id: "billing-worker",
      client_secret: "a-custom-secret-value",
      client_secret_last_four: "alue",
    });
    expect(
      emulator().verifySecret("billing-worker", "a-custom-secret-value"),
    ).toBe("current");
  });

  test("fails with 400 invalid_m2m_client_scope when scopes are missing", async () => {
    expectStytchError(
      await api(emulator(), "POST", "/v1/m2m/clients", { body: {} }),
      400,
      "invalid_m2m_client_scope",
    );
  });

  test("fails with 400 duplicate_m2m_client_id for an existing client_id", async () => {
    expectStytchError(
      await api(emulator(), "POST", "/v1/m2m/clients", {
        body: { scopes: [], client_id: emulator().seeded!.m2m.clientId },
      }),
      400,
      "duplicate_m2m_client_id",
    );
  });

  test("fails with 400 insecure_m2m_client_secret for a custom secret under 8 characters", async () => {
    expectStytchError(
      await api(emulator(), "POST", "/v1/m2m/clients", {
        body: { scopes: [], client_secret: "short" },
      }),
      400,
      "insecure_m2m_client_secret",
    );
  });

  test("creates a confidential Connected App with a secret and without creation_method", async () => {
    const response = await api(
      emulator(),
      "POST",
      "/v1/connected_apps/clients",
      {
        body: { client_type: "third_party", client_name: "Partner" },
      },
    );
    expect(response.status).toBe(200);
    const app = objectAt(response.body, "connected_app");
    expect(app["client_id"]).toMatch(/^connected-app-test-[0-9a-f-]{36}$/);
    expect(app["client_secret"]).toMatch(GENERATED_SECRET);
    expect(app["client_secret_last_four"]).toBe(
      stringAt(app, "client_secret").slice(-4),
    );
    expect(app).not.toHaveProperty("creation_method");
    expect(app).toMatchObject({
      client_type: "third_party",
      client_name: "Partner",
    });
  });

  test("creates a public Connected App without any secret", async () => {
    const response = await api(
      emulator(),
      "POST",
      "/v1/connected_apps/clients",
      {
        body: { client_type: "third_party_public" },
      },
    );
    const app = objectAt(response.body, "connected_app");
    expect(app).not.toHaveProperty("client_secret");
    expect(app["client_secret_last_four"]).toBeNull();
    expect(app["next_client_secret_last_four"]).toBeNull();
  });

  test.each([
    ["missing", {}],
    ["unknown", { client_type: "internal" }],
  ])(
    "fails with 400 invalid_connected_app_type when client_type is %s",
    async (_name, body) => {
      expectStytchError(
        await api(emulator(), "POST", "/v1/connected_apps/clients", { body }),
        400,
        "invalid_connected_app_type",
      );
    },
  );

  test("in-process helpers create clients through the same store, without recording requests", async () => {
    const m2m = emulator().createM2MClient({
      clientId: "in-process",
      scopes: ["a"],
      clientName: "n",
    });
    const app = emulator().createConnectedApp({
      clientType: "third_party",
      clientId: "app-1",
    });
    const publicApp = emulator().createConnectedApp({
      clientType: "third_party_public",
    });
    expect(m2m).toEqual({
      clientId: "in-process",
      clientSecret: stringMatching(GENERATED_SECRET),
    });
    expect(app.clientSecret).toMatch(GENERATED_SECRET);
    expect(publicApp.clientSecret).toBeNull();
    expect(emulator().getClient("in-process")).toMatchObject({
      scopes: ["a"],
      client_name: "n",
    });
    expect(emulator().requests).toEqual([]);
    let duplicate: unknown;
    try {
      emulator().createM2MClient({ clientId: "in-process" });
    } catch (error) {
      duplicate = error;
    }
    expect(duplicate).toMatchObject({ errorType: "duplicate_m2m_client_id" });
    expect(
      await secretWorks(emulator(), "m2m", m2m.clientId, m2m.clientSecret!),
    ).toBe(true);
  });
});

describe("update and search", () => {
  const emulator = useEmulator();

  test("PUT updates an M2M client and merges trusted_metadata at the top level", async () => {
    const id = emulator().seeded!.m2m.clientId;
    await api(emulator(), "PUT", clientPath("m2m", id), {
      body: { trusted_metadata: { team: "billing", tier: 1 } },
    });
    const response = await api(emulator(), "PUT", clientPath("m2m", id), {
      body: {
        client_name: "renamed",
        trusted_metadata: { tier: null, env: "ci" },
      },
    });
    expect(response.body["m2m_client"]).toMatchObject({
      client_name: "renamed",
      trusted_metadata: { team: "billing", env: "ci" },
    });
  });

  test("PUT fails with 400 invalid_m2m_client_scope for scopes create would refuse", async () => {
    expectStytchError(
      await api(
        emulator(),
        "PUT",
        clientPath("m2m", emulator().seeded!.m2m.clientId),
        { body: { scopes: ["read users", ""] } },
      ),
      400,
      "invalid_m2m_client_scope",
    );
  });

  test("PUT fails with 400 m2m_client_invalid_status for an unknown status", async () => {
    expectStytchError(
      await api(
        emulator(),
        "PUT",
        clientPath("m2m", emulator().seeded!.m2m.clientId),
        {
          body: { status: "paused" },
        },
      ),
      400,
      "m2m_client_invalid_status",
    );
  });

  test("PUT updates a Connected App's mutable fields", async () => {
    const id = emulator().seeded!.connectedApp.clientId;
    const response = await api(
      emulator(),
      "PUT",
      clientPath("connected_apps", id),
      {
        body: {
          client_name: "renamed",
          redirect_urls: ["https://example.com/cb"],
        },
      },
    );
    expect(response.body["connected_app"]).toMatchObject({
      client_name: "renamed",
      redirect_urls: ["https://example.com/cb"],
      client_type: "first_party",
    });
  });

  test("search pages through M2M clients with a cursor and filters by client_id", async () => {
    emulator().createM2MClient({ clientId: "second" });
    const first = await api(emulator(), "POST", "/v1/m2m/clients/search", {
      body: { limit: 1 },
    });
    expect(first.body["m2m_clients"]).toHaveLength(1);
    expect(first.body["results_metadata"]).toEqual({
      total: 2,
      next_cursor: anyString(),
    });
    const second = await api(emulator(), "POST", "/v1/m2m/clients/search", {
      body: {
        limit: 1,
        cursor: stringAt(first.body, "results_metadata", "next_cursor"),
      },
    });
    expect(at(second.body, "m2m_clients", 0, "client_id")).toBe("second");
    expect(at(second.body, "results_metadata", "next_cursor")).toBeNull();
    const filtered = await api(emulator(), "POST", "/v1/m2m/clients/search", {
      body: {
        query: {
          operator: "AND",
          operands: [{ filter_name: "client_id", filter_value: ["second"] }],
        },
      },
    });
    expect(
      arrayAt(filtered.body, "m2m_clients").map((c) => at(c, "client_id")),
    ).toEqual(["second"]);
  });

  test("search lists Connected Apps", async () => {
    const response = await api(
      emulator(),
      "POST",
      "/v1/connected_apps/clients/search",
      { body: {} },
    );
    expect(response.body["connected_apps"]).toHaveLength(2);
    expect(response.body["results_metadata"]).toEqual({
      total: 2,
      next_cursor: null,
    });
  });
});

describe.each(KINDS)(
  "$kind secret rotation",
  ({ kind, segment, payloadKey, errorPrefix, seeded }) => {
    const emulator = useEmulator();
    const call = (
      clientId: string,
      action: "start" | "complete" | "cancel",
      body: unknown = {},
    ) =>
      api(
        emulator(),
        "POST",
        clientPath(
          segment,
          clientId,
          {
            start: "/secrets/rotate/start",
            complete: "/secrets/rotate",
            cancel: "/secrets/rotate/cancel",
          }[action],
        ),
        { body },
      );

    describe("rotate/start", () => {
      test("returns next_client_secret, keeps the old last four and sets the next last four", async () => {
        const client = seeded(emulator());
        const response = await call(client.clientId, "start");
        expect(response.status).toBe(200);
        expect(response.body["status_code"]).toBe(200);
        const payload = objectAt(response.body, payloadKey);
        expect(payload["next_client_secret"]).toMatch(GENERATED_SECRET);
        expect(payload["client_secret_last_four"]).toBe(
          client.clientSecret!.slice(-4),
        );
        expect(payload["next_client_secret_last_four"]).toBe(
          stringAt(payload, "next_client_secret").slice(-4),
        );
        expect(payload).not.toHaveProperty("client_secret");
        expect(payload).not.toHaveProperty("creation_method");
      });

      test("makes both the old and the next secret valid", async () => {
        const client = seeded(emulator());
        const next = stringAt(
          (await call(client.clientId, "start")).body,
          payloadKey,
          "next_client_secret",
        );
        expect(
          await secretWorks(
            emulator(),
            kind,
            client.clientId,
            client.clientSecret!,
          ),
        ).toBe(true);
        expect(await secretWorks(emulator(), kind, client.clientId, next)).toBe(
          true,
        );
        expect(emulator().verifySecret(client.clientId, next)).toBe("next");
      });

      test("answers with a chosen next secret, in the order chosen, then random ones again", async () => {
        const client = seeded(emulator());
        const chosen = ["A".repeat(40) + "-KaE", "B".repeat(40) + "_x9z"];
        for (const secret of chosen) emulator().chooseNextSecret(secret);
        const answered: string[] = [];
        for (let i = 0; i < 3; i++) {
          answered.push(
            stringAt(
              (await call(client.clientId, "start")).body,
              payloadKey,
              "next_client_secret",
            ),
          );
          await call(client.clientId, "cancel");
        }
        expect(answered.slice(0, 2)).toEqual(chosen);
        expect(answered[2]).toMatch(/^[A-Za-z0-9_-]{44}$/);
        expect(chosen).not.toContain(answered[2]);
        expect(() => emulator().chooseNextSecret("too-short")).toThrow(
          "44 base64url characters",
        );
      });

      test(`fails with 400 ${errorPrefix}_already_rotating_secret when a rotation is pending`, async () => {
        const client = seeded(emulator());
        const next = stringAt(
          (await call(client.clientId, "start")).body,
          payloadKey,
          "next_client_secret",
        );
        const again = await call(client.clientId, "start");
        const error = expectStytchError(
          again,
          400,
          `${errorPrefix}_already_rotating_secret`,
        );
        expect(JSON.stringify(error)).not.toContain(next);
        expect(emulator().verifySecret(client.clientId, next)).toBe("next");
      });

      test(`fails with 404 ${errorPrefix}_not_found for an unknown client`, async () => {
        expectStytchError(
          await call("nobody", "start"),
          404,
          `${errorPrefix}_not_found`,
        );
      });
    });

    describe("rotate (complete)", () => {
      test("promotes the next secret and invalidates the old one", async () => {
        const client = seeded(emulator());
        const next = stringAt(
          (await call(client.clientId, "start")).body,
          payloadKey,
          "next_client_secret",
        );
        const response = await call(client.clientId, "complete");
        expect(response.status).toBe(200);
        expect(response.body[payloadKey]).toMatchObject({
          client_id: client.clientId,
          client_secret_last_four: next.slice(-4),
          next_client_secret_last_four: null,
        });
        expect(response.body[payloadKey]).not.toHaveProperty(
          "next_client_secret",
        );
        expect(response.text).not.toContain(next);
        expect(await secretWorks(emulator(), kind, client.clientId, next)).toBe(
          true,
        );
        expect(
          await secretWorks(
            emulator(),
            kind,
            client.clientId,
            client.clientSecret!,
          ),
        ).toBe(false);
      });

      test(`fails with 400 ${errorPrefix}_not_rotating_secret when nothing is pending`, async () => {
        expectStytchError(
          await call(seeded(emulator()).clientId, "complete"),
          400,
          `${errorPrefix}_not_rotating_secret`,
        );
      });

      test(`fails with 400 ${errorPrefix}_not_rotating_secret when retried after completing`, async () => {
        const client = seeded(emulator());
        await call(client.clientId, "start");
        await call(client.clientId, "complete");
        expectStytchError(
          await call(client.clientId, "complete"),
          400,
          `${errorPrefix}_not_rotating_secret`,
        );
      });

      test(`fails with 404 ${errorPrefix}_not_found for an unknown client`, async () => {
        expectStytchError(
          await call("nobody", "complete"),
          404,
          `${errorPrefix}_not_found`,
        );
      });
    });

    describe("rotate/cancel", () => {
      test("discards the next secret and keeps only the old one valid", async () => {
        const client = seeded(emulator());
        const next = stringAt(
          (await call(client.clientId, "start")).body,
          payloadKey,
          "next_client_secret",
        );
        const response = await call(client.clientId, "cancel");
        expect(response.status).toBe(200);
        expect(response.body[payloadKey]).toMatchObject({
          client_secret_last_four: client.clientSecret!.slice(-4),
          next_client_secret_last_four: null,
        });
        expect(
          await secretWorks(
            emulator(),
            kind,
            client.clientId,
            client.clientSecret!,
          ),
        ).toBe(true);
        expect(await secretWorks(emulator(), kind, client.clientId, next)).toBe(
          false,
        );
      });

      test("allows a new rotation to start afterwards", async () => {
        const client = seeded(emulator());
        await call(client.clientId, "start");
        await call(client.clientId, "cancel");
        const restarted = await call(client.clientId, "start");
        expect(restarted.status).toBe(200);
        expect(at(restarted.body, payloadKey, "next_client_secret")).toMatch(
          GENERATED_SECRET,
        );
      });

      test(`fails with 400 ${errorPrefix}_not_rotating_secret when nothing is pending`, async () => {
        expectStytchError(
          await call(seeded(emulator()).clientId, "cancel"),
          400,
          `${errorPrefix}_not_rotating_secret`,
        );
      });

      test(`fails with 404 ${errorPrefix}_not_found for an unknown client`, async () => {
        expectStytchError(
          await call("nobody", "cancel"),
          404,
          `${errorPrefix}_not_found`,
        );
      });
    });

    describe("GET during a rotation", () => {
      test("shows both last fours and never the next secret", async () => {
        const client = seeded(emulator());
        const next = stringAt(
          (await call(client.clientId, "start")).body,
          payloadKey,
          "next_client_secret",
        );
        const response = await api(
          emulator(),
          "GET",
          clientPath(segment, client.clientId),
        );
        expect(response.body[payloadKey]).toMatchObject({
          client_secret_last_four: client.clientSecret!.slice(-4),
          next_client_secret_last_four: next.slice(-4),
        });
        expect(response.text).not.toContain(next);
        expect(response.text).not.toContain(client.clientSecret!);
      });
    });
  },
);

describe('alreadyRotating: "replace"', () => {
  const emulator = useEmulator({ alreadyRotating: "replace" });

  test.each(KINDS)(
    "rotate/start while pending replaces the $kind next secret",
    async ({ kind, segment, payloadKey, seeded }) => {
      const client = seeded(emulator());
      const path = clientPath(
        segment,
        client.clientId,
        "/secrets/rotate/start",
      );
      const first = stringAt(
        (await api(emulator(), "POST", path, { body: {} })).body,
        payloadKey,
        "next_client_secret",
      );
      const second = await api(emulator(), "POST", path, { body: {} });
      expect(second.status).toBe(200);
      const replacement = stringAt(
        second.body,
        payloadKey,
        "next_client_secret",
      );
      expect(replacement).not.toBe(first);
      expect(emulator().verifySecret(client.clientId, first)).toBe("invalid");
      expect(emulator().verifySecret(client.clientId, replacement)).toBe(
        "next",
      );
      expect(
        await secretWorks(
          emulator(),
          kind,
          client.clientId,
          client.clientSecret!,
        ),
      ).toBe(true);
    },
  );
});

describe("public Connected Apps", () => {
  const emulator = useEmulator();

  test.each([
    "/secrets/rotate/start",
    "/secrets/rotate",
    "/secrets/rotate/cancel",
  ])(
    "POST %s fails with 400 public_connected_apps_do_not_have_secrets",
    async (suffix) => {
      const id = emulator().seeded!.publicConnectedApp.clientId;
      expectStytchError(
        await api(
          emulator(),
          "POST",
          clientPath("connected_apps", id, suffix),
          { body: {} },
        ),
        400,
        "public_connected_apps_do_not_have_secrets",
      );
      expect(emulator().getClient(id)).toMatchObject({
        next_client_secret_last_four: null,
      });
    },
  );
});

describe("DELETE client", () => {
  const emulator = useEmulator();

  test.each(KINDS)(
    "deletes a $kind and answers {status_code, request_id, client_id}",
    async ({ kind, segment, errorPrefix, seeded }) => {
      const client = seeded(emulator());
      const response = await api(
        emulator(),
        "DELETE",
        clientPath(segment, client.clientId),
        { body: {} },
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status_code: 200,
        request_id: stringMatching(REQUEST_ID),
        client_id: client.clientId,
      });
      expectStytchError(
        await api(emulator(), "GET", clientPath(segment, client.clientId)),
        404,
        `${errorPrefix}_not_found`,
      );
      expect(
        await secretWorks(
          emulator(),
          kind,
          client.clientId,
          client.clientSecret!,
        ),
      ).toBe(false);
    },
  );

  test("accepts a DELETE without any body, as Go, Python, Ruby and Java send it", async () => {
    const id = emulator().seeded!.m2m.clientId;
    const response = await rawRequest(emulator(), {
      method: "DELETE",
      path: clientPath("m2m", id),
      headers: { authorization: projectAuth(emulator()) },
    });
    expect(response.status).toBe(200);
    expect(emulator().getClient(id)).toBeNull();
  });

  test("fails with 404 when the client is already gone", async () => {
    const id = emulator().seeded!.m2m.clientId;
    await api(emulator(), "DELETE", clientPath("m2m", id));
    expectStytchError(
      await api(emulator(), "DELETE", clientPath("m2m", id)),
      404,
      "m2m_client_not_found",
    );
  });
});

describe("request encodings the SDKs use", () => {
  const emulator = useEmulator();
  const awkwardId = "billing:worker@prod+1";

  beforeEach(() => {
    emulator().createM2MClient({ clientId: awkwardId });
  });

  test("accepts a client id encoded with encodeURIComponent (Node, Go, Python)", async () => {
    const path = `/v1/m2m/clients/${encodeURIComponent(awkwardId)}/secrets/rotate/start`;
    expect(path).toContain("%3A");
    const response = await api(emulator(), "POST", path, { body: {} });
    expect(response.status).toBe(200);
    expect(emulator().requests[0]).toMatchObject({ path, clientId: awkwardId });
  });

  test("accepts the same client id unescaped (Java, Ruby)", async () => {
    const path = `/v1/m2m/clients/${awkwardId}/secrets/rotate/start`;
    const response = await rawRequest(emulator(), {
      method: "POST",
      path,
      headers: {
        authorization: projectAuth(emulator()),
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(at(response.body, "m2m_client", "client_id")).toBe(awkwardId);
    expect(emulator().requests[0]).toMatchObject({ path, clientId: awkwardId });
  });

  test("accepts an id containing a slash when it is encoded as %2F", async () => {
    emulator().createM2MClient({ clientId: "team/billing" });
    const response = await api(
      emulator(),
      "GET",
      clientPath("m2m", "team/billing"),
    );
    expect(response.status).toBe(200);
    expect(at(response.body, "m2m_client", "client_id")).toBe("team/billing");
  });

  test("takes a raw segment that is not valid percent-encoding as is", async () => {
    emulator().createM2MClient({ clientId: "100%" });
    const response = await rawRequest(emulator(), {
      method: "GET",
      path: "/v1/m2m/clients/100%",
      headers: { authorization: projectAuth(emulator()) },
    });
    expect(response.status).toBe(200);
    expect(at(response.body, "m2m_client", "client_id")).toBe("100%");
  });

  test("accepts a body carrying client_id (Go, Python, Java)", async () => {
    const response = await api(
      emulator(),
      "POST",
      clientPath("m2m", awkwardId, "/secrets/rotate/start"),
      { body: { client_id: awkwardId } },
    );
    expect(response.status).toBe(200);
  });

  test("lets the path win over a different client_id in the body", async () => {
    const other = emulator().seeded!.m2m.clientId;
    const response = await api(
      emulator(),
      "POST",
      clientPath("m2m", awkwardId, "/secrets/rotate/start"),
      { body: { client_id: other } },
    );
    expect(at(response.body, "m2m_client", "client_id")).toBe(awkwardId);
    expect(emulator().getClient(other)).toMatchObject({
      next_client_secret_last_four: null,
    });
  });

  test("accepts a rotate request with no body at all", async () => {
    const response = await rawRequest(emulator(), {
      method: "POST",
      path: clientPath("m2m", awkwardId, "/secrets/rotate/start"),
      headers: { authorization: projectAuth(emulator()) },
    });
    expect(response.status).toBe(200);
    expect(at(response.body, "m2m_client", "next_client_secret")).toMatch(
      GENERATED_SECRET,
    );
  });

  test.each([
    ["application/json; charset=utf-8"],
    ["application/json;charset=UTF-8"],
    ["application/json"],
    ["text/plain"],
  ])("accepts Content-Type %s", async (contentType) => {
    const response = await api(
      emulator(),
      "POST",
      clientPath("m2m", awkwardId, "/secrets/rotate/start"),
      {
        headers: { "content-type": contentType },
        body: "{}",
      },
    );
    expect(response.status).toBe(200);
  });

  test("fails with 400 bad_request for malformed JSON and applies nothing", async () => {
    const response = await api(
      emulator(),
      "POST",
      clientPath("m2m", awkwardId, "/secrets/rotate/start"),
      {
        headers: { "content-type": "application/json" },
        body: "{not json",
      },
    );
    expectStytchError(response, 400, "bad_request");
    expect(emulator().getClient(awkwardId)).toMatchObject({
      next_client_secret_last_four: null,
    });
  });

  test("fails with 400 bad_request for a JSON body that is not an object", async () => {
    expectStytchError(
      await api(emulator(), "POST", "/v1/m2m/clients", { body: "[1,2]" }),
      400,
      "bad_request",
    );
  });
});

describe("responses", () => {
  const emulator = useEmulator();

  test("fails with a JSON 404 route_not_found for an unknown path", async () => {
    const response = await api(emulator(), "GET", "/v1/nothing/here");
    expectStytchError(response, 404, "route_not_found");
    expect(response.headers.get("content-type")).toBe(
      "application/json; charset=utf-8",
    );
  });

  test("fails with a JSON 405 method_not_allowed and an Allow header for a wrong method", async () => {
    const response = await api(emulator(), "PATCH", clientPath("m2m", "x"));
    expectStytchError(response, 405, "method_not_allowed");
    expect(response.headers.get("allow")).toBe("GET, PUT, DELETE");
  });

  test("fails with a JSON 413 request_too_large for a body over 1 MiB, and records it", async () => {
    const response = await api(emulator(), "POST", "/v1/m2m/clients", {
      headers: { "content-type": "application/json" },
      body: `{"scopes":[],"client_name":"${"x".repeat(1024 * 1024)}"}`,
    });
    expectStytchError(response, 413, "request_too_large");
    expect(emulator().requests.map((r) => r.status)).toEqual([413]);
  });

  test("answers a request line Node cannot parse with a JSON 400, not a bare one", async () => {
    const { hostname, port } = new URL(emulator().url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => {
        socket.write("GET /v1/m2m/clients/a b HTTP/1.1\r\nHost: x\r\n\r\n");
      });
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    const [head, body] = raw.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toContain("content-type: application/json");
    expect(JSON.parse(body!)).toMatchObject({
      status_code: 400,
      error_type: "bad_request",
      request_id: stringMatching(REQUEST_ID),
    });
  });

  test("answers every call with JSON, status_code equal to the HTTP status, a fresh request_id and never 204", async () => {
    const id = emulator().seeded!.m2m.clientId;
    const responses = [
      await api(emulator(), "GET", clientPath("m2m", id)),
      await api(
        emulator(),
        "POST",
        clientPath("m2m", id, "/secrets/rotate/start"),
        { body: {} },
      ),
      await api(
        emulator(),
        "POST",
        clientPath("m2m", id, "/secrets/rotate/start"),
        { body: {} },
      ),
      await api(emulator(), "POST", clientPath("m2m", id, "/secrets/rotate"), {
        body: {},
      }),
      await api(
        emulator(),
        "POST",
        clientPath("m2m", id, "/secrets/rotate/cancel"),
        { body: {} },
      ),
      await api(emulator(), "DELETE", clientPath("m2m", id)),
      await api(emulator(), "GET", "/"),
    ];
    expect(responses.map((r) => r.status)).toEqual([
      200, 200, 400, 200, 400, 200, 404,
    ]);
    for (const response of responses) {
      expect(response.body["status_code"]).toBe(response.status);
      expect(response.body["request_id"]).toMatch(REQUEST_ID);
    }
    const ids = new Set(responses.map((r) => r.body["request_id"]));
    expect(ids.size).toBe(responses.length);
  });
});

describe("M2M token endpoint", () => {
  const emulator = useEmulator();
  const tokenPath = () => `/v1/public/${emulator().projectId}/oauth2/token`;
  const startRotation = async (): Promise<string> => {
    const id = emulator().seeded!.m2m.clientId;
    const response = await api(
      emulator(),
      "POST",
      clientPath("m2m", id, "/secrets/rotate/start"),
      { body: {} },
    );
    return stringAt(response.body, "m2m_client", "next_client_secret");
  };

  test("issues a bearer token for form-encoded client credentials (Node, Go)", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await m2mToken(emulator(), clientId, clientSecret!);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status_code: 200,
      request_id: stringMatching(REQUEST_ID),
      access_token: stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "bearer",
      expires_in: 3600,
    });
  });

  test("issues an RS256 JWT with a kid and Stytch's claims that verifies against the key set", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const token = stringAt(
      (await m2mToken(emulator(), clientId, clientSecret!)).body,
      "access_token",
    );
    const { payload, protectedHeader } = await verifyAccessToken(
      emulator(),
      token,
    );
    expect(protectedHeader).toEqual({
      alg: "RS256",
      typ: "JWT",
      kid: stringMatching(JWK_KID),
    });
    expect(payload).toEqual({
      sub: clientId,
      iss: `stytch.com/${emulator().projectId}`,
      aud: [emulator().projectId],
      scope: "read:users write:users",
      iat: anyNumber(),
      nbf: payload.iat,
      exp: payload.iat! + 3600,
      jti: stringMatching(/^[0-9a-f-]{36}$/),
    });
    const second = stringAt(
      (await m2mToken(emulator(), clientId, clientSecret!)).body,
      "access_token",
    );
    expect(decodeJwt(second).jti).not.toBe(payload.jti);
  });

  test("a token stops verifying once it expires", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const token = stringAt(
      (await m2mToken(emulator(), clientId, clientSecret!)).body,
      "access_token",
    );
    const { exp } = decodeJwt(token);
    // The verifier's clock is moved past `exp` instead of waiting an hour.
    await expect(
      verifyAccessToken(emulator(), token, new Date((exp! - 1) * 1000)),
    ).resolves.toBeDefined();
    await expect(
      verifyAccessToken(emulator(), token, new Date((exp! + 1) * 1000)),
    ).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  test("accepts a JSON body next to the project's Basic header, body credentials winning (Python, Ruby, Java)", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await api(emulator(), "POST", tokenPath(), {
      auth: projectAuth(emulator()),
      headers: { "content-type": "application/json; charset=utf-8" },
      body: {
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
      },
    });
    expect(response.status).toBe(200);
  });

  test("accepts client credentials in a Basic header", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await api(emulator(), "POST", tokenPath(), {
      auth: basicAuth(clientId, clientSecret!),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(response.status).toBe(200);
  });

  test("grants only the requested scopes when they are a subset", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await m2mToken(emulator(), clientId, clientSecret!, {
      scope: "read:users",
    });
    expect(decodeJwt(stringAt(response.body, "access_token")).scope).toBe(
      "read:users",
    );
  });

  test("fails with invalid_scope for a scope the client does not have", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    expectOAuthError(
      await m2mToken(emulator(), clientId, clientSecret!, {
        scope: "read:users admin",
      }),
      "invalid_scope",
    );
  });

  test("accepts the old and the next secret while a rotation is pending", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const next = await startRotation();
    expect((await m2mToken(emulator(), clientId, clientSecret!)).status).toBe(
      200,
    );
    expect((await m2mToken(emulator(), clientId, next)).status).toBe(200);
  });

  test("accepts only the new secret after the rotation completes", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const next = await startRotation();
    await api(
      emulator(),
      "POST",
      clientPath("m2m", clientId, "/secrets/rotate"),
      { body: {} },
    );
    expect((await m2mToken(emulator(), clientId, next)).status).toBe(200);
    expectOAuthError(
      await m2mToken(emulator(), clientId, clientSecret!),
      "invalid_client",
    );
  });

  test("accepts only the old secret after the rotation is cancelled", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const next = await startRotation();
    await api(
      emulator(),
      "POST",
      clientPath("m2m", clientId, "/secrets/rotate/cancel"),
      { body: {} },
    );
    expect((await m2mToken(emulator(), clientId, clientSecret!)).status).toBe(
      200,
    );
    expectOAuthError(
      await m2mToken(emulator(), clientId, next),
      "invalid_client",
    );
  });

  test("fails with a 400 OAuth2-shaped invalid_client for a wrong secret, without echoing any secret", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    // One character off; never the same one, or a secret that ends in "X" would make this flaky (1 in 64).
    const last = clientSecret!.endsWith("X") ? "Y" : "X";
    const wrong = `${clientSecret!.slice(0, -1)}${last}`;
    const response = await m2mToken(emulator(), clientId, wrong);
    expectOAuthError(response, "invalid_client");
    expect(response.body).not.toHaveProperty("error_type");
    expect(response.text).not.toContain(wrong);
    expect(response.text).not.toContain(clientSecret!);
  });

  test("fails with invalid_client for an unknown client", async () => {
    expectOAuthError(
      await m2mToken(emulator(), "m2m-client-test-nobody", "whatever-secret"),
      "invalid_client",
    );
  });

  test("fails with invalid_client for another project id in the path", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await api(
      emulator(),
      "POST",
      "/v1/public/project-test-other/oauth2/token",
      {
        auth: null,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret!,
          grant_type: "client_credentials",
        }).toString(),
      },
    );
    expectOAuthError(response, "invalid_client");
  });

  test("fails with invalid_client for an inactive client", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    await api(emulator(), "PUT", clientPath("m2m", clientId), {
      body: { status: "inactive" },
    });
    const response = await m2mToken(emulator(), clientId, clientSecret!);
    expectOAuthError(response, "invalid_client");
    expect(response.body["error_description"]).toMatch(/inactive/);
  });

  test("fails with invalid_request when grant_type is missing", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const response = await api(emulator(), "POST", tokenPath(), {
      auth: null,
      body: { client_id: clientId, client_secret: clientSecret },
    });
    expectOAuthError(response, "invalid_request");
  });

  test("fails with unsupported_grant_type for another grant", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    expectOAuthError(
      await m2mToken(emulator(), clientId, clientSecret!, {
        grant_type: "password",
      }),
      "unsupported_grant_type",
    );
  });

  test("fails with invalid_request when no credentials are sent", async () => {
    expectOAuthError(
      await api(emulator(), "POST", tokenPath(), {
        auth: null,
        body: { grant_type: "client_credentials" },
      }),
      "invalid_request",
    );
  });

  test("fails with unauthorized_client for Connected App credentials", async () => {
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    expectOAuthError(
      await m2mToken(emulator(), clientId, clientSecret!),
      "unauthorized_client",
    );
  });
});

describe("key set (JWKS) and signing keys", () => {
  const emulator = useEmulator();
  const token = async (): Promise<string> => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    return stringAt(
      (await m2mToken(emulator(), clientId, clientSecret!)).body,
      "access_token",
    );
  };
  const keySet = async (): Promise<unknown[]> =>
    arrayAt(
      (
        await api(emulator(), "GET", jwksUrl(emulator()).pathname, {
          auth: null,
        })
      ).body,
      "keys",
    );

  test("serves one RS256 public key on the consumer and the B2B path, without credentials", async () => {
    const consumer = await api(
      emulator(),
      "GET",
      jwksUrl(emulator()).pathname,
      { auth: null },
    );
    expect(consumer.status).toBe(200);
    expect(consumer.body).toEqual({
      status_code: 200,
      request_id: stringMatching(REQUEST_ID),
      keys: [
        {
          kty: "RSA",
          use: "sig",
          key_ops: ["verify"],
          alg: "RS256",
          kid: stringMatching(JWK_KID),
          // A 2048-bit modulus is 256 bytes, 342 base64url characters.
          n: stringMatching(/^[\w-]{342}$/),
          e: "AQAB",
        },
      ],
    });
    expect(Object.keys(objectAt(consumer.body, "keys", 0))).toEqual([
      "kty",
      "use",
      "key_ops",
      "alg",
      "kid",
      "n",
      "e",
    ]);
    const b2b = await api(
      emulator(),
      "GET",
      jwksUrl(emulator(), "b2b").pathname,
      { auth: null },
    );
    expect(b2b.body["keys"]).toEqual(consumer.body["keys"]);
    expect(consumer.text).not.toContain('"d"');
  });

  test("publishes the key named in the tokens' kid header", async () => {
    const { kid } = decodeProtectedHeader(await token());
    expect((await keySet()).map((key) => at(key, "kid"))).toEqual([kid]);
  });

  test.each(["consumer", "b2b"] as const)(
    "fails with 404 project_not_found for another project id (%s path)",
    async (vertical) => {
      const path = jwksUrl(emulator(), vertical).pathname.replace(
        emulator().projectId,
        "project-test-other",
      );
      expectStytchError(
        await api(emulator(), "GET", path, { auth: null }),
        404,
        "project_not_found",
      );
    },
  );

  test("each emulator signs with its own key pair", async () => {
    const other = await startEmulator({
      projectId: emulator().projectId,
      seed: false,
    });
    try {
      await expect(
        verifyAccessToken(other, await token()),
      ).rejects.toMatchObject({ code: "ERR_JWKS_NO_MATCHING_KEY" });
    } finally {
      await other.close();
    }
  });

  test("POST /_emulator/keys/rotate signs new tokens with a new key and keeps the old one published", async () => {
    const before = await token();
    const oldKid = decodeProtectedHeader(before).kid;
    const rotated = await api(emulator(), "POST", "/_emulator/keys/rotate");
    expect(rotated.status).toBe(200);
    const newKid = rotated.body["kid"];
    expect(newKid).toMatch(JWK_KID);
    expect(newKid).not.toBe(oldKid);
    expect(arrayAt(rotated.body, "keys").map((key) => at(key, "kid"))).toEqual([
      oldKid,
      newKid,
    ]);
    expect((await keySet()).map((key) => at(key, "kid"))).toEqual([
      oldKid,
      newKid,
    ]);
    const after = await token();
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    await expect(verifyAccessToken(emulator(), before)).resolves.toBeDefined();
    await expect(verifyAccessToken(emulator(), after)).resolves.toBeDefined();
    expect(
      emulator().requests.filter((r) => r.path.startsWith("/_emulator")),
    ).toEqual([]);
  });

  test("rotateSigningKey() rotates in-process, without a request", async () => {
    const kid = await emulator().rotateSigningKey();
    expect(emulator().requests).toEqual([]);
    expect(decodeProtectedHeader(await token()).kid).toBe(kid);
    expect(await keySet()).toHaveLength(2);
  });

  test("POST /_emulator/keys/rotate needs the project's credentials", async () => {
    expectStytchError(
      await api(emulator(), "POST", "/_emulator/keys/rotate", { auth: null }),
      400,
      "invalid_authorization_header",
    );
    expect(await keySet()).toHaveLength(1);
  });

  test("key set requests are recorded and can be faulted like any API call", async () => {
    emulator().faults.inject({ route: ROUTE_TEMPLATES.jwks, status: 503 });
    const faulted = await api(emulator(), "GET", jwksUrl(emulator()).pathname, {
      auth: null,
    });
    expectStytchError(faulted, 503, "service_unavailable");
    await keySet();
    expect(
      emulator().requests.map(({ route, status }) => ({ route, status })),
    ).toEqual([
      { route: ROUTE_TEMPLATES.jwks, status: 503 },
      { route: ROUTE_TEMPLATES.jwks, status: 200 },
    ]);
  });
});

describe("Connected App introspection", () => {
  const emulator = useEmulator();

  test("answers {active: false} with valid client credentials", async () => {
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    const response = await introspect(emulator(), clientId, clientSecret!);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status_code: 200,
      request_id: stringMatching(REQUEST_ID),
      active: false,
    });
  });

  test("is also served on the project-domain path /v1/oauth2/introspect", async () => {
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    const response = await api(emulator(), "POST", "/v1/oauth2/introspect", {
      auth: basicAuth(clientId, clientSecret!),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "token=abc",
    });
    expect(response.body["active"]).toBe(false);
  });

  test("fails with invalid_client for a wrong secret", async () => {
    const { clientId } = emulator().seeded!.connectedApp;
    expectOAuthError(
      await introspect(emulator(), clientId, "wrong-secret"),
      "invalid_client",
    );
  });

  test("fails with invalid_client for M2M credentials", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    expectOAuthError(
      await introspect(emulator(), clientId, clientSecret!),
      "invalid_client",
    );
  });

  test("fails with invalid_request when token is missing", async () => {
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    const response = await api(emulator(), "POST", "/v1/oauth2/introspect", {
      auth: null,
      body: { client_id: clientId, client_secret: clientSecret },
    });
    expectOAuthError(response, "invalid_request");
  });
});

describe("faults", () => {
  const emulator = useEmulator();
  const m2mId = () => emulator().seeded!.m2m.clientId;
  const rotateStart = (
    clientId = m2mId(),
    init: { signal?: AbortSignal } = {},
  ) =>
    api(
      emulator(),
      "POST",
      clientPath("m2m", clientId, "/secrets/rotate/start"),
      { body: {}, ...init },
    );
  const pendingLastFour = (clientId = m2mId()) =>
    emulator().getClient(clientId)!.next_client_secret_last_four;

  test("status answers 429 too_many_requests with Retry-After and does not apply the request", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotateStart,
      status: 429,
      retryAfter: "2",
    });
    const response = await rotateStart();
    expectStytchError(response, 429, "too_many_requests");
    expect(response.body["error_message"]).toBe(
      "Too many requests have been made.",
    );
    expect(response.headers.get("retry-after")).toBe("2");
    expect(pendingLastFour()).toBeNull();
    expect(emulator().requests.at(-1)?.status).toBe(429);
    expect((await rotateStart()).status).toBe(200);
  });

  test.each([
    [500, "internal_server_error"],
    [502, "bad_gateway"],
    [503, "service_unavailable"],
    [504, "gateway_timeout"],
  ])("status %i defaults to error_type %s", async (status, errorType) => {
    emulator().faults.inject({ status });
    expectStytchError(await rotateStart(), status, errorType);
    expect(pendingLastFour()).toBeNull();
  });

  test("status uses the given errorType", async () => {
    emulator().faults.inject({
      status: 429,
      errorType: "too_few_tokens_authenticated",
    });
    expectStytchError(await rotateStart(), 429, "too_few_tokens_authenticated");
  });

  test("delayMs delays the answer, then handles the request normally", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotateStart,
      delayMs: 150,
    });
    const started = Date.now();
    const response = await rotateStart();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
    expect(pendingLastFour()).toBe(
      at(response.body, "m2m_client", "next_client_secret_last_four"),
    );
  });

  test("delayMs still applies the request when the client gave up waiting", async () => {
    emulator().faults.inject({ delayMs: 200 });
    await expect(
      rotateStart(m2mId(), { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    expect(pendingLastFour()).toBeNull();
    await waitFor(() => emulator().requests.length === 1);
    expect(emulator().requests[0]?.status).toBe(200);
    expect(pendingLastFour()).toEqual(anyString());
  });

  test("delayMs combines with status", async () => {
    emulator().faults.inject({ delayMs: 100, status: 503 });
    const started = Date.now();
    expectStytchError(await rotateStart(), 503, "service_unavailable");
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  test("reset destroys the connection without applying the request", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotateStart,
      reset: true,
    });
    await expect(rotateStart()).rejects.toThrow();
    expect(pendingLastFour()).toBeNull();
    expect(emulator().requests.map((r) => r.status)).toEqual(["reset"]);
    const retry = await rotateStart();
    expect(retry.status).toBe(200);
  });

  test("dropResponse applies the request, then closes the connection without answering", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotateStart,
      dropResponse: true,
    });
    await expect(rotateStart()).rejects.toThrow();
    expect(emulator().requests.map((r) => r.status)).toEqual(["dropped"]);
    const read = await api(emulator(), "GET", clientPath("m2m", m2mId()));
    expect(at(read.body, "m2m_client", "next_client_secret_last_four")).toEqual(
      anyString(),
    );
    // The lost secret cannot be fetched again: a retry hits the pending rotation (docs/stytch-api.md, "Rotation").
    expectStytchError(
      await rotateStart(),
      400,
      "m2m_client_already_rotating_secret",
    );
  });

  test("times applies a rule to that many matching requests, then lets requests through", async () => {
    emulator().faults.inject({ status: 429, times: 2 });
    expect(emulator().faults.pending()).toBe(1);
    expect((await rotateStart()).status).toBe(429);
    expect((await rotateStart()).status).toBe(429);
    expect(emulator().faults.pending()).toBe(0);
    expect((await rotateStart()).status).toBe(200);
  });

  test("times: Infinity applies to every matching request until cleared", async () => {
    emulator().faults.inject({ status: 500, times: Infinity });
    for (let i = 0; i < 3; i += 1)
      expect((await rotateStart()).status).toBe(500);
    expect(emulator().faults.pending()).toBe(1);
    emulator().faults.clear();
    expect(emulator().faults.pending()).toBe(0);
    expect((await rotateStart()).status).toBe(200);
  });

  test("route limits a rule to that route template", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotate,
      status: 503,
    });
    expect(
      (await api(emulator(), "GET", clientPath("m2m", m2mId()))).status,
    ).toBe(200);
    expect((await rotateStart()).status).toBe(200);
    const complete = await api(
      emulator(),
      "POST",
      clientPath("m2m", m2mId(), "/secrets/rotate"),
      { body: {} },
    );
    expect(complete.status).toBe(503);
    expect(pendingLastFour()).toEqual(anyString());
  });

  test("method limits a rule to that method", async () => {
    emulator().faults.inject({ method: "get", status: 503 });
    expect((await rotateStart()).status).toBe(200);
    expect(
      (await api(emulator(), "GET", clientPath("m2m", m2mId()))).status,
    ).toBe(503);
  });

  test("clientId limits a rule to that client", async () => {
    const other = emulator().createM2MClient({ clientId: "other-client" });
    emulator().faults.inject({ clientId: other.clientId, status: 429 });
    expect((await rotateStart()).status).toBe(200);
    expect((await rotateStart(other.clientId)).status).toBe(429);
  });

  test("the first matching rule in injection order applies", async () => {
    emulator().faults.inject({
      route: ROUTE_TEMPLATES.m2m.client,
      status: 500,
    });
    emulator().faults.inject({ status: 429 });
    emulator().faults.inject({ status: 503 });
    expect((await rotateStart()).status).toBe(429);
    expect((await rotateStart()).status).toBe(503);
    expect(
      (await api(emulator(), "GET", clientPath("m2m", m2mId()))).status,
    ).toBe(500);
    expect(emulator().faults.pending()).toBe(0);
  });

  test("faults also hit the token endpoint", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    emulator().faults.inject({ route: ROUTE_TEMPLATES.token, status: 503 });
    expectStytchError(
      await m2mToken(emulator(), clientId, clientSecret!),
      503,
      "service_unavailable",
    );
  });

  test.each([
    [
      "an unknown route",
      { route: "/v1/m2m/clients/:id", status: 500 },
      RangeError,
    ],
    ["two actions", { status: 500, reset: true }, TypeError],
    ["no action", { route: ROUTE_TEMPLATES.m2m.rotate }, TypeError],
    ["times 0", { status: 500, times: 0 }, RangeError],
    ["a 2xx status", { status: 200 }, RangeError],
    ["retryAfter without status", { delayMs: 1, retryAfter: "1" }, TypeError],
    [
      "a retryAfter Node cannot send as a header",
      { status: 429, retryAfter: "5\r\nX-Injected: 1" },
      RangeError,
    ],
    ["a delay beyond what setTimeout honours", { delayMs: 3e9 }, RangeError],
  ])("inject rejects a rule with %s", (_name, rule, errorClass) => {
    expect(() => emulator().faults.inject(rule)).toThrow(errorClass);
    expect(emulator().faults.pending()).toBe(0);
  });

  test("close() cancels a delayed request without applying it", async () => {
    emulator().faults.inject({ delayMs: 30_000 });
    const pending = rotateStart().catch((error: unknown) => error);
    await waitFor(() => emulator().faults.pending() === 0);
    await emulator().close();
    // fetch's TypeError comes from another realm than jest's, hence the name check.
    expect(((await pending) as Error).name).toBe("TypeError");
    expect(pendingLastFour()).toBeNull();
    expect(emulator().requests).toEqual([]);
  });
});

describe("request recording", () => {
  const emulator = useEmulator();

  test("records method, raw path without query, route template, decoded client id and status", async () => {
    emulator().createM2MClient({ clientId: "a b" });
    await api(emulator(), "GET", "/v1/m2m/clients/a%20b?verbose=1");
    await api(emulator(), "POST", "/v1/m2m/clients/a%20b/secrets/rotate", {
      body: {},
    });
    await api(emulator(), "GET", "/v1/unknown");
    await m2mToken(emulator(), "a b", "bad-secret");
    expect(emulator().requests).toEqual([
      {
        method: "GET",
        path: "/v1/m2m/clients/a%20b",
        route: "/v1/m2m/clients/:client_id",
        clientId: "a b",
        status: 200,
      },
      {
        method: "POST",
        path: "/v1/m2m/clients/a%20b/secrets/rotate",
        route: "/v1/m2m/clients/:client_id/secrets/rotate",
        clientId: "a b",
        status: 400,
      },
      {
        method: "GET",
        path: "/v1/unknown",
        route: null,
        clientId: null,
        status: 404,
      },
      {
        method: "POST",
        path: `/v1/public/${emulator().projectId}/oauth2/token`,
        route: "/v1/public/:project_id/oauth2/token",
        clientId: null,
        status: 400,
      },
    ]);
  });

  test("clearRequests() empties the live array in place", async () => {
    const live = emulator().requests;
    await api(
      emulator(),
      "GET",
      clientPath("m2m", emulator().seeded!.m2m.clientId),
    );
    expect(live).toHaveLength(1);
    emulator().clearRequests();
    expect(live).toHaveLength(0);
    expect(emulator().requests).toBe(live);
  });

  test("calls onRequest with each recorded request", async () => {
    const seen: unknown[] = [];
    const emulator = await startEmulator({ onRequest: (r) => seen.push(r) });
    try {
      await api(
        emulator,
        "GET",
        clientPath("m2m", emulator.seeded!.m2m.clientId),
      );
      expect(seen).toEqual(emulator.requests);
      expect(seen).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });
});

describe("control endpoints over HTTP (/_emulator)", () => {
  const emulator = useEmulator();
  const rotateStart = () =>
    api(
      emulator(),
      "POST",
      clientPath(
        "m2m",
        emulator().seeded!.m2m.clientId,
        "/secrets/rotate/start",
      ),
      { body: {} },
    );

  test("POST /_emulator/faults injects a rule that then applies", async () => {
    const response = await api(emulator(), "POST", "/_emulator/faults", {
      body: {
        route: ROUTE_TEMPLATES.m2m.rotateStart,
        status: 429,
        retryAfter: "1",
        times: 2,
      },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status_code: 200, pending: 1 });
    const faulted = await rotateStart();
    expect(faulted.status).toBe(429);
    expect(faulted.headers.get("retry-after")).toBe("1");
  });

  test('POST /_emulator/faults accepts times "Infinity"', async () => {
    await api(emulator(), "POST", "/_emulator/faults", {
      body: { status: 500, times: "Infinity" },
    });
    for (let i = 0; i < 3; i += 1)
      expect((await rotateStart()).status).toBe(500);
  });

  test("POST /_emulator/faults fails with 400 bad_request for an invalid rule", async () => {
    const response = await api(emulator(), "POST", "/_emulator/faults", {
      body: { drop_response: true },
    });
    expectStytchError(response, 400, "bad_request");
    expect(response.body["error_message"]).toContain("drop_response");
    expect(emulator().faults.pending()).toBe(0);
  });

  test("DELETE /_emulator/faults clears every rule", async () => {
    emulator().faults.inject({ status: 500, times: Infinity });
    const response = await api(emulator(), "DELETE", "/_emulator/faults");
    expect(response.body["pending"]).toBe(0);
    expect((await rotateStart()).status).toBe(200);
  });

  test("GET /_emulator/requests lists the served requests and is not recorded itself", async () => {
    await rotateStart();
    const response = await api(emulator(), "GET", "/_emulator/requests");
    expect(response.body["requests"]).toEqual([
      objectContaining({
        method: "POST",
        route: ROUTE_TEMPLATES.m2m.rotateStart,
        status: 200,
      }),
    ]);
    expect(emulator().requests).toHaveLength(1);
  });

  test("control requests are never faulted", async () => {
    emulator().faults.inject({ status: 503, times: Infinity });
    expect((await api(emulator(), "GET", "/_emulator/requests")).status).toBe(
      200,
    );
    expect((await api(emulator(), "DELETE", "/_emulator/faults")).status).toBe(
      200,
    );
  });

  test.each([
    ["no credentials", null, 400, "invalid_authorization_header"],
    ["a wrong secret", "wrong", 401, "unauthorized_credentials"],
  ])(
    "require the project's Basic auth (%s)",
    async (_name, secret, status, errorType) => {
      const auth =
        secret === null ? null : basicAuth(emulator().projectId, secret);
      expectStytchError(
        await api(emulator(), "POST", "/_emulator/faults", {
          auth,
          body: { status: 500 },
        }),
        status,
        errorType,
      );
      expectStytchError(
        await api(emulator(), "GET", "/_emulator/requests", { auth }),
        status,
        errorType,
      );
      expect(emulator().faults.pending()).toBe(0);
    },
  );
});

describe("secret storage", () => {
  const emulator = useEmulator();

  test("the store holds hashes and last fours, never a plaintext client or project secret", async () => {
    const { m2m, connectedApp } = emulator().seeded!;
    const created = await api(emulator(), "POST", "/v1/m2m/clients", {
      body: { scopes: [], client_secret: "my-custom-secret-1234" },
    });
    const nextM2M = stringAt(
      (
        await api(
          emulator(),
          "POST",
          clientPath("m2m", m2m.clientId, "/secrets/rotate/start"),
          { body: {} },
        )
      ).body,
      "m2m_client",
      "next_client_secret",
    );
    const nextApp = stringAt(
      (
        await api(
          emulator(),
          "POST",
          clientPath(
            "connected_apps",
            connectedApp.clientId,
            "/secrets/rotate/start",
          ),
          {
            body: {},
          },
        )
      ).body,
      "connected_app",
      "next_client_secret",
    );
    const dump = emulator().dumpState();
    // The dump is the real store: it shows the ids and last fours it keeps.
    expect(dump).toContain(m2m.clientId);
    expect(dump).toContain(nextM2M.slice(-4));
    const secrets = [
      m2m.clientSecret!,
      connectedApp.clientSecret!,
      nextM2M,
      nextApp,
      stringAt(created.body, "m2m_client", "client_secret"),
      emulator().projectSecret,
    ];
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString("base64"));
      expect(dump).not.toContain(Buffer.from(secret).toString("hex"));
    }
    expect(JSON.stringify(emulator().requests)).not.toContain(nextM2M);
  });

  test("no error body contains a secret", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const next = stringAt(
      (
        await api(
          emulator(),
          "POST",
          clientPath("m2m", clientId, "/secrets/rotate/start"),
          { body: {} },
        )
      ).body,
      "m2m_client",
      "next_client_secret",
    );
    const errors = [
      await api(
        emulator(),
        "POST",
        clientPath("m2m", clientId, "/secrets/rotate/start"),
        { body: {} },
      ),
      await m2mToken(emulator(), clientId, "wrong-secret-value"),
      await api(emulator(), "GET", clientPath("m2m", clientId), {
        auth: basicAuth(emulator().projectId, next),
      }),
      await api(
        emulator(),
        "POST",
        clientPath("m2m", clientId, "/secrets/rotate"),
        {
          body: `{"client_secret":"${next}"`,
        },
      ),
    ];
    for (const response of errors) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      for (const secret of [
        clientSecret!,
        next,
        emulator().projectSecret,
        "wrong-secret-value",
      ]) {
        expect(response.text).not.toContain(secret);
      }
    }
  });
});

describe("CLI (npm run emulator)", () => {
  test("prints the URL, emulator-only credentials, seeded ids and an export hint, then stops on SIGTERM", async () => {
    const cli = path.join(__dirname, "..", "emulator", "cli.js");
    const child = spawn(process.execPath, [cli, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    try {
      await waitFor(() => output.includes("Ctrl+C"), 10_000);
      // The first group of `pattern` in what the CLI printed; the test fails if it printed none.
      const printed = (pattern: RegExp): string =>
        stringAt(pattern.exec(output), 1);
      const url = printed(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const projectId = printed(/project id:\s+(\S+)/);
      const projectSecret = printed(/project secret:\s+(\S+)/);
      const m2mId = printed(/M2M client:\s+(\S+)/);
      expect(output).toMatch(/Emulator-only credentials/);
      expect(output).toContain(
        `export STYTCH_BASE_URL=${url} STYTCH_PROJECT_ID=${projectId} STYTCH_SECRET=${projectSecret}`,
      );
      expect(m2mId).toMatch(/^m2m-client-test-/);
      expect(output).toContain(`${url}/v1/sessions/jwks/${projectId}`);
      expect(output).toMatch(
        /Connected App \(first_party\):\s+connected-app-test-/,
      );
      // The printed credentials work, and the seeded client's secret is nowhere in the output: rotating
      // reveals a fresh secret, and the output never showed a string of that shape next to the ids.
      const response = await fetch(`${url}/v1/m2m/clients/${m2mId}`, {
        headers: { authorization: basicAuth(projectId, projectSecret) },
      });
      expect(response.status).toBe(200);
      const lastFour = stringAt(
        await response.json(),
        "m2m_client",
        "client_secret_last_four",
      );
      expect(output).not.toMatch(new RegExp(`[A-Za-z0-9_-]{40}${lastFour}`));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain("stopping the emulator");
    } finally {
      child.kill("SIGKILL");
    }
  }, 20_000);
});
