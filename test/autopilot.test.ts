/**
 * Autopilot: the schedule and the gates as pure rules (`provider/core/autopilot.ts`, with `now` given), and the
 * provider carrying them out against the emulator through the engine wire, with the real clock and
 * durations of a second or none. The unattended `pulumi up` sequences run in test/e2e/autopilot.test.ts.
 */
import {
  autopilotProblems,
  consumerBlocker,
  durationMs,
  nextTransition,
  scheduleOf,
} from "../provider/core/autopilot";
import { TEST_CLOCK_ENV } from "../provider/core/clock";
import {
  fingerprintOf,
  isFingerprint,
  isRetiredFingerprint,
} from "../provider/core/fingerprint";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
} from "../provider";
import {
  adminCall,
  captureConsole,
  expectFreeOfSecrets,
  printedError,
  providerFor,
  seededM2MInputs,
  stytchCalls,
  useEmulator,
} from "./helpers/harness";
import { stringContaining } from "./helpers/matchers";

const emulator = useEmulator();
const T0 = Date.parse("2026-11-26T00:00:00.000Z");
/** The client every fingerprint in the pure tests belongs to. */
const CLIENT = "m2m-client-test-00000000-0000-4000-8000-000000000000";
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe("durations", () => {
  test.each([
    ["30s", 30_000],
    ["36h", 36 * 3_600_000],
    ["90d", 90 * 86_400_000],
    ["0s", 0],
  ])("%s is %d ms", (text, ms) => expect(durationMs(text)).toBe(ms));

  test.each([["90"], ["1.5d"], ["-1d"], ["1w"], [" 1d"], ["3651d"], [90]])(
    "%j is not a duration",
    (value) => expect(durationMs(value)).toBeUndefined(),
  );
});

