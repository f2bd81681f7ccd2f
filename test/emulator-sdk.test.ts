/**
 * The emulator through the official Stytch Node SDK (`stytch` from npm): a second client, written by
 * Stytch and independent of our own, so that the emulator is held to what real client code expects and
 * not only to what our raw-HTTP tests and our provider assume.
 *
 * Covered for both client kinds: every call the provider makes (get, rotate start / complete / cancel),
 * the create / update / search / delete the SDK offers, the M2M token round trip with
 * `m2m.authenticateToken` before, during and after a rotation, and the SDK's error types. The SDK is
 * pointed at the emulator with `env: url + "/"` (stytch-node's `custom_base_url` must be https).
 */
import {
  B2BClient,
  Client,
  ClientError,
  StytchError,
  type M2MClient,
} from "stytch";
import {
  ROUTE_TEMPLATES,
  type RunningEmulator,
  type SeededClient,
} from "../emulator";
import { expectFreeOfSecrets, useEmulator } from "./helpers/harness";
import { objectContaining, stringMatching } from "./helpers/matchers";

const emulator = useEmulator();

const GENERATED_SECRET = /^[A-Za-z0-9_-]{44}$/;
const UNKNOWN_SUFFIX = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Project credentials for an SDK client; the emulator's own unless a test overrides them. */
interface Credentials {
  project_id: string;
  secret: string;
}

/**
 * An SDK client of the given vertical pointed at the emulator. stytch-node warns once per client about
 * any `env` other than its hosted ones, which is exactly this case: the warning is checked and kept out
 * of the test output.
 */
function sdk<T extends Client | B2BClient = Client>(
  running: RunningEmulator,
  options: {
    credentials?: Partial<Credentials>;
    vertical?: new (config: Credentials & { env: string }) => T;
  } = {},
): T {
  const Vertical = options.vertical ?? Client;
  const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const client = new Vertical({
      project_id: running.projectId,
      secret: running.projectSecret,
      ...options.credentials,
      env: `${running.url}/`,
    });
    expect(warn).toHaveBeenCalledTimes(1);
    return client as T;
  } finally {
    warn.mockRestore();
  }
}

/** The promise's rejection; fails the test if it resolves. */
async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error("expected the call to fail, but it succeeded");
    },
    (error: unknown) => error,
  );
}

/** Asserts that the call fails with a `StytchError` of this status and type, and returns it. */
async function expectStytchError(
  call: Promise<unknown>,
  status: number,
  errorType: string,
): Promise<StytchError> {
  const error = await rejection(call);
  expect(error).toBeInstanceOf(StytchError);
  expect(error).toMatchObject({
    status_code: status,
    error_type: errorType,
    error_url: `https://stytch.com/docs/api/errors/${status}#${errorType}`,
    request_id: stringMatching(/^request-id-test-/),
  });
  return error as StytchError;
}

/** Asserts that the call fails with the SDK's local `ClientError` of this code, and returns it. */
async function expectClientError(
  call: Promise<unknown>,
  code: string,
): Promise<ClientError> {
  const error = await rejection(call);
  expect(error).toBeInstanceOf(ClientError);
  expect(error).toMatchObject({ code });
  return error as ClientError;
}

/** Whether the M2M token endpoint gives this client id and secret a token, asked through the SDK. */
async function m2mSecretWorks(
  client: Client,
  clientId: string,
  secret: string,
): Promise<boolean> {
  const error = await client.m2m
    .token({ client_id: clientId, client_secret: secret })
    .then(
      () => null,
      (failure: unknown) => failure,
    );
  if (error === null) return true;
  expect(error).toMatchObject({
    status_code: 400,
    error_type: "invalid_client",
  });
  return false;
}

/**
 * Whether a Connected App's client credentials are accepted, asked through the SDK's token introspection
 * with a dummy token: valid credentials get the token judged inactive (a `ClientError` without a cause),
 * invalid ones a client-authentication error from the API as the cause.
 */
