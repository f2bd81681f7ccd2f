/**
 * The table of bad `ClientSecretRotation` inputs: every one must fail before any call to Stytch, with a
 * message that names the field. `test/inputs.test.ts` runs it against `check` through the engine's wire
 * format (fast); `test/e2e/bad-inputs.test.ts` runs it through `pulumi preview` (proof).
 *
 * Placeholders, resolved by {@link resolveArgs}: the string `"$m2m"` is the seeded M2M client's id,
 * `"$m2mLastFour"` the last four of its current secret, and `{ $unknown: value }` is a value fed through
 * another resource of the same program, so that it is unknown during preview of a create (see the e2e
 * fixture's `Echo`).
 */

/** One bad input. */
export interface BadInput {
  /** What is wrong, as the test's name. */
  what: string;
  /** The resource arguments. */
  args: Record<string, unknown>;
  /**
   * The arguments of an earlier `pulumi up` that created the resource, for a forbidden transition.
   * Cases with the same `before` share one stack in the end-to-end test.
   */
  before?: Record<string, unknown>;
  /** The field the message must name. */
  field: string;
  /** A fragment of the message. */
  says: string;
  /**
   * `program` when the resource constructor refuses it (the program fails); `resource` when `check`
   * reports it as the resource's problem, whose message the engine prints without the property's value
   * (it may be a secret), starting with the field's name; `diff` when only the old outputs decide it, so
   * `diff` refuses it (still in preview, before any call); otherwise a check failure on the property.
   */
  level?: "program" | "resource" | "diff";
}

const m2mId = "$m2m";
const unknown = (value: unknown) => ({ $unknown: value });
/** An emergency rotation (promoted at once): the state every forbidden-transition case starts from. */
const promotedBefore = {
  clientId: m2mId,
  promoted: true,
  emergencyRevokeSecretEnding: "$m2mLastFour",
  triggers: { quarter: "2026-Q4", region: "eu" },
};
/** A client secret as Stytch generates one: it must never be printed, wherever it is pasted. */
export const PASTED_SECRET = "NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj";