describe("autopilotProblems", () => {
  test.each([
    [{ rotateEvery: "quarterly" }, "rotateEvery", "must be a duration"],
    [{ promoteAfter: "7" }, "promoteAfter", "must be a duration"],
    [{ maxPendingAge: 30 }, "maxPendingAge", "got a number"],
    [
      { verifyBeforePromote: "true" },
      "verifyBeforePromote",
      "config.getBoolean",
    ],
    [
      { consumerFingerprints: "sfp1:x" },
      "consumerFingerprints",
      "must be a list",
    ],
    [{ rotateEvery: "90d" }, "promoteAfter", "needs promoteAfter"],
    [
      { rotateEvery: "7d", promoteAfter: "7d" },
      "promoteAfter",
      "must be shorter than rotateEvery",
    ],
    [
      { promoteAfter: "7d", maxPendingAge: "3d" },
      "maxPendingAge",
      "must be longer than promoteAfter",
    ],
    [{ maxPendingAge: "0s" }, "maxPendingAge", "longer than 0s"],
    [
      { maxPendingAge: "9d", overdue: "ignore" },
      "overdue",
      'overdue must be "fail"',
    ],
    [{ overdue: "warn" }, "overdue", "needs maxPendingAge"],
    [{ rotationWindow: "weekdays" }, "rotationWindow", "must be days, hours"],
    [{ rotationWindow: "Mon-Fri 9-17" }, "rotationWindow", "HH:MM-HH:MM"],
    [
      { rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlln" },
      "rotationWindow",
      "not an IANA time zone",
    ],
    [
      { rotateEvery: "90d", promoteAfter: "7d", spreadRotations: "false" },
      "spreadRotations",
      "config.getBoolean",
    ],
    [{ spreadRotations: false }, "spreadRotations", "needs rotateEvery"],
    [
      {
        promoteAfter: "1d",
        maxPendingAge: "3d",
        rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlin",
      },
      "rotationWindow",
      "stays closed for up to 2d 17h",
    ],
  ])("%j fails on %s", (inputs, property, says) => {
    expect(autopilotProblems(inputs)).toContainEqual({
      property,
      reason: stringContaining(says),
    });
  });

  test("a consumer fingerprint that is not one is refused without quoting it: it may be the secret", () => {
    const secret = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";
    const [problem] = autopilotProblems({
      consumerFingerprints: [fingerprintOf("a", CLIENT), secret],
    });
    expect(problem?.reason).toContain(
      "consumerFingerprints[1] is not a fingerprint",
    );
    expect(problem?.reason).not.toContain(secret);
  });

  test("a version-1 fingerprint (one salt for every client) is refused, saying how to replace it", () => {
    const retired = "sfp1:AAAAAAAAAAAAAAAAAAAAAA";
    expect(isRetiredFingerprint(retired)).toBe(true);
    expect(autopilotProblems({ consumerFingerprints: [retired] })).toEqual([
      {
        property: "consumerFingerprints",
        reason: stringContaining(
          "consumerFingerprints[0] is a version-1 fingerprint",
        ),
      },
    ]);
    expect(
      autopilotProblems({ consumerFingerprints: [retired] })[0]?.reason,
    ).toContain("secretFingerprint(secret, clientId)");
  });

  test("a sound policy, and unknown values during preview, pass", () => {
    expect(
      autopilotProblems({
        rotateEvery: "90d",
        promoteAfter: "7d",
        maxPendingAge: "14d",
        verifyBeforePromote: false,
        consumerFingerprints: ["", fingerprintOf("x", CLIENT)],
      }),
    ).toEqual([]);
    expect(
      autopilotProblems({
        rotateEvery: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        promoteAfter: "7d",
      }),
    ).toEqual([]);
  });
});

describe("nextTransition", () => {
  const policy = {
    rotateEvery: "10s",
    promoteAfter: "4s",
    maxPendingAge: "8s",
  };
  const pending = { status: "pending", promoted: false, startedAt: at(0) };
  const promoted = { ...pending, status: "promoted" };
  test.each([
    ["pending, before the window", pending, policy, 3_999, { kind: "none" }],
    [
      "pending, at the window",
      pending,
      policy,
      4_000,
      { kind: "promote", requested: false },
    ],
    [
      "pending, promoted: true asks early",
      pending,
      { ...policy, promoted: true },
      1,
      { kind: "promote", requested: true },
    ],
    [
      "pending, promoted: true already carried over",
      { ...pending, promoted: true },
      { ...policy, promoted: true },
      1,
      { kind: "none" },
    ],
    [
      "pending without a window, past maxPendingAge",
      pending,
      { maxPendingAge: "8s" },
      8_000,
      { kind: "overdue" },
    ],
    ["promoted, before rotateEvery", promoted, policy, 9_999, { kind: "none" }],
    ["promoted, at rotateEvery", promoted, policy, 10_000, { kind: "rotate" }],
    [
      "promoted late, at rotateEvery: the consumers that just switched keep it for promoteAfter",
      { ...promoted, promotedAt: at(9_000) },
      policy,
      12_999,
      { kind: "none" },
    ],
    [
      "promoted late, promoteAfter after the promotion",
      { ...promoted, promotedAt: at(9_000) },
      policy,
      13_000,
      { kind: "rotate" },
    ],
    [
      "pending on a schedule without maxPendingAge, before its window: nothing yet",
      pending,
      { rotateEvery: "10s", promoteAfter: "4s", promoted: false },
      3_999,
      { kind: "none" },
    ],
    [
      "pending at rotateEvery: never replaced, promoted instead",
      pending,
      policy,
      10_000,
      { kind: "promote", requested: false },
    ],
    [
      "pending on a schedule without maxPendingAge, blocked past rotateEvery",
      { ...pending, promoted: true },
      { rotateEvery: "10s", promoted: true },
      10_000,
      { kind: "overdue" },
    ],
    ["no policy: nothing is ever due", pending, {}, 1e12, { kind: "none" }],
    [
      "a rotation from before autopilot (no startedAt)",
      { status: "pending", promoted: false },
      policy,
      1e12,
      { kind: "none" },
    ],
  ] as const)("%s", (_what, state, inputs, elapsed, expected) => {
    expect(nextTransition(state, inputs, T0 + elapsed)).toEqual(expected);
  });
});

describe("nextTransition with a rotation window", () => {
  // Monday 2026-12-07. Berlin is UTC+1 in December: the window is 08:00Z to 16:00Z on weekdays.
  const window = "Mon-Fri 09:00-17:00 Europe/Berlin";
  const policy = {
    promoteAfter: "1d",
    maxPendingAge: "5d",
    rotationWindow: window,
  };
  const pending = { status: "pending", promoted: false, startedAt: at(0) };

  test("a promotion that falls due outside the window is due at its next opening", () => {
    // T0 is Thursday 2026-11-26 00:00Z; promoteAfter ends Friday 00:00Z (01:00 Berlin): due Friday 08:00Z.
    expect(scheduleOf(pending, policy).promoteDueAt).toBe(
      "2026-11-27T08:00:00.000Z",
    );
    expect(
      nextTransition(pending, policy, Date.parse("2026-11-27T07:59:59Z")),
    ).toEqual({ kind: "none" });
    expect(
      nextTransition(pending, policy, Date.parse("2026-11-27T08:00:00Z")),
    ).toEqual({ kind: "promote", requested: false });
  });

  test("a due promotion the up meets outside the window waits, saying until when", () => {
    expect(
      nextTransition(pending, policy, Date.parse("2026-11-27T16:00:00Z")),
    ).toEqual({
      kind: "wait",
      step: "promote",
      requested: false,
      until: "2026-11-30T08:00:00.000Z",
    });
  });

  test("promoted: true outside the window waits too, as a request", () => {
    expect(
      nextTransition(
        pending,
        { ...policy, promoted: true },
        Date.parse("2026-11-28T12:00:00Z"),
      ),
    ).toMatchObject({ kind: "wait", requested: true });
  });

  test("past maxPendingAge, a closed window does not hide that the rotation is overdue", () => {
    expect(
      nextTransition(pending, policy, Date.parse("2026-12-05T12:00:00Z")),
    ).toEqual({ kind: "overdue" });
  });

  test("the next scheduled start waits for the window as well", () => {
    const schedule = {
      rotateEvery: "30d",
      promoteAfter: "1d",
      rotationWindow: window,
      spreadRotations: false,
    };
    const promoted = {
      status: "promoted",
      promoted: false,
      startedAt: at(0),
      promotedAt: at(86_400_000),
    };
    // 30 days after Thursday 2026-11-26 00:00Z is Saturday 2026-12-26: due Monday 2026-12-28 08:00Z.
    expect(scheduleOf(promoted, schedule).rotateDueAt).toBe(
      "2026-12-28T08:00:00.000Z",
    );
    expect(
      nextTransition(promoted, schedule, Date.parse("2026-12-28T17:00:00Z")),
    ).toEqual({
      kind: "wait",
      step: "rotate",
      requested: false,
      until: "2026-12-29T08:00:00.000Z",
    });
  });
});

describe("nextTransition with spreading", () => {
  const day = 86_400_000;
  const clientId = CLIENT;
  const promoted = {
    status: "promoted",
    promoted: false,
    clientId,
    startedAt: at(0),
    promotedAt: at(day),
  };
  const policy = { rotateEvery: "90d", promoteAfter: "7d" };

  test("spread: due in the last half of the period, by client id; spreadRotations: false: exactly a period", () => {
    const spread = Date.parse(scheduleOf(promoted, policy).rotateDueAt);
    expect(spread).toBeGreaterThan(T0 + 45 * day);
    expect(spread).toBeLessThanOrEqual(T0 + 90 * day);
    expect(nextTransition(promoted, policy, spread - 1)).toEqual({
      kind: "none",
    });
    expect(nextTransition(promoted, policy, spread)).toEqual({
      kind: "rotate",
    });
    expect(
      scheduleOf(promoted, { ...policy, spreadRotations: false }).rotateDueAt,
    ).toBe(at(90 * day));
  });
});

describe("scheduleOf and consumerBlocker", () => {
  test("due times come from startedAt; promoteDueAt only while pending", () => {
    const inputs = { rotateEvery: "90d", promoteAfter: "7d" };
    const pending = { status: "pending", promoted: false, startedAt: at(0) };
    expect(scheduleOf(pending, inputs)).toEqual({
      promoteDueAt: at(7 * 86_400_000),
      rotateDueAt: at(90 * 86_400_000),
    });
    expect(
      scheduleOf({ ...pending, status: "promoted" }, inputs).promoteDueAt,
    ).toBe("");
    expect(scheduleOf(pending, {})).toEqual({
      promoteDueAt: "",
      rotateDueAt: "",
    });
  });

  test("the next rotation is due no sooner than promoteAfter after the last promotion", () => {
    const inputs = { rotateEvery: "90d", promoteAfter: "7d" };
    const day = 86_400_000;
    const promotedOnTime = {
      status: "promoted",
      promoted: false,
      startedAt: at(0),
      promotedAt: at(7 * day),
    };
    expect(scheduleOf(promotedOnTime, inputs).rotateDueAt).toBe(at(90 * day));
    // Held back by a consumer until day 88: the consumers that switched then get a week before day 95.
    expect(
      scheduleOf({ ...promotedOnTime, promotedAt: at(88 * day) }, inputs)
        .rotateDueAt,
    ).toBe(at(95 * day));
  });

  test("names each consumer that reports another fingerprint, or none", () => {
    const fresh = fingerprintOf("new", CLIENT);
    const stale = fingerprintOf("old", CLIENT);
    expect(
      consumerBlocker({ consumerFingerprints: [fresh, fresh] }, fresh),
    ).toBeUndefined();
    expect(consumerBlocker({}, fresh)).toBeUndefined();
    expect(
      consumerBlocker({ consumerFingerprints: [fresh, stale, ""] }, fresh),
    ).toBe(
      `consumers have not switched: consumer 2 reports ${stale}, consumer 3 reports none, not the new ` +
        `secret's ${fresh} (2 of 3 behind)`,
    );
  });
});

describe("fingerprintOf", () => {
  test("is deterministic, shaped sfp2:…, and shows nothing of the secret", () => {
    const secret = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";
    const fingerprint = fingerprintOf(secret, CLIENT);
    expect(fingerprintOf(secret, CLIENT)).toBe(fingerprint);
    expect(fingerprint).toMatch(/^sfp2:/);
    expect(isFingerprint(fingerprint)).toBe(true);
    expect(fingerprintOf(`${secret}x`, CLIENT)).not.toBe(fingerprint);
    expect(fingerprint).not.toContain(secret.slice(-4));
  });

  test("is salted per client: the same secret of two clients has two fingerprints", () => {
    const secret = "correct-horse-battery";
    const other = "m2m-client-test-11111111-1111-4111-8111-111111111111";
    expect(fingerprintOf(secret, CLIENT)).not.toBe(
      fingerprintOf(secret, other),
    );
  });
});

describe("the provider on autopilot", () => {
  function inputs(
    overrides: Partial<ClientSecretRotationInputs> = {},
  ): ClientSecretRotationInputs {
    return seededM2MInputs(emulator(), overrides);
  }
  const waitUntil = async (iso: string) => {
    const ms = Date.parse(iso) - Date.now();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms + 5));
  };

  test("starts with the schedule outputs; a due promotion verifies the new secret, then completes", async () => {
    const provider = await providerFor(emulator());
    const { m2m } = emulator().seeded!;
    const policy = inputs({ promoteAfter: "0s" });
    const { outs } = await provider.create(policy);
    expect(outs).toMatchObject({
      status: "pending",
      newClientSecretFingerprint: fingerprintOf(
        outs!.newClientSecret,
        m2m.clientId,
      ),
      promotedAt: "",
      promoteDueAt: outs!.startedAt,
      rotateDueAt: "",
      promotionBlockedBy: "",
    });
    expect((await provider.diff("id", outs!, policy)).changes).toBe(true);

    emulator().clearRequests();
    const promoted = (await provider.update("id", outs!, policy)).outs!;
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST oauth2/token",
      "POST rotate",
    ]);
    expect(promoted).toMatchObject({ status: "promoted", promoteDueAt: "" });
    expect(Date.parse(promoted.promotedAt!)).toBeGreaterThanOrEqual(
      Date.parse(promoted.startedAt!),
    );
    expect(emulator().verifySecret(m2m.clientId, outs!.newClientSecret)).toBe(
      "current",
    );
    expect(emulator().verifySecret(m2m.clientId, m2m.clientSecret!)).toBe(
      "invalid",
    );
    emulator().clearRequests();
    expect((await provider.diff("id", promoted, policy)).changes).toBe(false);
    expect(emulator().requests).toEqual([]);
  });

  test("nothing due: diff reports no change and makes no call", async () => {
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "1h",
      rotateEvery: "90d",
      maxPendingAge: "2h",
    });
    const { outs } = await provider.create(policy);
    emulator().clearRequests();
    expect(await provider.diff("id", outs!, policy)).toMatchObject({
      changes: false,
      replaces: [],
    });
    expect(emulator().requests).toEqual([]);
  });

  test("promotion waits, with no call, while a consumer reports another fingerprint; then happens", async () => {
    const provider = await providerFor(emulator());
    const { m2m } = emulator().seeded!;
    const old = fingerprintOf(m2m.clientSecret!, m2m.clientId);
    const { outs } = await provider.create(
      inputs({ promoteAfter: "0s", consumerFingerprints: [old] }),
    );
    emulator().clearRequests();
    const { result, output } = await captureConsole(() =>
      provider.update(
        "id",
        outs!,
        inputs({ promoteAfter: "0s", consumerFingerprints: [old] }),
      ),
    );
    expect(emulator().requests).toEqual([]);
    expect(result!.outs).toMatchObject({
      status: "pending",
      promotionBlockedBy: stringContaining(`consumer 1 reports ${old}`),
    });
    expect(output.split("\n")).toHaveLength(1);
    expect(output).toContain("is blocked and waits for the next `pulumi up`");

    const switched = inputs({
      promoteAfter: "0s",
      consumerFingerprints: [outs!.newClientSecretFingerprint!],
    });
    const promoted = (await provider.update("id", result!.outs!, switched))
      .outs!;
    expect(promoted.status).toBe("promoted");
    expect(emulator().verifySecret(m2m.clientId, outs!.newClientSecret)).toBe(
      "current",
    );
  });

  test("a manual request blocked by a gate stays a request, and is carried out once the gate opens", async () => {
    const provider = await providerFor(emulator());
    const blocked = inputs({ consumerFingerprints: [""] });
    const { outs } = await provider.create(blocked);
    const request = { ...blocked, promoted: true };
    const waiting = (
      await captureConsole(() => provider.update("id", outs!, request))
    ).result!.outs!;
    expect(waiting).toMatchObject({ status: "pending", promoted: false });
    expect(waiting.promotionBlockedBy).toContain("consumer 1 reports none");
    expect((await provider.diff("id", waiting, request)).changes).toBe(true);
    const open = {
      ...request,
      consumerFingerprints: [outs!.newClientSecretFingerprint!],
    };
    const done = (await provider.update("id", waiting, open)).outs!;
    expect(done).toMatchObject({
      status: "promoted",
      promoted: true,
      promotionBlockedBy: "",
    });
  });

  test("a secret that does not authenticate blocks promotion and completes nothing", async () => {
    const provider = await providerFor(emulator());
    const { m2m } = emulator().seeded!;
    const policy = inputs({ promoteAfter: "0s" });
    const { outs } = await provider.create(policy);
    await adminCall(emulator(), "PUT", `/v1/m2m/clients/${m2m.clientId}`, {
      status: "inactive",
    });
    emulator().clearRequests();
    const { result, output } = await captureConsole(() =>
      provider.update("id", outs!, policy),
    );
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST oauth2/token",
    ]);
    expect(result!.outs!.status).toBe("pending");
    expect(result!.outs!.promotionBlockedBy).toMatch(
      /^verification failed: the new secret \(ending .{4}\) does not authenticate: Stytch refused it with 400 invalid_client/,
    );
    expect(emulator().verifySecret(m2m.clientId, outs!.newClientSecret)).toBe(
      "next",
    );
    expectFreeOfSecrets(
      output + JSON.stringify(result!.outs!.promotionBlockedBy),
      [outs!.newClientSecret, m2m.clientSecret],
    );
  });

  test("a Connected App's new secret is verified by token introspection", async () => {
    const provider = await providerFor(emulator());
    const { connectedApp } = emulator().seeded!;
    const policy = inputs({
      clientId: connectedApp.clientId,
      clientKind: "connected_app",
      promoteAfter: "0s",
    });
    const { outs } = await provider.create(policy);
    emulator().clearRequests();
    expect((await provider.update("id", outs!, policy)).outs!.status).toBe(
      "promoted",
    );
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST oauth2/introspect",
      "POST rotate",
    ]);
  });

  test("past maxPendingAge a blocked promotion fails the up, with no call and nothing changed", async () => {
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "0s",
      maxPendingAge: "1s",
      consumerFingerprints: [""],
    });
    const { outs } = await provider.create(policy);
    await waitUntil(
      new Date(Date.parse(outs!.startedAt!) + 1_000).toISOString(),
    );
    emulator().clearRequests();
    const failure = await provider.update("id", outs!, policy).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).name).toBe("RotationOverdueError");
    expect(printedError(failure)).toContain("longer than maxPendingAge (1s)");
    expect(printedError(failure)).toContain("consumer 1 reports none");
    // Consumers may hold the pending secret: no advice that would cancel it.
    expect(printedError(failure)).not.toContain("triggers");
    expect(emulator().requests).toEqual([]);
  });

  test("rotateEvery starts a fresh rotation in place once the current one is promoted, never completing it", async () => {
    const provider = await providerFor(emulator());
    const { m2m } = emulator().seeded!;
    const policy = inputs({ promoteAfter: "0s", rotateEvery: "1s" });
    const first = (await provider.create(policy)).outs!;
    const promoted = (await provider.update("id", first, policy)).outs!;
    expect(promoted.rotateDueAt).toBe(
      new Date(Date.parse(first.startedAt!) + 1_000).toISOString(),
    );
    await waitUntil(promoted.rotateDueAt!);
    expect((await provider.diff("id", promoted, policy)).replaces).toEqual([]);
    emulator().clearRequests();
    const second = (await provider.update("id", promoted, policy)).outs!;
    expect(stytchCalls(emulator())).toEqual([
      "GET client",
      "POST rotate/start",
    ]);
    expect(second).toMatchObject({
      status: "pending",
      previousClientSecretLastFour: first.newClientSecretLastFour,
      promotedAt: "",
    });
    expect(second.newClientSecret).not.toBe(first.newClientSecret);
    expect(emulator().verifySecret(m2m.clientId, first.newClientSecret)).toBe(
      "current",
    );
    expect(emulator().verifySecret(m2m.clientId, second.newClientSecret)).toBe(
      "next",
    );
  });

  /** Runs `body` with the test clock at `iso` (the emulator is on loopback, so it is honoured). */
  async function atClock(
    iso: string,
    body: () => Promise<void>,
  ): Promise<void> {
    const before = process.env[TEST_CLOCK_ENV];
    process.env[TEST_CLOCK_ENV] = iso;
    try {
      await body();
    } finally {
      if (before === undefined) delete process.env[TEST_CLOCK_ENV];
      else process.env[TEST_CLOCK_ENV] = before;
    }
  }

  test('overdue: "warn" warns, records overdueSince and returns the outputs; "fail" fails the same up', async () => {
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "1d",
      maxPendingAge: "2d",
      overdue: "warn",
      consumerFingerprints: [""],
    });
    let outs!: ClientSecretRotationOutputs;
    await atClock("2026-12-07T09:00:00.000Z", async () => {
      outs = (await provider.create(policy)).outs!;
    });
    await atClock("2026-12-09T09:00:00.000Z", async () => {
      emulator().clearRequests();
      expect((await provider.diff("id", outs, policy)).changes).toBe(true);
      const { result, output } = await captureConsole(() =>
        provider.update("id", outs, policy),
      );
      expect(emulator().requests).toEqual([]);
      expect(result!.outs).toMatchObject({
        status: "pending",
        overdueSince: "2026-12-09T09:00:00.000Z",
        promotionBlockedBy: stringContaining("consumer 1 reports none"),
      });
      expect(output).toContain("longer than maxPendingAge (2d)");
      expect(output).toContain('This `pulumi up` goes on: overdue is "warn".');
      const failing = await provider
        .update("id", outs, { ...policy, overdue: "fail" })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect((failing as Error).name).toBe("RotationOverdueError");
    });
  });

  test("a promotion that falls due outside the window waits for it with no call, then happens inside it", async () => {
    const provider = await providerFor(emulator());
    const policy = inputs({
      promoteAfter: "1h",
      maxPendingAge: "7d",
      rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlin",
    });
    let outs!: ClientSecretRotationOutputs;
    // Friday 16:30 Berlin: promoteAfter ends at 17:30, after the window closes.
    await atClock("2026-12-11T15:30:00.000Z", async () => {
      outs = (await provider.create(policy)).outs!;
    });
    expect(outs.promoteDueAt).toBe("2026-12-14T08:00:00.000Z");
    // Saturday: nothing is due yet.
    await atClock("2026-12-12T10:00:00.000Z", async () => {
      expect((await provider.diff("id", outs, policy)).changes).toBe(false);
    });
    // Monday 09:00 Berlin: promoted.
    await atClock("2026-12-14T08:00:00.000Z", async () => {
      emulator().clearRequests();
      const promoted = (await provider.update("id", outs, policy)).outs!;
      expect(promoted).toMatchObject({
        status: "promoted",
        promotedAt: "2026-12-14T08:00:00.000Z",
        waitsForWindowUntil: "",
      });
      expect(stytchCalls(emulator())).toEqual([
        "GET client",
        "POST oauth2/token",
        "POST rotate",
      ]);
    });
  });

  test("promoted: true outside the window waits as a request, recorded once, and is carried out when it opens", async () => {
    const provider = await providerFor(emulator());
    const policy = inputs({
      rotationWindow: "Mon-Fri 09:00-17:00 UTC",
      verifyBeforePromote: false,
    });
    let outs!: ClientSecretRotationOutputs;
    await atClock("2026-12-12T10:00:00.000Z", async () => {
      outs = (await provider.create(policy)).outs!;
      const request = { ...policy, promoted: true };
      emulator().clearRequests();
      const { result, output } = await captureConsole(() =>
        provider.update("id", outs, request),
      );
      expect(emulator().requests).toEqual([]);
      expect(result!.outs).toMatchObject({
        status: "pending",
        promoted: false,
        waitsForWindowUntil: "2026-12-14T09:00:00.000Z",
      });
      expect(output).toContain(
        'waits for rotationWindow "Mon-Fri 09:00-17:00 UTC", which opens next at 2026-12-14T09:00:00.000Z',
      );
      outs = result!.outs!;
    });
    await atClock("2026-12-14T09:00:00.000Z", async () => {
      const request = { ...policy, promoted: true };
      const done = (await provider.update("id", outs, request)).outs!;
      expect(done).toMatchObject({
        status: "promoted",
        promoted: true,
        waitsForWindowUntil: "",
      });
    });
  });

  test("a program without autopilot inputs gets the audit times, no autopilot outputs and no verification", async () => {
    const provider = await providerFor(emulator());
    const { outs } = await provider.create(inputs());
    expect(Object.keys(outs!).sort()).toEqual(
      [
        "clientId",
        "clientKind",
        "newClientSecret",
        "newClientSecretLastFour",
        "previousClientSecretLastFour",
        "promoted",
        "status",
        "triggers",
        "startedAt",
        "promotedAt",
      ].sort(),
    );
    expect(outs!.promotedAt).toBe("");
    emulator().clearRequests();
    const promoted = (
      await provider.update("id", outs!, inputs({ promoted: true }))
    ).outs!;
    expect(stytchCalls(emulator())).toEqual(["GET client", "POST rotate"]);
    expect(promoted.startedAt).toBe(outs!.startedAt);
    expect(Date.parse(promoted.promotedAt!)).toBeGreaterThanOrEqual(
      Date.parse(outs!.startedAt!),
    );
    // Refresh keeps them and adds no schedule.
    expect(
      Object.keys((await provider.read("id", promoted)).props!).sort(),
    ).toEqual(Object.keys(promoted).sort());
  });

  test("a state written before the audit times existed needs no update, and a promotion records promotedAt", async () => {
    const provider = await providerFor(emulator());
    const { outs } = await provider.create(inputs());
    const { startedAt: _s, promotedAt: _p, ...old } = outs!;
    emulator().clearRequests();
    expect((await provider.diff("id", old, inputs())).changes).toBe(false);
    const promoted = (
      await provider.update("id", old, inputs({ promoted: true }))
    ).outs!;
    expect(emulator().requests.length).toBe(2);
    expect(promoted).toMatchObject({ status: "promoted", startedAt: "" });
    expect(Date.parse(promoted.promotedAt!)).not.toBeNaN();
  });
});