async function connectedAppSecretWorks(
  client: Client,
  clientId: string,
  secret: string,
): Promise<boolean> {
  const error = await expectClientError(
    client.idp.introspectTokenNetwork({
      token: "not-a-real-token",
      client_id: clientId,
      client_secret: secret,
    }),
    "token_invalid",
  );
  if (error.cause === null) return true;
  expect(error.cause).toBeInstanceOf(StytchError);
  expect(error.cause).toMatchObject({ error_type: "invalid_client" });
  return false;
}

/** What the rotation tests read from either kind's wire object. */
interface ClientView {
  client_id: string;
  client_secret_last_four?: string | null;
  next_client_secret_last_four?: string | null;
}

/** The SDK calls of one client kind, behind one shape, so that each rotation test runs for both. */
interface Kind {
  name: string;
  errorPrefix: "m2m_client" | "connected_app";
  seeded(running: RunningEmulator): SeededClient;
  get(client: Client, clientId: string): Promise<ClientView>;
  rotateStart(
    client: Client,
    clientId: string,
  ): Promise<ClientView & { next_client_secret: string }>;
  rotate(client: Client, clientId: string): Promise<ClientView>;
  rotateCancel(client: Client, clientId: string): Promise<ClientView>;
  secretWorks(
    client: Client,
    clientId: string,
    secret: string,
  ): Promise<boolean>;
}

const M2M: Kind = {
  name: "M2M client",
  errorPrefix: "m2m_client",
  seeded: (running) => running.seeded!.m2m,
  get: async (client, client_id) =>
    (await client.m2m.clients.get({ client_id })).m2m_client,
  rotateStart: async (client, client_id) =>
    (await client.m2m.clients.secrets.rotateStart({ client_id })).m2m_client,
  rotate: async (client, client_id) =>
    (await client.m2m.clients.secrets.rotate({ client_id })).m2m_client,
  rotateCancel: async (client, client_id) =>
    (await client.m2m.clients.secrets.rotateCancel({ client_id })).m2m_client,
  secretWorks: m2mSecretWorks,
};

const CONNECTED_APP: Kind = {
  name: "Connected App",
  errorPrefix: "connected_app",
  seeded: (running) => running.seeded!.connectedApp,
  get: async (client, client_id) =>
    (await client.connectedApp.clients.get({ client_id })).connected_app,
  rotateStart: async (client, client_id) =>
    (await client.connectedApp.clients.secrets.rotateStart({ client_id }))
      .connected_app,
  rotate: async (client, client_id) =>
    (await client.connectedApp.clients.secrets.rotate({ client_id }))
      .connected_app,
  rotateCancel: async (client, client_id) =>
    (await client.connectedApp.clients.secrets.rotateCancel({ client_id }))
      .connected_app,
  secretWorks: connectedAppSecretWorks,
};

/** The kind's seeded client with a rotation started through the SDK. */
async function pendingRotation(kind: Kind) {
  const client = sdk(emulator());
  const { clientId, clientSecret } = kind.seeded(emulator());
  const started = await kind.rotateStart(client, clientId);
  return {
    client,
    clientId,
    old: clientSecret!,
    next: started.next_client_secret,
    started,
  };
}

/** Which of the named secrets the kind's credential check accepts, by name, so a failure prints none. */
async function acceptedSecrets(
  kind: Kind,
  client: Client,
  clientId: string,
  secrets: Record<string, string>,
): Promise<string[]> {
  const accepted: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (await kind.secretWorks(client, clientId, secret)) accepted.push(name);
  }
  return accepted;
}

