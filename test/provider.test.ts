import {
  ClientSecretRotationProvider,
  type ClientSecretRotationInputs,
  type ClientSecretRotationOutputs,
} from "../provider";
import {
  adminCall,
  captureConsole,
  expectFreeOfSecrets,
  expectOnlyNewSecretWorks,
  m2mSecretWorks,
  printedError,
  providerFor,
  readClient,
  seededM2MInputs,
  stackConfig,
  stytchCalls,
  useEmulatorInEachStytchBehaviour,
} from "./helpers/harness";
import type { EngineCarriedProvider } from "./helpers/engine-wire";
import { stringAt } from "./helpers/json";
import {
  anyString,
  objectContaining,
  stringContaining,
  stringMatching,
} from "./helpers/matchers";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ROTATE_START = "/v1/m2m/clients/:client_id/secrets/rotate/start";
const ROTATE = "/v1/m2m/clients/:client_id/secrets/rotate";
const ROTATE_CANCEL = "/v1/m2m/clients/:client_id/secrets/rotate/cancel";
const { emulator, forEachStytchBehaviour } = useEmulatorInEachStytchBehaviour();

/** The rotation is complete at Stytch: its new secret works and the seeded client's old one is revoked. */
function expectOnlyNewSecretWorksFor(
  outs: ClientSecretRotationOutputs,
): Promise<void> {
  return expectOnlyNewSecretWorks(
    emulator(),
    outs.clientId,
    outs.newClientSecret,
    emulator().seeded!.m2m.clientSecret!,
  );
}

/** Resolves once `condition` holds, polling; for stepping in between a provider's requests. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

function m2mInputs(
  overrides: Partial<ClientSecretRotationInputs> = {},
): ClientSecretRotationInputs {
  return seededM2MInputs(emulator(), overrides);
}

/** An emergency rotation of the seeded M2M client: promoted at once, naming its current secret. */
function emergencyInputs(): ClientSecretRotationInputs {
  return m2mInputs({
    promoted: true,
    emergencyRevokeSecretEnding: emulator().seeded!.m2m.clientSecret!.slice(-4),
  });
}

async function created(
  provider: EngineCarriedProvider,
  inputs: ClientSecretRotationInputs,
): Promise<ClientSecretRotationOutputs> {
  const result = await provider.create(inputs);
  return result.outs!;
}

/** Starts a rotation outside Pulumi, as an operator in the dashboard would. */
function outOfBand(
  action: "rotate/start" | "rotate" | "rotate/cancel",
  clientId: string,
  kind = "m2m",
) {
  return adminCall(
    emulator(),
    "POST",
    `/v1/${kind}/clients/${encodeURIComponent(clientId)}/secrets/${action}`,
  );
}

