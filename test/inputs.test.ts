/**
 * `check` and the rules it decides, called the way the engine calls it (through `engine-wire.ts`): the
 * shared bad-input table, valid programs with unknown inputs, and the guard that keeps every result
 * carriable. The same table runs through `pulumi preview` in `test/e2e/bad-inputs.test.ts`.
 */
import { ClientSecretRotationProvider } from "../provider";
import { carriable, UNKNOWN } from "../provider/core/engine-values";
import { describeValue, replacingChanges } from "../provider/core/inputs";
import { BAD_INPUTS, PASTED_SECRET, resolveArgs } from "./helpers/bad-inputs";
import { carried, throughEngineWire } from "./helpers/engine-wire";
import { providerFor, useEmulator } from "./helpers/harness";
import { anyString, stringMatching } from "./helpers/matchers";

const emulator = useEmulator();
const M2M_ID = "m2m-client-test-00000000-0000-4000-8000-000000000000";
const PLACEHOLDERS = { m2m: M2M_ID, m2mLastFour: "a1b2" };
const asUnknown = () => UNKNOWN;

describe("the bad-input table", () => {
  // A program error is the resource constructor's, and a `diff` refusal needs the old outputs: the e2e
  // test runs both through the engine, and test/provider.test.ts calls diff for the latter.
  test.each(
    BAD_INPUTS.filter((c) => c.level !== "program" && c.level !== "diff").map(
      (c) => [c.what, c] as const,
    ),
  )("%s fails in check, naming the field", async (_what, badInput) => {
    const provider = await providerFor(emulator());
    const olds = badInput.before
      ? (
          await provider.check(
            {},
            resolveArgs(badInput.before, PLACEHOLDERS, asUnknown),
          )
        ).inputs!
      : {};
    const result = await provider.check(
      olds,
      resolveArgs(badInput.args, PLACEHOLDERS, asUnknown),
    );
    expect(result.failures).toContainEqual(
      badInput.level === "resource"
        ? {
            property: "",
            reason: stringMatching(new RegExp(`^${badInput.field}\\b`)),
          }
        : { property: badInput.field, reason: anyString() },
    );
    expect(result.failures!.map((f) => f.reason).join("\n")).toContain(
      badInput.says,
    );
    for (const failure of result.failures ?? []) {
      expect(failure.reason).not.toContain(UNKNOWN);
      // A value passed where a fingerprint or an id belongs may be the secret itself.
      expect(failure.reason).not.toContain(PASTED_SECRET.slice(0, 9));
      expect(failure.reason).not.toContain("80JASucyk7z");
      // A message stays readable whatever the value: a 100,000-character id is not repeated in full.
      expect(failure.reason.length).toBeLessThan(600);
    }
    expect(emulator().requests).toHaveLength(0);
  });

  test("has at least 25 distinct cases", () => {
    const distinct = new Set(BAD_INPUTS.map((c) => JSON.stringify(c.args)));
    expect(distinct.size).toBe(BAD_INPUTS.length);
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });
});

describe("check with unknown inputs (preview of a program that feeds them from another resource)", () => {
  // A completed rotation, as `check` gets its inputs back on the next run.
  const olds = {
    clientId: M2M_ID,
    clientKind: "m2m" as const,
    promoted: true,
    triggers: { q: "1" },
  };

  test.each([
    ["clientId", { clientId: UNKNOWN }],
    ["clientId and clientKind", { clientId: UNKNOWN, clientKind: UNKNOWN }],
    ["clientKind", { clientId: "custom-worker", clientKind: UNKNOWN }],
    ["promoted", { clientId: M2M_ID, promoted: UNKNOWN }],
    ["a triggers value", { clientId: M2M_ID, triggers: { q: UNKNOWN } }],
    ["all of triggers", { clientId: M2M_ID, triggers: UNKNOWN }],
  ])(
    "passes with %s unknown, and returns nothing the engine cannot carry",
    async (_what, news) => {
      const provider = await providerFor(emulator());
      const result = await provider.check({}, news);
      expect(result.failures).toBeUndefined();
      expect(Object.values(result.inputs ?? {})).not.toContain(undefined);
    },
  );

  test("an unknown clientId leaves the kind unknown too, rather than undefined", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check({}, { clientId: UNKNOWN });
    expect(result.inputs).toEqual({
      clientId: UNKNOWN,
      clientKind: UNKNOWN,
      promoted: false,
      triggers: {},
    });
  });

  test("promoted: true with a change that is only possible (unknown) is decided at apply time", async () => {
    const provider = await providerFor(emulator());
    for (const news of [
      { ...olds, triggers: { q: UNKNOWN } },
      { ...olds, clientId: UNKNOWN },
      { ...olds, triggers: { q: "1", added: UNKNOWN } },
    ]) {
      expect((await provider.check(olds, news)).failures).toBeUndefined();
    }
  });

  test("un-promoting with a possible replacement is decided at apply time, not refused in preview", async () => {
    const provider = await providerFor(emulator());
    const result = await provider.check(olds, {
      ...olds,
      promoted: false,
      triggers: { q: UNKNOWN },
    });
    expect(result.failures).toBeUndefined();
  });
});