describe.each([M2M, CONNECTED_APP].map((kind) => [kind.name, kind] as const))(
  "%s: the calls the provider makes",
  (_name, kind) => {
    test("clients.get returns the client with its current secret's last four and no pending one", async () => {
      const { clientId, clientSecret } = kind.seeded(emulator());
      const view = await kind.get(sdk(emulator()), clientId);
      expect(view).toMatchObject({
        client_id: clientId,
        client_secret_last_four: clientSecret!.slice(-4),
        next_client_secret_last_four: null,
      });
    });

    test("secrets.rotateStart reveals the next secret once, and both secrets work while it is pending", async () => {
      const { client, clientId, old, next, started } =
        await pendingRotation(kind);
      expect(next).toMatch(GENERATED_SECRET);
      expect(started).toMatchObject({
        client_secret_last_four: old.slice(-4),
        next_client_secret_last_four: next.slice(-4),
      });
      const read = await kind.get(client, clientId);
      expect(read).not.toHaveProperty("next_client_secret");
      expect(read.next_client_secret_last_four).toBe(next.slice(-4));
      expect(
        await acceptedSecrets(kind, client, clientId, { old, next }),
      ).toEqual(["old", "next"]);
    });

    test.each([
      {
        call: "rotate",
        outcome: "promotes the next secret and revokes the old one",
        current: "next",
        accepted: ["next"],
      },
      {
        call: "rotateCancel",
        outcome: "discards the next secret and keeps the old one",
        current: "old",
        accepted: ["old"],
      },
    ] as const)(
      "secrets.$call $outcome",
      async ({ call, current, accepted }) => {
        const { client, clientId, old, next } = await pendingRotation(kind);
        const secrets = { old, next };
        expect(await kind[call](client, clientId)).toMatchObject({
          client_secret_last_four: secrets[current].slice(-4),
          next_client_secret_last_four: null,
        });
        expect(await acceptedSecrets(kind, client, clientId, secrets)).toEqual(
          accepted,
        );
      },
    );

    test(`clients.get and every rotate call fail with 404 ${kind.errorPrefix}_not_found for an unknown client`, async () => {
      const client = sdk(emulator());
      const unknown = `${kind.errorPrefix}-${UNKNOWN_SUFFIX}`;
      for (const call of [
        kind.get,
        kind.rotateStart,
        kind.rotate,
        kind.rotateCancel,
      ]) {
        await expectStytchError(
          call(client, unknown),
          404,
          `${kind.errorPrefix}_not_found`,
        );
      }
    });

    test(`secrets.rotateStart fails with 400 ${kind.errorPrefix}_already_rotating_secret and keeps the pending secret`, async () => {
      const { client, clientId, next } = await pendingRotation(kind);
      const error = await expectStytchError(
        kind.rotateStart(client, clientId),
        400,
        `${kind.errorPrefix}_already_rotating_secret`,
      );
      expectFreeOfSecrets(String(error), [next, emulator().projectSecret]);
      expect(await kind.secretWorks(client, clientId, next)).toBe(true);
    });

    test(`secrets.rotate and rotateCancel fail with 400 ${kind.errorPrefix}_not_rotating_secret when nothing is pending`, async () => {
      const client = sdk(emulator());
      const { clientId } = kind.seeded(emulator());
      for (const call of [kind.rotate, kind.rotateCancel]) {
        await expectStytchError(
          call(client, clientId),
          400,
          `${kind.errorPrefix}_not_rotating_secret`,
        );
      }
    });

    test("fails with 401 unauthorized_credentials for a wrong project secret and 400 invalid_project_id_authentication for another project", async () => {
      const { clientId } = kind.seeded(emulator());
      const wrongSecret = `${emulator().projectSecret}-wrong`;
      const wrong = await expectStytchError(
        kind.get(
          sdk(emulator(), { credentials: { secret: wrongSecret } }),
          clientId,
        ),
        401,
        "unauthorized_credentials",
      );
      expectFreeOfSecrets(String(wrong), [
        wrongSecret,
        emulator().projectSecret,
      ]);
      await expectStytchError(
        kind.rotateStart(
          sdk(emulator(), {
            credentials: { project_id: `project-test-${UNKNOWN_SUFFIX}` },
          }),
          clientId,
        ),
        400,
        "invalid_project_id_authentication",
      );
      // Neither request changed anything.
      expect(emulator().getClient(clientId)).toMatchObject({
        next_client_secret_last_four: null,
      });
    });
  },
);