describe("check", () => {
  test("fails on a missing clientId, names the field and makes no Stytch call", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check({}, { promoted: false });
    // The resource's problem rather than the property's: the engine prints a failed property's value,
    // and a wrong client id may be a secret pasted in the wrong place.
    expect(result.failures).toEqual([
      objectContaining({
        property: "",
        reason: stringMatching(/^clientId is required/),
      }),
    ]);
    expect(emulator().requests).toHaveLength(0);
  });

  test.each([
    ["a/b"],
    ["a?b"],
    ["a#b"],
    ["100%"],
    [" m2m-client-test-x"],
    [".."],
    ["tab\there"],
  ])(
    "rejects %j as a client id that cannot be one URL path segment",
    async (clientId) => {
      const provider = await providerFor(emulator());
      const result = await provider.check({}, { clientId, clientKind: "m2m" });
      expect(result.failures?.map((f) => f.property)).toEqual([""]);
      expect(result.failures?.[0]?.reason).toMatch(
        /^clientId .*copy the id exactly/,
      );
    },
  );

  test("infers clientKind from the id prefix and applies defaults", async () => {
    const provider = await providerFor(emulator());
    expect(
      (await provider.check({}, { clientId: "m2m-client-test-1" })).inputs,
    ).toEqual({
      clientId: "m2m-client-test-1",
      clientKind: "m2m",
      promoted: false,
      triggers: {},
    });
    expect(
      (await provider.check({}, { clientId: "connected-app-live-1" })).inputs
        ?.clientKind,
    ).toBe("connected_app");
    expect(
      (await provider.check({}, { clientId: "idp-client-test-1" })).inputs
        ?.clientKind,
    ).toBe("connected_app");
  });

  test("requires clientKind when the id has no known prefix", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check({}, { clientId: "custom-worker-id" });
    expect(result.failures).toEqual([
      objectContaining({
        property: "clientKind",
        reason: stringContaining('set clientKind to "m2m" or "connected_app"'),
      }),
    ]);
    expect(
      (
        await provider.check(
          {},
          { clientId: "custom-worker-id", clientKind: "m2m" },
        )
      ).failures,
    ).toBeUndefined();
  });

  test("rejects a clientKind that contradicts the id prefix, or is not a kind", async () => {
    const provider = await providerFor(emulator());
    const mismatch = await provider.check(
      {},
      { clientId: "m2m-client-test-1", clientKind: "connected_app" },
    );
    expect(mismatch.failures?.[0]).toEqual(
      objectContaining({
        property: "clientKind",
        reason: stringContaining('set clientKind to "m2m"'),
      }),
    );
    const invalid = await provider.check(
      {},
      { clientId: "m2m-client-test-1", clientKind: "idp" },
    );
    expect(invalid.failures?.[0]?.property).toBe("clientKind");
  });

  test("rejects a non-boolean promoted and non-object triggers", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(
      {},
      { clientId: "m2m-client-test-1", promoted: "true", triggers: ["q4"] },
    );
    expect(result.failures?.map((f) => f.property).sort()).toEqual([
      "promoted",
      "triggers",
    ]);
  });

  // The checked inputs of a completed rotation, as `check` receives them back on the next run.
  const promotedInputs: ClientSecretRotationInputs = {
    clientId: "m2m-client-test-1",
    clientKind: "m2m",
    promoted: true,
    triggers: { q: "1" },
  };

  test("leaves promoted true → false in place to diff: only the outputs tell a completed rotation from a held-back request", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(promotedInputs, {
      clientId: "m2m-client-test-1",
      promoted: false,
      triggers: { q: "1" },
    });
    expect(result.failures).toBeUndefined();
  });

  test("allows promoted true → false together with a triggers change (a new rotation)", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(promotedInputs, {
      clientId: "m2m-client-test-1",
      promoted: false,
      triggers: { q: "2" },
    });
    expect(result.failures).toBeUndefined();
  });

  test.each([
    ["triggers", { clientId: "m2m-client-test-1", triggers: { q: "2" } }],
    ["clientId", { clientId: "m2m-client-test-2", triggers: { q: "1" } }],
  ])(
    "refuses to carry promoted: true into a new rotation started by a %s change",
    async (changed, change) => {
      const provider = await providerFor(emulator());
      // The engine also sends the serialized provider, whose code holds the unknown-value sentinel.
      const serializedProvider = `exports.handler = ... "${UNKNOWN}" ...`;
      const result = await provider.check(promotedInputs, {
        ...change,
        promoted: true,
        __provider: serializedProvider,
      } as Parameters<typeof provider.check>[1]);
      expect(result.failures).toEqual([
        {
          property: "promoted",
          reason: stringContaining(`changing ${changed} starts a new rotation`),
        },
      ]);
      expect(result.failures![0]!.reason).toContain(
        "Set promoted: false in the same commit",
      );
      expect(emulator().requests).toHaveLength(0);
    },
  );

  test("refuses promoted: true on a new resource before any call, naming aliases, promoted: false and the emergency input", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(
      {},
      { clientId: "m2m-client-test-1", promoted: true },
    );
    expect(result.failures).toEqual([
      { property: "promoted", reason: stringContaining("new to this stack") },
    ]);
    for (const named of [
      "`aliases`",
      "Set promoted: false",
      "emergencyRevokeSecretEnding",
    ]) {
      expect(result.failures![0]!.reason).toContain(named);
    }
    expect(emulator().requests).toHaveLength(0);
  });

  test("allows promoted: true on a new resource with the emergency input, and while a change is unknown", async () => {
    const provider = await providerFor(emulator());
    const created = await provider.check(
      {},
      {
        clientId: "m2m-client-test-1",
        promoted: true,
        emergencyRevokeSecretEnding: "a1b2",
      },
    );
    expect(created.failures).toBeUndefined();
    expect(created.inputs).toMatchObject({
      emergencyRevokeSecretEnding: "a1b2",
    });
    const preview = await provider.check(promotedInputs, {
      clientId: "m2m-client-test-1",
      promoted: true,
      triggers: { q: UNKNOWN },
    });
    expect(preview.failures).toBeUndefined();
  });

  test("tolerates unknown values during preview", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(
      {},
      {
        clientId: UNKNOWN,
        clientKind: UNKNOWN,
        promoted: UNKNOWN,
        triggers: UNKNOWN,
      },
    );
    expect(result.failures).toBeUndefined();
    expect(emulator().requests).toHaveLength(0);
  });
});