export const BAD_INPUTS: readonly BadInput[] = [
  // clientId: missing, empty, whitespace, wrong type
  {
    what: "no clientId",
    args: {},
    field: "clientId",
    says: "clientId is required",
    level: "resource",
  },
  {
    what: "clientId null",
    args: { clientId: null },
    field: "clientId",
    says: "clientId is required",
    level: "resource",
  },
  {
    what: "clientId empty",
    args: { clientId: "" },
    field: "clientId",
    says: "clientId is empty",
    level: "resource",
  },
  {
    what: "clientId only spaces",
    args: { clientId: "   " },
    field: "clientId",
    says: "clientId is empty (only whitespace)",
    level: "resource",
  },
  {
    what: "clientId with a leading space",
    args: { clientId: " m2m-client-test-1" },
    field: "clientId",
    says: "leading or trailing whitespace",
    level: "resource",
  },
  {
    what: "clientId with a trailing no-break space (U+00A0)",
    args: { clientId: "m2m-client-test-1\u00a0" },
    field: "clientId",
    says: "leading or trailing whitespace",
    level: "resource",
  },
  {
    what: "clientId with a zero-width space (U+200B)",
    args: { clientId: "m2m-client-test-\u200b1" },
    field: "clientId",
    says: "U+200B",
    level: "resource",
  },
  {
    what: "clientId with an em space inside (U+2003)",
    args: { clientId: "m2m-client\u2003test-1" },
    field: "clientId",
    says: "U+2003",
    level: "resource",
  },
  {
    what: "clientId a number",
    args: { clientId: 42 },
    field: "clientId",
    says: "clientId must be a string",
    level: "resource",
  },
  {
    what: "clientId a boolean",
    args: { clientId: true },
    field: "clientId",
    says: "clientId must be a string",
    level: "resource",
  },
  {
    what: "clientId an array",
    args: { clientId: ["m2m-client-test-1"] },
    field: "clientId",
    says: "clientId must be a string",
    level: "resource",
  },
  {
    what: "clientId an object",
    args: { clientId: { id: "m2m-client-test-1" } },
    field: "clientId",
    says: "clientId must be a string",
    level: "resource",
  },
  // clientId: path tricks and size
  {
    what: "clientId with ../ path traversal",
    args: { clientId: "m2m-client-test-1/../../secrets" },
    field: "clientId",
    says: "U+002F",
    level: "resource",
  },
  {
    what: "clientId that is ..",
    args: { clientId: ".." },
    field: "clientId",
    says: "does not start with a letter or digit",
    level: "resource",
  },
  {
    what: "clientId with percent-encoding",
    args: { clientId: "m2m-client-test-1%2F..%2Fx" },
    field: "clientId",
    says: "U+0025",
    level: "resource",
  },
  {
    what: "clientId with a query",
    args: { clientId: "m2m-client-test-1?promote=1" },
    field: "clientId",
    says: "U+003F",
    level: "resource",
  },
  {
    what: "clientId with a fragment",
    args: { clientId: "m2m-client-test-1#x" },
    field: "clientId",
    says: "U+0023",
    level: "resource",
  },
  {
    what: "clientId with a backslash",
    args: { clientId: "m2m-client-test-1\\..\\x" },
    field: "clientId",
    says: "U+005C",
    level: "resource",
  },
  {
    what: "clientId of 100,000 characters",
    args: { clientId: `m2m-client-test-${"a".repeat(100_000)}` },
    field: "clientId",
    says: "is longer than 200 characters",
    level: "resource",
  },
  // clientId: a secret pasted where the id belongs is refused, and never printed
  {
    what: "a client secret pasted as clientId (with clientKind)",
    args: { clientId: PASTED_SECRET, clientKind: "m2m" },
    field: "clientId",
    says: "looks like a secret, not a client id",
    level: "resource",
  },
  // Any other input: a secret pasted in the wrong place is reported as the resource's problem (the engine
  // prints a failed property's value) and described by its length, never quoted.
  {
    what: "a client secret pasted as rotateEvery",
    args: { clientId: m2mId, rotateEvery: PASTED_SECRET, promoteAfter: "7d" },
    field: "rotateEvery",
    says: "got a text of 44 characters (not shown)",
    level: "resource",
  },
  {
    what: "a client secret pasted as overdue",
    args: {
      clientId: m2mId,
      rotateEvery: "30d",
      promoteAfter: "7d",
      overdue: PASTED_SECRET,
    },
    field: "overdue",
    says: "got a text of 44 characters (not shown)",
    level: "resource",
  },
  {
    what: "a client secret pasted as rotationWindow",
    args: {
      clientId: m2mId,
      rotateEvery: "30d",
      promoteAfter: "7d",
      rotationWindow: PASTED_SECRET,
    },
    field: "rotationWindow",
    says: "got a text of 44 characters (not shown)",
    level: "resource",
  },
  {
    what: "a client secret pasted as clientKind",
    args: { clientId: m2mId, clientKind: PASTED_SECRET },
    field: "clientKind",
    says: "got a text of 44 characters (not shown)",
    level: "resource",
  },
  {
    what: "a project secret pasted as clientId",
    args: {
      clientId: "secret-test-80JASucyk7z_G8Z-7dVwZVGXL5NT_qGAQ2I",
      clientKind: "m2m",
    },
    field: "clientId",
    says: "like a Stytch project secret",
    level: "resource",
  },
  // clientKind
  {
    what: "clientId without a known prefix and no clientKind",
    args: { clientId: "worker-7" },
    field: "clientKind",
    says: 'set clientKind to "m2m" or "connected_app"',
  },
  {
    what: "clientKind that contradicts the id prefix",
    args: { clientId: "m2m-client-test-1", clientKind: "connected_app" },
    field: "clientKind",
    says: 'set clientKind to "m2m" or leave it out',
  },
  {
    what: "clientKind in capitals",
    args: { clientId: "m2m-client-test-1", clientKind: "M2M" },
    field: "clientKind",
    says: 'clientKind must be "m2m" or "connected_app"',
  },
  {
    what: "clientKind a number",
    args: { clientId: "m2m-client-test-1", clientKind: 1 },
    field: "clientKind",
    says: 'clientKind must be "m2m" or "connected_app"',
  },
  // promoted
  {
    what: "promoted: true on a new resource (a rename without aliases, a new stack, state delete)",
    args: { clientId: "m2m-client-test-1", promoted: true },
    field: "promoted",
    says: "Add `aliases` naming its old name or parent",
  },
  {
    what: "emergencyRevokeSecretEnding that is not four characters",
    args: {
      clientId: "m2m-client-test-1",
      promoted: true,
      emergencyRevokeSecretEnding: "a1b2c",
    },
    field: "emergencyRevokeSecretEnding",
    says: "must be the last four characters of the client secret to revoke",
  },
  {
    what: 'promoted the string "true"',
    args: { clientId: "m2m-client-test-1", promoted: "true" },
    field: "promoted",
    says: "config.getBoolean",
  },
  {
    what: "promoted a number",
    args: { clientId: "m2m-client-test-1", promoted: 1 },
    field: "promoted",
    says: "promoted must be true or false",
  },
  // triggers
  {
    what: "triggers an array",
    args: { clientId: "m2m-client-test-1", triggers: ["2026-Q4"] },
    field: "triggers",
    says: "triggers must be an object",
  },
  {
    what: "triggers a string",
    args: { clientId: "m2m-client-test-1", triggers: "2026-Q4" },
    field: "triggers",
    says: "triggers must be an object",
  },
  {
    what: "triggers of 20,000 characters",
    args: {
      clientId: "m2m-client-test-1",
      triggers: { blob: "x".repeat(20_000) },
    },
    field: "triggers",
    says: "keep it to short labels",
  },
  // unknown values mixed with bad ones: the known bad value is still caught in preview
  {
    what: "clientId unknown and promoted a string",
    args: { clientId: unknown("m2m-client-test-1"), promoted: "false" },
    field: "promoted",
    says: "config.getBoolean",
  },
  {
    what: "clientId unknown and triggers an array",
    args: { clientId: unknown("m2m-client-test-1"), triggers: ["q"] },
    field: "triggers",
    says: "triggers must be an object",
  },
  {
    what: "clientId unknown and clientKind wrong",
    args: { clientId: unknown("m2m-client-test-1"), clientKind: "machine" },
    field: "clientKind",
    says: 'clientKind must be "m2m" or "connected_app"',
  },
  {
    what: "clientKind unknown and clientId with a slash",
    args: { clientId: "m2m/client", clientKind: unknown("m2m") },
    field: "clientId",
    says: "U+002F",
    level: "resource",
  },
  {
    what: "a triggers value unknown and promoted a number",
    args: {
      clientId: "m2m-client-test-1",
      promoted: 0,
      triggers: { quarter: unknown("2026-Q4") },
    },
    field: "promoted",
    says: "promoted must be true or false",
  },
  // autopilot
  {
    what: "rotateEvery that is not a duration",
    args: {
      clientId: "m2m-client-test-1",
      rotateEvery: "quarterly",
      promoteAfter: "7d",
    },
    field: "rotateEvery",
    says: "rotateEvery must be a duration",
  },
  {
    what: "rotateEvery without promoteAfter",
    args: { clientId: "m2m-client-test-1", rotateEvery: "90d" },
    field: "promoteAfter",
    says: "needs promoteAfter",
  },
  {
    what: "promoteAfter not shorter than rotateEvery",
    args: {
      clientId: "m2m-client-test-1",
      rotateEvery: "7d",
      promoteAfter: "30d",
    },
    field: "promoteAfter",
    says: "must be shorter than rotateEvery",
  },
  {
    what: "maxPendingAge not longer than promoteAfter",
    args: {
      clientId: "m2m-client-test-1",
      promoteAfter: "7d",
      maxPendingAge: "2d",
    },
    field: "maxPendingAge",
    says: "must be longer than promoteAfter",
  },
  {
    what: "a secret passed as a consumer fingerprint (never echoed)",
    args: {
      clientId: "m2m-client-test-1",
      consumerFingerprints: [PASTED_SECRET],
    },
    field: "consumerFingerprints",
    says: "consumerFingerprints[0] is not a fingerprint",
    level: "resource",
  },
  {
    what: "a version-1 consumer fingerprint (one salt for every client)",
    args: {
      clientId: "m2m-client-test-1",
      consumerFingerprints: ["sfp1:AAAAAAAAAAAAAAAAAAAAAA"],
    },
    field: "consumerFingerprints",
    says: "is a version-1 fingerprint",
    level: "resource",
  },
  {
    what: "consumerEndpoints a string, not a list",
    args: {
      clientId: "m2m-client-test-1",
      consumerEndpoints: "https://billing.internal/stytch-fingerprint",
    },
    field: "consumerEndpoints",
    says: "consumerEndpoints must be a list of URLs",
    level: "resource",
  },
  {
    what: "a consumer endpoint over plain http on a non-loopback host, a token in its query (never echoed)",
    args: {
      clientId: "m2m-client-test-1",
      consumerEndpoints: [
        "https://billing.internal/stytch-fingerprint",
        `http://billing.internal:8080/f?token=${PASTED_SECRET}`,
      ],
    },
    field: "consumerEndpoints",
    says: "consumerEndpoints[1] (http://billing.internal:8080) uses plain http:// on a non-loopback host",
    level: "resource",
  },
  {
    what: "a consumer endpoint with credentials in the URL",
    args: {
      clientId: "m2m-client-test-1",
      consumerEndpoints: ["https://monitor:hunter22@billing.internal/f"],
    },
    field: "consumerEndpoints",
    says: "consumerEndpoints[0] must not contain credentials",
    level: "resource",
  },
  {
    what: "a consumer endpoint that is not a URL",
    args: {
      clientId: "m2m-client-test-1",
      consumerEndpoints: ["billing.internal/stytch-fingerprint"],
    },
    field: "consumerEndpoints",
    says: "consumerEndpoints[0] is not a valid absolute URL",
    level: "resource",
  },
  {
    what: "verifyBeforePromote a string",
    args: { clientId: "m2m-client-test-1", verifyBeforePromote: "false" },
    field: "verifyBeforePromote",
    says: "config.getBoolean",
  },
  // operating many rotations: overdue mode, windows, spread
  {
    what: "overdue neither fail nor warn",
    args: {
      clientId: "m2m-client-test-1",
      maxPendingAge: "21d",
      overdue: "ignore",
    },
    field: "overdue",
    says: 'overdue must be "fail"',
  },
  {
    what: "overdue without maxPendingAge or rotateEvery",
    args: { clientId: "m2m-client-test-1", overdue: "warn" },
    field: "overdue",
    says: "needs maxPendingAge",
  },
  {
    what: "rotationWindow without hours",
    args: { clientId: "m2m-client-test-1", rotationWindow: "weekdays" },
    field: "rotationWindow",
    says: "rotationWindow must be days, hours and an optional time zone",
  },
  {
    what: "rotationWindow with a misspelt day",
    args: {
      clientId: "m2m-client-test-1",
      rotationWindow: "Mon-Fry 09:00-17:00",
    },
    field: "rotationWindow",
    says: "three-letter day names",
  },
  {
    what: "rotationWindow with hours that are not HH:MM",
    args: { clientId: "m2m-client-test-1", rotationWindow: "Mon-Fri 9am-5pm" },
    field: "rotationWindow",
    says: "hours must be HH:MM-HH:MM",
  },
  {
    what: "rotationWindow with an unknown time zone",
    args: {
      clientId: "m2m-client-test-1",
      rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlim",
    },
    field: "rotationWindow",
    says: "is not an IANA time zone name",
  },
  {
    what: "rotationWindow a list",
    args: { clientId: "m2m-client-test-1", rotationWindow: ["Mon"] },
    field: "rotationWindow",
    says: "rotationWindow must be a string",
  },
  {
    what: "rotationWindow closed longer than maxPendingAge allows",
    args: {
      clientId: "m2m-client-test-1",
      promoteAfter: "1d",
      maxPendingAge: "2d",
      rotationWindow: "Mon-Fri 09:00-17:00 Europe/Berlin",
    },
    field: "rotationWindow",
    says: "would be overdue before it opens again",
  },
  {
    what: "spreadRotations a string",
    args: {
      clientId: "m2m-client-test-1",
      rotateEvery: "90d",
      promoteAfter: "7d",
      spreadRotations: "no",
    },
    field: "spreadRotations",
    says: "spreadRotations must be true or false",
  },
  {
    what: "spreadRotations without rotateEvery",
    args: { clientId: "m2m-client-test-1", spreadRotations: false },
    field: "spreadRotations",
    says: "needs rotateEvery",
  },
  // a misspelt argument of a JavaScript program
  {
    what: "a misspelt argument (promote)",
    args: { clientId: "m2m-client-test-1", promote: true },
    field: "promote",
    says: '(did you mean "promoted"?)',
    level: "program",
  },
  // forbidden transitions of an existing, promoted rotation
  {
    what: "promoted true → false in place",
    before: promotedBefore,
    args: { ...promotedBefore, promoted: false },
    field: "promoted",
    says: "promoted cannot go from true back to false",
    level: "diff",
  },
  {
    what: "a triggers change that keeps promoted: true",
    before: promotedBefore,
    args: { ...promotedBefore, triggers: { quarter: "2027-Q1", region: "eu" } },
    field: "promoted",
    says: "changing triggers starts a new rotation",
  },
  {
    what: "a clientId change that keeps promoted: true",
    before: promotedBefore,
    args: { ...promotedBefore, clientId: "m2m-client-test-other" },
    field: "promoted",
    says: "changing clientId starts a new rotation",
  },
  {
    what: "a known clientId change with promoted: true while a triggers value is unknown",
    before: promotedBefore,
    args: {
      ...promotedBefore,
      clientId: "m2m-client-test-other",
      triggers: { quarter: unknown("2026-Q4"), region: "eu" },
    },
    field: "promoted",
    says: "changing clientId starts a new rotation",
  },
  {
    what: "a removed trigger with promoted: true while another is unknown",
    before: promotedBefore,
    args: { ...promotedBefore, triggers: { quarter: unknown("2026-Q4") } },
    field: "promoted",
    says: "changing triggers starts a new rotation",
  },
];

/** What the placeholders stand for: the seeded M2M client. */
export interface Placeholders {
  /** `"$m2m"`: its id. */
  m2m: string;
  /** `"$m2mLastFour"`: the last four of its current secret. */
  m2mLastFour: string;
}

/** Replaces the placeholders (see {@link Placeholders}), and `{ $unknown: v }` by `unknownAs(v)`. */
export function resolveArgs(
  args: Record<string, unknown>,
  placeholders: Placeholders,
  unknownAs: (value: unknown) => unknown,
): Record<string, unknown> {
  const resolve = (value: unknown): unknown => {
    if (value === "$m2m") return placeholders.m2m;
    if (value === "$m2mLastFour") return placeholders.m2mLastFour;
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === "object") {
      if ("$unknown" in value) {
        return unknownAs((value as { $unknown: unknown }).$unknown);
      }
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, resolve(item)]),
      );
    }
    return value;
  };
  return resolve(args) as Record<string, unknown>;
}