describe("public Connected Apps", () => {
  test("every rotate call fails with 400 public_connected_apps_do_not_have_secrets", async () => {
    const client = sdk(emulator());
    const { clientId } = emulator().seeded!.publicConnectedApp;
    const read = await CONNECTED_APP.get(client, clientId);
    expect(read).toMatchObject({
      client_secret_last_four: null,
      next_client_secret_last_four: null,
    });
    for (const call of [
      CONNECTED_APP.rotateStart,
      CONNECTED_APP.rotate,
      CONNECTED_APP.rotateCancel,
    ]) {
      await expectStytchError(
        call(client, clientId),
        400,
        "public_connected_apps_do_not_have_secrets",
      );
    }
  });
});

describe("M2M clients: create, update, search, delete", () => {
  test("clients.create reveals a working secret once; get never shows it again", async () => {
    const client = sdk(emulator());
    const { m2m_client: created } = await client.m2m.clients.create({
      scopes: ["read:invoices"],
      client_name: "billing-worker",
      client_description: "Reads invoices.",
      trusted_metadata: { team: "billing" },
    });
    expect(created).toMatchObject({
      client_id: stringMatching(/^m2m-client-test-/),
      client_secret: stringMatching(GENERATED_SECRET),
      client_name: "billing-worker",
      client_description: "Reads invoices.",
      status: "active",
      scopes: ["read:invoices"],
      trusted_metadata: { team: "billing" },
      next_client_secret_last_four: null,
    });
    expect(created.client_secret_last_four).toBe(
      created.client_secret.slice(-4),
    );
    const { m2m_client: read } = await client.m2m.clients.get({
      client_id: created.client_id,
    });
    expect(read).not.toHaveProperty("client_secret");
    expect(
      await m2mSecretWorks(client, created.client_id, created.client_secret),
    ).toBe(true);
  });

  test("clients.create fails with 400 duplicate_m2m_client_id for a taken client_id", async () => {
    await expectStytchError(
      sdk(emulator()).m2m.clients.create({
        client_id: emulator().seeded!.m2m.clientId,
        scopes: [],
      }),
      400,
      "duplicate_m2m_client_id",
    );
  });

  test("clients.update changes the fields it is given and merges trusted_metadata; an inactive client gets no token", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    await client.m2m.clients.update({
      client_id: clientId,
      trusted_metadata: { team: "billing", tier: "gold" },
    });
    const { m2m_client: updated } = await client.m2m.clients.update({
      client_id: clientId,
      client_name: "renamed",
      status: "inactive",
      trusted_metadata: { tier: null, region: "eu" },
    });
    expect(updated).toMatchObject({
      client_name: "renamed",
      status: "inactive",
      scopes: ["read:users", "write:users"],
      trusted_metadata: { team: "billing", region: "eu" },
    });
    const error = await expectStytchError(
      client.m2m.token({ client_id: clientId, client_secret: clientSecret! }),
      400,
      "invalid_client",
    );
    expect(error.error_message).toMatch(/inactive/);
  });

  test("clients.search filters by client_id and pages with a cursor", async () => {
    const client = sdk(emulator());
    const extra = emulator().createM2MClient({ clientName: "second" });
    const filtered = await client.m2m.clients.search({
      query: {
        operator: "AND",
        operands: [
          { filter_name: "client_id", filter_value: [extra.clientId] },
        ],
      },
    });
    expect(filtered.m2m_clients.map((c) => c.client_id)).toEqual([
      extra.clientId,
    ]);
    const seen: M2MClient[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.m2m.clients.search({ limit: 1, cursor });
      expect(page.m2m_clients).toHaveLength(1);
      expect(page.results_metadata.total).toBe(2);
      seen.push(...page.m2m_clients);
      cursor = page.results_metadata.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen.map((c) => c.client_id)).toEqual([
      emulator().seeded!.m2m.clientId,
      extra.clientId,
    ]);
  });

  test("clients.delete removes the client; get then fails with m2m_client_not_found", async () => {
    const client = sdk(emulator());
    const { clientId } = emulator().seeded!.m2m;
    const deleted = await client.m2m.clients.delete({ client_id: clientId });
    expect(deleted).toMatchObject({ status_code: 200, client_id: clientId });
    await expectStytchError(
      client.m2m.clients.get({ client_id: clientId }),
      404,
      "m2m_client_not_found",
    );
  });
});