describe("diff", () => {
  const olds: ClientSecretRotationOutputs = {
    clientId: "m2m-client-test-1",
    clientKind: "m2m",
    promoted: false,
    triggers: { quarter: "2026-Q4" },
    status: "pending",
    newClientSecret: "unused-in-diff",
    newClientSecretLastFour: "abcd",
    previousClientSecretLastFour: "wxyz",
  };
  const same: ClientSecretRotationInputs = {
    clientId: "m2m-client-test-1",
    clientKind: "m2m",
    promoted: false,
    triggers: { quarter: "2026-Q4" },
  };

  test("reports no change for identical inputs and makes no Stytch call", async () => {
    const provider = await providerFor(emulator());
    expect(await provider.diff("id", olds, same)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(emulator().requests).toHaveLength(0);
  });

  test("treats promoted false → true as an update", async () => {
    const provider = await providerFor(emulator());
    expect(
      await provider.diff("id", olds, { ...same, promoted: true }),
    ).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test("replaces on a clientId or clientKind change, creating the new rotation first", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.diff("id", olds, {
      ...same,
      clientId: "m2m-client-test-2",
    });
    expect(result).toEqual({
      changes: true,
      replaces: ["clientId"],
      deleteBeforeReplace: false,
    });
    expect(
      (
        await provider.diff("id", olds, {
          ...same,
          clientKind: "connected_app",
        })
      ).replaces,
    ).toEqual(["clientKind"]);
  });

  test("replaces on a triggers change, deleting (cancelling) a pending old rotation first", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.diff("id", olds, {
      ...same,
      triggers: { quarter: "2027-Q1" },
    });
    expect(result).toEqual({
      changes: true,
      replaces: ["triggers"],
      deleteBeforeReplace: true,
    });
  });

  test("replaces a promoted rotation on a triggers change without delete-before-replace", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.diff(
      "id",
      { ...olds, status: "promoted", promoted: true },
      { ...same, promoted: false, triggers: { quarter: "2027-Q1" } },
    );
    expect(result).toEqual({
      changes: true,
      replaces: ["triggers"],
      deleteBeforeReplace: false,
    });
  });

  test("ignores the key order of triggers", async () => {
    const provider = await providerFor(emulator());
    const two = { ...olds, triggers: { a: 1, b: 2 } };
    expect(
      (await provider.diff("id", two, { ...same, triggers: { b: 2, a: 1 } }))
        .changes,
    ).toBe(false);
  });

  test.each([["cancelled"], ["superseded"]] as const)(
    "replaces a rotation that refresh found %s",
    async (status) => {
      const provider = await providerFor(emulator());
      const result = await provider.diff("id", { ...olds, status }, same);
      expect(result).toEqual({
        changes: true,
        replaces: ["status"],
        deleteBeforeReplace: false,
      });
    },
  );

  test.each([["cancelled"], ["superseded"]] as const)(
    "refuses to start over with promoted: true after refresh found the rotation %s",
    async (status) => {
      const provider = await providerFor(emulator());
      const lost = { ...olds, status, promoted: true };
      // An update, not a replacement: a replacement's create would start and complete at once.
      expect(
        await provider.diff("id", lost, { ...same, promoted: true }),
      ).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      const error = await provider
        .update("id", lost, { ...same, promoted: true })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect((error as Error).message).toContain(
        `was ${status} outside Pulumi`,
      );
      expect((error as Error).message).toContain(
        "Change triggers and set promoted: false",
      );
      expect(emulator().requests).toHaveLength(0);
    },
  );

  test("replaces when the clientId is unknown during preview", async () => {
    const provider = await providerFor(emulator());
    expect(
      (await provider.diff("id", olds, { ...same, clientId: UNKNOWN }))
        .replaces,
    ).toContain("clientId");
  });
});