describe("replacingChanges", () => {
  const olds = {
    clientId: M2M_ID,
    clientKind: "m2m" as const,
    triggers: { q: "1", r: ["a", "b"] },
  };
  test.each([
    ["nothing", { ...olds }, [], []],
    [
      "key order only",
      { ...olds, triggers: { r: ["a", "b"], q: "1" } },
      [],
      [],
    ],
    [
      "a known clientId",
      { ...olds, clientId: "m2m-client-test-2" },
      ["clientId"],
      [],
    ],
    ["an unknown clientId", { ...olds, clientId: UNKNOWN }, [], ["clientId"]],
    [
      "a known trigger beside an unknown one",
      { ...olds, triggers: { q: "2", r: UNKNOWN } },
      ["triggers"],
      [],
    ],
    [
      "a removed trigger beside an unknown one",
      { ...olds, triggers: { r: UNKNOWN } },
      ["triggers"],
      [],
    ],
    [
      "an unknown array item",
      { ...olds, triggers: { q: "1", r: ["a", UNKNOWN] } },
      [],
      ["triggers"],
    ],
    [
      "an added trigger with an unknown value",
      { ...olds, triggers: { q: "1", r: ["a", "b"], s: UNKNOWN } },
      [],
      ["triggers"],
    ],
  ])("%s", (_what, news, known, may) => {
    expect(replacingChanges(olds, news)).toEqual({ known, may });
  });
});

describe("describeValue", () => {
  test("shows invisible and look-alike characters as escapes", () => {
    expect(describeValue("a\u00a0b\u200bc")).toBe('"a\\u00a0b\\u200bc"');
  });
  test("never shows Pulumi's unknown placeholder", () => {
    expect(describeValue({ q: UNKNOWN })).toBe('{"q":(unknown until apply)}');
  });
  test("shortens long values and says how long they were", () => {
    expect(describeValue("x".repeat(1000))).toMatch(/… \(1002 characters\)$/);
  });
});

describe("what the engine can carry", () => {
  test("the host's own conversion rejects undefined, which is why results must never hold it", () => {
    expect(() => carried({ clientKind: undefined }, "inputs")).toThrow(
      /Unexpected struct type/,
    );
  });

  test("a provider whose check returns undefined fails through the engine wire, as it fails a user's preview", async () => {
    const provider = new ClientSecretRotationProvider();
    const broken = Object.assign(
      Object.create(provider) as ClientSecretRotationProvider,
      {
        check: async () => ({ inputs: { clientKind: undefined } as never }),
      },
    );
    await expect(throughEngineWire(broken).check({}, {})).rejects.toThrow(
      /Unexpected struct type/,
    );
  });

  test("carriable leaves out undefined keys and rejects what JSON cannot hold, naming where", () => {
    expect(
      carriable({ a: 1, b: undefined, c: [undefined, { d: undefined }] }),
    ).toEqual({
      a: 1,
      c: [null, {}],
    });
    expect(() =>
      carriable({ outs: { when: new Date(0) } }, "create result"),
    ).toThrow("create result.outs.when is a Date object");
    expect(() => carriable({ n: NaN })).toThrow(
      "result.n is a non-finite number",
    );
  });
});