describe("Connected Apps: create, update, search, delete", () => {
  test("clients.create reveals a working secret for a confidential app and none for a public one", async () => {
    const client = sdk(emulator());
    const { connected_app: confidential } =
      await client.connectedApp.clients.create({
        client_type: "third_party",
        client_name: "partner",
        redirect_urls: ["https://partner.example/callback"],
      });
    expect(confidential).toMatchObject({
      client_id: stringMatching(/^connected-app-test-/),
      client_type: "third_party",
      client_name: "partner",
      redirect_urls: ["https://partner.example/callback"],
      client_secret: stringMatching(GENERATED_SECRET),
      id_token_template_content: "",
    });
    expect(confidential).not.toHaveProperty("creation_method");
    expect(
      await connectedAppSecretWorks(
        client,
        confidential.client_id,
        confidential.client_secret!,
      ),
    ).toBe(true);
    const { connected_app: publicApp } =
      await client.connectedApp.clients.create({
        client_type: "first_party_public",
      });
    expect(publicApp).not.toHaveProperty("client_secret");
    expect(publicApp.client_secret_last_four).toBeNull();
  });

  test("clients.update changes the fields it is given and keeps the secret", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    const { connected_app: updated } = await client.connectedApp.clients.update(
      {
        client_id: clientId,
        client_description: "Updated through the SDK.",
        access_token_expiry_minutes: 15,
      },
    );
    expect(updated).toMatchObject({
      client_id: clientId,
      client_name: "Seeded Connected App",
      client_description: "Updated through the SDK.",
      access_token_expiry_minutes: 15,
      client_secret_last_four: clientSecret!.slice(-4),
      creation_method: "API",
    });
  });

  test("clients.search pages through every Connected App with a cursor", async () => {
    const client = sdk(emulator());
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.connectedApp.clients.search({
        limit: 1,
        cursor,
      });
      ids.push(...page.connected_apps.map((app) => app.client_id));
      cursor = page.results_metadata.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(ids).toEqual([
      emulator().seeded!.connectedApp.clientId,
      emulator().seeded!.publicConnectedApp.clientId,
    ]);
  });

  test("clients.delete removes the app; its secret stops working", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.connectedApp;
    expect(
      await client.connectedApp.clients.delete({ client_id: clientId }),
    ).toMatchObject({ client_id: clientId });
    await expectStytchError(
      client.connectedApp.clients.get({ client_id: clientId }),
      404,
      "connected_app_not_found",
    );
    expect(await connectedAppSecretWorks(client, clientId, clientSecret!)).toBe(
      false,
    );
  });
});