// Everything that calls Stytch runs against both behaviours of a rotate/start while one is pending.
forEachStytchBehaviour((mode) => {
  describe("create", () => {
    test("starts an M2M rotation with one read and one rotate/start; old and new secret both work", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const result = await provider.create(m2mInputs());
      const outs = result.outs!;
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
      ]);
      expect(outs).toEqual({
        clientId: m2m.clientId,
        clientKind: "m2m",
        promoted: false,
        triggers: {},
        status: "pending",
        newClientSecret: anyString(),
        newClientSecretLastFour: outs.newClientSecret.slice(-4),
        previousClientSecretLastFour: m2m.clientSecret!.slice(-4),
        // The audit times, on every rotation.
        startedAt: outs.startedAt,
        promotedAt: "",
      });
      expect(Date.parse(outs.startedAt!)).not.toBeNaN();
      expect(result.id).toBe(`${m2m.clientId}:${outs.newClientSecretLastFour}`);
      expect(result.id).not.toContain(outs.newClientSecret);
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, outs.newClientSecret),
      ).toBe(true);
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, m2m.clientSecret!),
      ).toBe(true);
    });

    test("starts a Connected App rotation with one read and one rotate/start", async () => {
      const provider = await providerFor(emulator());
      const { connectedApp } = emulator().seeded!;
      const outs = await created(provider, {
        clientId: connectedApp.clientId,
        clientKind: "connected_app",
        promoted: false,
        triggers: {},
      });
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
      ]);
      expect(emulator().requests[1]!.route).toBe(
        "/v1/connected_apps/clients/:client_id/secrets/rotate/start",
      );
      expect(outs.status).toBe("pending");
      const live = await readClient(
        emulator(),
        "connected_apps",
        connectedApp.clientId,
      );
      expect(live["next_client_secret_last_four"]).toBe(
        outs.newClientSecretLastFour,
      );
    });

    test("completes at once when promoted is already true (emergency rotation)", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, emergencyInputs());
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "POST rotate",
      ]);
      expect(outs.status).toBe("promoted");
      await expectOnlyNewSecretWorksFor(outs);
    });

    test("never cancels a rotation someone else left pending", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const foreign = (await outOfBand("rotate/start", m2m.clientId))[
        "m2m_client"
      ] as Record<string, string>;
      emulator().clearRequests();
      const error = await provider.create(m2mInputs()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect(String(error)).toContain(
        `next secret ending ${stringAt(foreign, "next_client_secret_last_four")}`,
      );
      // The pending rotation is seen before anything is sent: no rotate call at all.
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
      expect(
        await m2mSecretWorks(
          emulator(),
          m2m.clientId,
          foreign["next_client_secret"]!,
        ),
      ).toBe(true);
    });

    test("never cancels a rotation someone else starts between our read and our start", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      emulator().faults.inject({ route: ROTATE_START, delayMs: 300 });
      const creating = provider.create(m2mInputs()).catch((e: unknown) => e);
      await until(() => emulator().faults.pending() === 0); // ours is held at the emulator
      const theirs = (await outOfBand("rotate/start", m2m.clientId))[
        "m2m_client"
      ] as Record<string, string>;
      const outcome = await creating;
      expect(stytchCalls(emulator())).not.toContain("POST rotate/cancel");
      if (mode === "reject") {
        expect(outcome).toMatchObject({ name: "RotationConflictError" });
        expect(
          await m2mSecretWorks(
            emulator(),
            m2m.clientId,
            theirs["next_client_secret"]!,
          ),
        ).toBe(true);
      } else {
        // A Stytch that replaces a pending rotation on rotate/start lets the later start win, and no answer
        // tells the two apart: the race between our read and our start that the README lists. What holds:
        // the stack gets the one secret that works, never a dead one.
        const outs = (outcome as { outs: ClientSecretRotationOutputs }).outs;
        expect(
          emulator().verifySecret(m2m.clientId, outs.newClientSecret),
        ).toBe("next");
      }
    });

    test("an emergency rotation whose complete landed unseen is a success, not a lost secret", async () => {
      const provider = await providerFor(emulator());
      emulator().faults.inject({ route: ROTATE_START, delayMs: 300 });
      emulator().faults.inject({ route: ROTATE, dropResponse: true });
      const creating = provider.create(emergencyInputs());
      await until(() => emulator().requests.length === 1); // the first read is done
      // The read after the lost complete fails, so completing cannot confirm; the cleanup then finds it done.
      emulator().faults.inject({
        method: "GET",
        status: 401,
        errorType: "unauthorized_credentials",
      });
      const outs = (await creating).outs!;
      expect(outs.status).toBe("promoted");
      await expectOnlyNewSecretWorksFor(outs);
      expect(stytchCalls(emulator())).not.toContain("POST rotate/cancel");
    });

    test("names the last failure when it gives up, instead of blaming a race", async () => {
      const provider = await providerFor(emulator());
      emulator().faults.inject({
        route: ROTATE_START,
        status: 500,
        times: 4,
      });
      const error = await provider.create(m2mInputs()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect(String(error)).toContain("500 internal_server_error");
      expect(String(error)).toContain("request_id request-id-test-");
      expect(String(error)).not.toContain("kept changing");
    });

    test("fails with Stytch's error fields for an unknown client", async () => {
      const provider = await providerFor(emulator());
      const error = await provider
        .create(m2mInputs({ clientId: "m2m-client-test-does-not-exist" }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StytchApiError",
        statusCode: 404,
        errorType: "m2m_client_not_found",
        requestId: stringMatching(/^request-id-test-/),
      });
    });

    test("fails for a public Connected App, which has no secret", async () => {
      const provider = await providerFor(emulator());
      const { publicConnectedApp } = emulator().seeded!;
      const error = await provider
        .create({
          clientId: publicConnectedApp.clientId,
          clientKind: "connected_app",
          promoted: false,
          triggers: {},
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StytchApiError",
        errorType: "public_connected_apps_do_not_have_secrets",
      });
    });

    test("retries a 429 after its Retry-After without double-rotating", async () => {
      const provider = await providerFor(emulator());
      emulator().faults.inject({
        method: "POST",
        route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
        status: 429,
        retryAfter: "1",
      });
      const began = Date.now();
      const outs = await created(provider, m2mInputs());
      expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "POST rotate/start",
      ]);
      expect(
        await m2mSecretWorks(emulator(), outs.clientId, outs.newClientSecret),
      ).toBe(true);
    });

    test("reads the client after a 5xx and starts again when the start was not applied", async () => {
      const provider = await providerFor(emulator());
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
        status: 503,
      });
      const outs = await created(provider, m2mInputs());
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "GET client",
        "POST rotate/start",
      ]);
      expect(
        await m2mSecretWorks(emulator(), outs.clientId, outs.newClientSecret),
      ).toBe(true);
    });

    test("a start whose answer was lost ends with one pending rotation whose secret we hold", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
        dropResponse: true,
      });
      const { result, output } = await captureConsole(() =>
        created(provider, m2mInputs()),
      );
      const outs = result!;
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "GET client",
        "POST rotate/cancel",
        "POST rotate/start",
      ]);
      expect(output).toContain("answer was lost");
      const live = await readClient(emulator(), "m2m", m2m.clientId);
      expect(live["next_client_secret_last_four"]).toBe(
        outs.newClientSecretLastFour,
      );
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, outs.newClientSecret),
      ).toBe(true);
      expectFreeOfSecrets(output, [
        outs.newClientSecret,
        emulator().projectSecret,
        m2m.clientSecret,
      ]);
    });

    test("a connection reset before the start was applied: reads, then starts once more", async () => {
      const provider = await providerFor(emulator());
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
        reset: true,
      });
      const outs = await created(provider, m2mInputs());
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/start",
        "GET client",
        "POST rotate/start",
      ]);
      expect(
        await m2mSecretWorks(emulator(), outs.clientId, outs.newClientSecret),
      ).toBe(true);
    });

    test("a timed-out start is given time to land before another is sent, and ends with one rotation whose secret we hold", async () => {
      const provider = await providerFor(emulator(), {
        "stytch:requestTimeoutMs": "150",
      });
      const { m2m } = emulator().seeded!;
      // Held past the deadline, but within the grace (twice the deadline) allowed for a late landing.
      emulator().faults.inject({ route: ROTATE_START, delayMs: 250 });
      const { result: outs, output } = await captureConsole(() =>
        created(provider, m2mInputs()),
      );
      expect(output).toContain("answer was lost or unusable");
      const live = await readClient(emulator(), "m2m", m2m.clientId);
      expect(live["next_client_secret_last_four"]).toBe(
        outs!.newClientSecretLastFour,
      );
      expect(emulator().verifySecret(m2m.clientId, outs!.newClientSecret)).toBe(
        "next",
      );
      // Whether Stytch refuses or replaces, exactly one start after the late one: no second landing can
      // replace the rotation this stack holds.
      expect(
        stytchCalls(emulator()).filter((c) => c === "POST rotate/start"),
      ).toHaveLength(2);
    });

    // Only where Stytch refuses a second start: where it replaces, a start that lands beyond the grace
    // replaces the rotation this stack started next, which the README lists with the accepted races (a
    // request held at Stytch longer than twice the request timeout).
    if (mode === "reject") {
      test("a start that lands later than the grace is harmless where Stytch refuses a second start", async () => {
        const provider = await providerFor(emulator(), {
          "stytch:requestTimeoutMs": "150",
        });
        const { m2m } = emulator().seeded!;
        emulator().faults.inject({ route: ROTATE_START, delayMs: 600 });
        const outs = await created(provider, m2mInputs());
        await new Promise((resolve) => setTimeout(resolve, 700)); // let the delayed request finish at the emulator
        const live = await readClient(emulator(), "m2m", m2m.clientId);
        expect(live["next_client_secret_last_four"]).toBe(
          outs.newClientSecretLastFour,
        );
        expect(
          await m2mSecretWorks(emulator(), m2m.clientId, outs.newClientSecret),
        ).toBe(true);
      });
    }

    test("gives up with a network error, having sent nothing, when Stytch cannot be reached", async () => {
      const { startEmulator } = await import("../emulator");
      const down = await startEmulator({ seed: false });
      const deadUrl = down.url;
      await down.close();
      const refused = await providerFor(emulator(), {
        "stytch:baseUrl": deadUrl,
      });
      const error = await refused.create(m2mInputs()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "StytchRequestError",
        code: "network",
        mayHaveReachedStytch: false,
      });
      expect(emulator().requests).toHaveLength(0);
    });

    test("fails before any call when credentials are missing, naming both ways to set them", async () => {
      const provider = new ClientSecretRotationProvider();
      await provider.configure({ config: stackConfig({}) });
      const saved = {
        id: process.env["STYTCH_PROJECT_ID"],
        secret: process.env["STYTCH_SECRET"],
      };
      delete process.env["STYTCH_PROJECT_ID"];
      delete process.env["STYTCH_SECRET"];
      try {
        const error = await provider
          .create(m2mInputs())
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ name: "ConfigurationError" });
        const message = String(error);
        expect(message).toContain("stytch:projectId");
        expect(message).toContain("STYTCH_PROJECT_ID");
        expect(message).toContain("pulumi config set --secret stytch:secret");
        expect(message).toContain("STYTCH_SECRET");
        expect(emulator().requests).toHaveLength(0);
      } finally {
        if (saved.id !== undefined) process.env["STYTCH_PROJECT_ID"] = saved.id;
        if (saved.secret !== undefined)
          process.env["STYTCH_SECRET"] = saved.secret;
      }
    });

    test("reads credentials from the environment when stack config has none", async () => {
      const provider = new ClientSecretRotationProvider();
      await provider.configure({ config: stackConfig({}) });
      const env = {
        STYTCH_PROJECT_ID: emulator().projectId,
        STYTCH_SECRET: emulator().projectSecret,
        STYTCH_BASE_URL: emulator().url,
      };
      const saved = Object.fromEntries(
        Object.keys(env).map((k) => [k, process.env[k]]),
      );
      Object.assign(process.env, env);
      try {
        expect((await created(provider, m2mInputs())).status).toBe("pending");
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    test("refuses plain http:// to a non-loopback host before any call", async () => {
      const provider = await providerFor(emulator(), {
        "stytch:baseUrl": "http://stytch.internal.example",
      });
      const error = await provider.create(m2mInputs()).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "ConfigurationError" });
      expect(String(error)).toContain("stytch:baseUrl");
      expect(emulator().requests).toHaveLength(0);
    });

    test("an emergency rotation that cannot complete is cancelled, leaving the old secret valid", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate",
        status: 400,
        errorType: "invalid_request",
      });
      const error = await provider
        .create(emergencyInputs())
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect(String(error)).toContain("was cancelled");
      const live = await readClient(emulator(), "m2m", m2m.clientId);
      expect(live["next_client_secret_last_four"]).toBeNull();
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, m2m.clientSecret!),
      ).toBe(true);
    });
  });

  describe("update", () => {
    test("promotes with one rotate call after verifying the rotation is still ours", async () => {
      const provider = await providerFor(emulator());
      const olds = await created(provider, m2mInputs());
      emulator().clearRequests();
      const { outs } = await provider.update(
        "id",
        olds,
        m2mInputs({ promoted: true }),
      );
      expect(stytchCalls(emulator())).toEqual(["GET client", "POST rotate"]);
      expect(outs).toEqual({
        ...olds,
        promoted: true,
        status: "promoted",
        promotedAt: outs!.promotedAt,
      });
      expect(Date.parse(outs!.promotedAt!)).toBeGreaterThanOrEqual(
        Date.parse(olds.startedAt!),
      );
      await expectOnlyNewSecretWorksFor(olds);
    });

    test("promotes a Connected App rotation", async () => {
      const provider = await providerFor(emulator());
      const { connectedApp } = emulator().seeded!;
      const inputs: ClientSecretRotationInputs = {
        clientId: connectedApp.clientId,
        clientKind: "connected_app",
        promoted: false,
        triggers: {},
      };
      const olds = await created(provider, inputs);
      const { outs } = await provider.update("id", olds, {
        ...inputs,
        promoted: true,
      });
      expect(outs?.status).toBe("promoted");
      const live = await readClient(
        emulator(),
        "connected_apps",
        connectedApp.clientId,
      );
      expect(live["client_secret_last_four"]).toBe(
        olds.newClientSecretLastFour,
      );
      expect(live["next_client_secret_last_four"]).toBeNull();
    });

    test("retries the rotate call after a 5xx that was not applied", async () => {
      const provider = await providerFor(emulator());
      const olds = await created(provider, m2mInputs());
      emulator().clearRequests();
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate",
        status: 500,
      });
      const { outs } = await provider.update(
        "id",
        olds,
        m2mInputs({ promoted: true }),
      );
      expect(outs?.status).toBe("promoted");
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate",
        "GET client",
        "POST rotate",
      ]);
    });

    test("does not complete twice when the rotate answer was lost", async () => {
      const provider = await providerFor(emulator());
      const olds = await created(provider, m2mInputs());
      emulator().clearRequests();
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate",
        dropResponse: true,
      });
      const { outs } = await provider.update(
        "id",
        olds,
        m2mInputs({ promoted: true }),
      );
      expect(outs?.status).toBe("promoted");
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate",
        "GET client",
      ]);
      expect(
        await m2mSecretWorks(emulator(), olds.clientId, olds.newClientSecret),
      ).toBe(true);
    });

    test("refuses to promote a rotation cancelled outside Pulumi, without calling rotate", async () => {
      const provider = await providerFor(emulator());
      const olds = await created(provider, m2mInputs());
      await outOfBand("rotate/cancel", olds.clientId);
      emulator().clearRequests();
      const error = await provider
        .update("id", olds, m2mInputs({ promoted: true }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect(String(error)).toContain("pulumi refresh");
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
    });

    test("refuses to promote someone else's newer rotation (superseded)", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const olds = await created(provider, m2mInputs());
      await outOfBand("rotate/cancel", olds.clientId);
      const foreign = (await outOfBand("rotate/start", olds.clientId))[
        "m2m_client"
      ] as Record<string, string>;
      emulator().clearRequests();
      const error = await provider
        .update("id", olds, m2mInputs({ promoted: true }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "RotationConflictError" });
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
      // Both the old secret and the other party's pending one still work: nothing was revoked.
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, m2m.clientSecret!),
      ).toBe(true);
      expect(
        await m2mSecretWorks(
          emulator(),
          m2m.clientId,
          foreign["next_client_secret"]!,
        ),
      ).toBe(true);
    });

    test("makes no call when refresh already found the rotation promoted", async () => {
      const provider = await providerFor(emulator());
      const olds = await created(provider, m2mInputs());
      emulator().clearRequests();
      const { outs } = await provider.update(
        "id",
        { ...olds, status: "promoted" },
        m2mInputs({ promoted: true }),
      );
      expect(outs).toEqual({ ...olds, promoted: true, status: "promoted" });
      expect(emulator().requests).toHaveLength(0);
    });
  });

  describe("delete", () => {
    test("cancels a pending rotation: the old secret stays the only valid one", async () => {
      const provider = await providerFor(emulator());
      const { m2m } = emulator().seeded!;
      const outs = await created(provider, m2mInputs());
      emulator().clearRequests();
      await provider.delete("id", outs);
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/cancel",
      ]);
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, outs.newClientSecret),
      ).toBe(false);
      expect(
        await m2mSecretWorks(emulator(), m2m.clientId, m2m.clientSecret!),
      ).toBe(true);
    });

    test("makes no Stytch call for a promoted rotation", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, emergencyInputs());
      emulator().clearRequests();
      await provider.delete("id", outs);
      expect(emulator().requests).toHaveLength(0);
    });

    test("treats a client that no longer exists as deleted", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      await adminCall(
        emulator(),
        "DELETE",
        `/v1/m2m/clients/${encodeURIComponent(outs.clientId)}`,
      );
      await expect(provider.delete("id", outs)).resolves.toBeUndefined();
    });

    test("leaves someone else's newer pending rotation alone", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      await outOfBand("rotate/cancel", outs.clientId);
      const foreign = (await outOfBand("rotate/start", outs.clientId))[
        "m2m_client"
      ] as Record<string, string>;
      emulator().clearRequests();
      await captureConsole(() => provider.delete("id", outs));
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
      expect(
        await m2mSecretWorks(
          emulator(),
          outs.clientId,
          foreign["next_client_secret"]!,
        ),
      ).toBe(true);
    });

    test("does not cancel twice when the cancel answer was lost", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      emulator().clearRequests();
      emulator().faults.inject({
        route: ROTATE_CANCEL,
        dropResponse: true,
      });
      await provider.delete("id", outs);
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST rotate/cancel",
        "GET client",
      ]);
      expect(
        await m2mSecretWorks(emulator(), outs.clientId, outs.newClientSecret),
      ).toBe(false);
    });

    test("gives a timed-out cancel time to land instead of sending another that could hit the next rotation", async () => {
      const provider = await providerFor(emulator(), {
        "stytch:requestTimeoutMs": "300",
      });
      const outs = await created(provider, m2mInputs());
      emulator().clearRequests();
      // Stytch applies the cancel after our deadline, as a slow server would.
      emulator().faults.inject({ route: ROTATE_CANCEL, delayMs: 500 });
      await provider.delete("id", outs);
      const cancels = stytchCalls(emulator()).filter(
        (call) => call === "POST rotate/cancel",
      );
      expect(cancels).toHaveLength(1);
      // A replacement's start right after the delete keeps its rotation: no second cancel is in flight.
      const next = await created(provider, m2mInputs());
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(
        await m2mSecretWorks(emulator(), next.clientId, next.newClientSecret),
      ).toBe(true);
      expect(
        await m2mSecretWorks(emulator(), outs.clientId, outs.newClientSecret),
      ).toBe(false);
    });

    test("cancels a pending Connected App rotation", async () => {
      const provider = await providerFor(emulator());
      const { connectedApp } = emulator().seeded!;
      const outs = await created(provider, {
        clientId: connectedApp.clientId,
        clientKind: "connected_app",
        promoted: false,
        triggers: {},
      });
      await provider.delete("id", outs);
      const live = await readClient(
        emulator(),
        "connected_apps",
        connectedApp.clientId,
      );
      expect(live["next_client_secret_last_four"]).toBeNull();
      expect(live["client_secret_last_four"]).toBe(
        connectedApp.clientSecret!.slice(-4),
      );
    });
  });

  describe("read", () => {
    test("reports pending with one GET and keeps the secret as received", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      emulator().clearRequests();
      const result = await provider.read("the-id", outs);
      expect(result).toEqual({ id: "the-id", props: outs });
      expect(stytchCalls(emulator())).toEqual(["GET client"]);
    });

    test("reports promoted after an out-of-band completion", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      await outOfBand("rotate", outs.clientId);
      expect((await provider.read("id", outs)).props?.status).toBe("promoted");
    });

    test("reports cancelled after an out-of-band cancel", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      await outOfBand("rotate/cancel", outs.clientId);
      expect((await provider.read("id", outs)).props?.status).toBe("cancelled");
    });

    test("reports superseded when someone rotated again", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, emergencyInputs());
      await outOfBand("rotate/start", outs.clientId);
      await outOfBand("rotate", outs.clientId);
      const result = await provider.read("id", outs);
      expect(result.props?.status).toBe("superseded");
      expect(result.props?.newClientSecret).toBe(outs.newClientSecret);
    });

    test("reports the resource gone when the client was deleted", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      await adminCall(
        emulator(),
        "DELETE",
        `/v1/m2m/clients/${encodeURIComponent(outs.clientId)}`,
      );
      expect(await provider.read("id", outs)).toEqual({ id: "" });
    });

    test("keeps the rotation when a 404 is not Stytch's client-not-found (a wrong base URL, a proxy)", async () => {
      const provider = await providerFor(emulator());
      const outs = await created(provider, m2mInputs());
      emulator().faults.inject({
        method: "GET",
        status: 404,
        errorType: "route_not_found",
      });
      const error = await provider.read("id", outs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        name: "StytchApiError",
        statusCode: 404,
        errorType: "route_not_found",
      });
    });

    test("refuses an import without state instead of fabricating a secret", async () => {
      const provider = await providerFor(emulator());
      const error = await provider
        .read("m2m-client-test-x:abcd")
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "ConfigurationError" });
      expect(emulator().requests).toHaveLength(0);
    });
  });

  describe("secrets", () => {
    test("no secret appears in any error or console line across the lifecycle and its failures", async () => {
      const provider = await providerFor(emulator());
      const { m2m, connectedApp } = emulator().seeded!;
      const texts: string[] = [];
      const secrets: Array<string | null> = [
        emulator().projectSecret,
        m2m.clientSecret,
        connectedApp.clientSecret,
      ];
      const record = async (run: () => Promise<unknown>) => {
        const { error, output } = await captureConsole(run);
        texts.push(output);
        if (error) texts.push(printedError(error));
      };

      let outs: ClientSecretRotationOutputs | undefined;
      await record(async () => (outs = await created(provider, m2mInputs())));
      secrets.push(outs!.newClientSecret);
      await record(() => provider.create(m2mInputs())); // already rotating
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id",
        status: 500,
        times: Infinity,
      });
      await record(() =>
        provider.update("id", outs!, m2mInputs({ promoted: true })),
      );
      emulator().faults.clear();
      await record(async () => {
        await outOfBand("rotate/cancel", outs!.clientId);
        await provider.update("id", outs!, m2mInputs({ promoted: true }));
      });
      const wrongSecret = await providerFor(emulator(), {
        "stytch:secret": "secret-test-wrong-wrong-wrong",
      });
      secrets.push("secret-test-wrong-wrong-wrong");
      await record(() => wrongSecret.create(m2mInputs()));
      emulator().faults.inject({
        route: "/v1/m2m/clients/:client_id/secrets/rotate/start",
        dropResponse: true,
      });
      await record(async () =>
        secrets.push(
          (
            await created(provider, {
              ...m2mInputs(),
              clientId: emulator().createM2MClient().clientId,
            })
          ).newClientSecret,
        ),
      );

      expect(texts.join("\n")).toContain("unauthorized_credentials");
      expectFreeOfSecrets(texts.join("\n"), secrets);
    });

    test("the serialized provider holds no credentials and stays small", async () => {
      const pulumi = await import("@pulumi/pulumi");
      const saved = process.env["STYTCH_SECRET"];
      process.env["STYTCH_SECRET"] = emulator().projectSecret;
      try {
        const provider = new ClientSecretRotationProvider();
        const serialized = await pulumi.runtime.serializeFunction(
          () => provider,
          { allowSecrets: true },
        );
        expect(serialized.containsSecrets).toBe(false);
        expectFreeOfSecrets(serialized.text, [emulator().projectSecret]);
        expect(serialized.text).toContain("rotate/start");
      } finally {
        if (saved === undefined) delete process.env["STYTCH_SECRET"];
        else process.env["STYTCH_SECRET"] = saved;
      }
    });
  });
});