describe("M2M access tokens: m2m.token and m2m.authenticateToken", () => {
  /** A token for the client through the SDK, and its `exp` claim as a date. */
  async function token(
    client: Client | B2BClient,
    clientId: string,
    secret: string,
    scopes?: string[],
  ): Promise<{ accessToken: string; expiresAt: Date }> {
    const response = await client.m2m.token({
      client_id: clientId,
      client_secret: secret,
      ...(scopes === undefined ? {} : { scopes }),
    });
    expect(response).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    const claims = JSON.parse(
      Buffer.from(response.access_token.split(".")[1]!, "base64url").toString(),
    ) as { exp: number };
    return {
      accessToken: response.access_token,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** Asserts that the SDK verifies the token as the seeded client's, with all its scopes. */
  async function expectAuthenticates(
    client: Client | B2BClient,
    accessToken: string,
  ): Promise<void> {
    expect(
      await client.m2m.authenticateToken({ access_token: accessToken }),
    ).toEqual({
      client_id: emulator().seeded!.m2m.clientId,
      scopes: ["read:users", "write:users"],
      custom_claims: {},
    });
  }

  /**
   * Runs `check` while `Date` (and only `Date`) says `at`: the SDK's verifier then sees that time without
   * the test waiting for it. Timers and the network keep running in real time.
   */
  async function withDateAt<T>(at: Date, check: () => Promise<T>): Promise<T> {
    jest.useFakeTimers({
      now: at,
      doNotFake: [
        "hrtime",
        "nextTick",
        "performance",
        "queueMicrotask",
        "setImmediate",
        "clearImmediate",
        "setInterval",
        "clearInterval",
        "setTimeout",
        "clearTimeout",
      ],
    });
    try {
      return await check();
    } finally {
      jest.useRealTimers();
    }
  }

  test("before a rotation, a token from the client's secret authenticates against the consumer key set", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const { accessToken } = await token(client, clientId, clientSecret!);
    await expectAuthenticates(client, accessToken);
    expect(
      emulator().requests.filter((r) => r.route === ROUTE_TEMPLATES.jwks),
    ).toEqual([
      objectContaining({ method: "GET", status: 200, clientId: null }),
    ]);
  });

  test("during a pending rotation, tokens from the old and from the next secret both authenticate", async () => {
    const { client, clientId, old, next } = await pendingRotation(M2M);
    for (const secret of [old, next]) {
      const { accessToken } = await token(client, clientId, secret);
      await expectAuthenticates(client, accessToken);
    }
  });

  test("after promote, the old secret gets no token, but one it got before still authenticates until it expires", async () => {
    const { client, clientId, old, next } = await pendingRotation(M2M);
    const before = await token(client, clientId, old);
    await M2M.rotate(client, clientId);

    const refused = await expectStytchError(
      client.m2m.token({ client_id: clientId, client_secret: old }),
      400,
      "invalid_client",
    );
    expectFreeOfSecrets(String(refused), [old, next]);
    const { accessToken: afterToken } = await token(client, clientId, next);
    await expectAuthenticates(client, afterToken);

    await expectAuthenticates(client, before.accessToken);
    const expired = await withDateAt(
      new Date(before.expiresAt.getTime() + 1000),
      () =>
        expectClientError(
          client.m2m.authenticateToken({ access_token: before.accessToken }),
          "jwt_invalid",
        ),
    );
    expect(expired.cause).toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  test("after cancel, the next secret gets no token, but one it got during the rotation still authenticates", async () => {
    const { client, clientId, old, next } = await pendingRotation(M2M);
    const during = await token(client, clientId, next);
    await M2M.rotateCancel(client, clientId);
    await expectStytchError(
      client.m2m.token({ client_id: clientId, client_secret: next }),
      400,
      "invalid_client",
    );
    expect(await m2mSecretWorks(client, clientId, old)).toBe(true);
    await expectAuthenticates(client, during.accessToken);
  });

  test("deactivating or deleting the client stops new tokens but not issued ones", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const issued = await token(client, clientId, clientSecret!);
    await client.m2m.clients.update({
      client_id: clientId,
      status: "inactive",
    });
    expect(await m2mSecretWorks(client, clientId, clientSecret!)).toBe(false);
    await client.m2m.clients.delete({ client_id: clientId });
    await expectAuthenticates(client, issued.accessToken);
  });

  test("a token for a subset of scopes carries only those, and required_scopes are enforced", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const { accessToken } = await token(client, clientId, clientSecret!, [
      "read:users",
    ]);
    expect(
      await client.m2m.authenticateToken({
        access_token: accessToken,
        required_scopes: ["read:users"],
      }),
    ).toMatchObject({ scopes: ["read:users"] });
    await expectClientError(
      client.m2m.authenticateToken({
        access_token: accessToken,
        required_scopes: ["write:users"],
      }),
      "missing_scopes",
    );
    await expectStytchError(
      client.m2m.token({
        client_id: clientId,
        client_secret: clientSecret!,
        scopes: ["admin:users"],
      }),
      400,
      "invalid_scope",
    );
  });

  test("a token whose claims were altered fails with jwt_invalid", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const { accessToken } = await token(client, clientId, clientSecret!, [
      "read:users",
    ]);
    const parts = accessToken.split(".");
    expect(parts).toHaveLength(3);
    const [header, payload, signature] = parts as [string, string, string];
    const claims = JSON.parse(
      Buffer.from(payload, "base64url").toString(),
    ) as Record<string, unknown>;
    const widened = Buffer.from(
      JSON.stringify({ ...claims, scope: "read:users write:users" }),
    ).toString("base64url");
    const error = await expectClientError(
      client.m2m.authenticateToken({
        access_token: `${header}.${widened}.${signature}`,
      }),
      "jwt_invalid",
    );
    expect(error.cause).toMatchObject({
      code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    });
  });

  test("a B2B client verifies the same tokens against the B2B key set path", async () => {
    const client = sdk(emulator(), { vertical: B2BClient });
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const { accessToken } = await token(client, clientId, clientSecret!);
    await expectAuthenticates(client, accessToken);
    expect(emulator().requests.map((r) => r.route)).toEqual([
      ROUTE_TEMPLATES.token,
      ROUTE_TEMPLATES.b2bJwks,
    ]);
  });

  test("after a signing-key rotation, issued tokens still authenticate and a new client verifies the new key's tokens", async () => {
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const first = sdk(emulator());
    const before = await token(first, clientId, clientSecret!);
    await expectAuthenticates(first, before.accessToken);
    await emulator().rotateSigningKey();
    const after = await token(first, clientId, clientSecret!);
    // A client that fetched the key set moments ago would not refetch it for jose's 30 s cooldown, as
    // against Stytch; a client created now fetches both keys.
    const second = sdk(emulator());
    for (const { accessToken } of [before, after]) {
      await expectAuthenticates(second, accessToken);
    }
  });

  test("sessions.getJWKS returns the key set on both paths", async () => {
    const consumer = await sdk(emulator()).sessions.getJWKS({
      project_id: emulator().projectId,
    });
    const b2b = await sdk(emulator(), { vertical: B2BClient }).sessions.getJWKS(
      { project_id: emulator().projectId },
    );
    expect(consumer).toMatchObject({
      status_code: 200,
      keys: [{ kty: "RSA", alg: "RS256", use: "sig", key_ops: ["verify"] }],
    });
    expect(b2b.keys).toEqual(consumer.keys);
    await expectStytchError(
      sdk(emulator()).sessions.getJWKS({
        project_id: `project-test-${UNKNOWN_SUFFIX}`,
      }),
      404,
      "project_not_found",
    );
  });

  test("a wrong secret fails with a 400 invalid_client StytchError that holds no secret", async () => {
    const client = sdk(emulator());
    const { clientId, clientSecret } = emulator().seeded!.m2m;
    const wrong = `${clientSecret!}-wrong`;
    const error = await expectStytchError(
      client.m2m.token({ client_id: clientId, client_secret: wrong }),
      400,
      "invalid_client",
    );
    expectFreeOfSecrets(`${String(error)} ${JSON.stringify(error)}`, [
      wrong,
      clientSecret,
      emulator().projectSecret,
    ]);
  });
});
