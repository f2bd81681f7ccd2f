/**
 * `stytch-rotation status` as pure functions of an exported state (`cli/status.ts`): states of every age and
 * shape, what is never printed, the exit codes' order, and the `--json` report against the shipped JSON
 * Schema (ajv). The command line itself runs against real stacks through `pulumi` in
 * `test/e2e/status.test.ts`; here only what needs no stack: its usage errors, and a missing CLI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import {
  REPORT_VERSION,
  ROTATION_TYPES,
  STATUS_EXIT_CODES,
  exitCodeOf,
  formatTable,
  rotationRows,
  span,
  type StatusReport,
} from "../cli/status";
import { main, type CommandIo } from "../cli/stytch-rotation";
import { ROTATION_TYPE } from "../provider/native/client-secret-rotation";
import { DYNAMIC_ROTATION_TYPE } from "../scripts/schema";
import { fingerprintOf } from "../provider/core/fingerprint";
import { repoRoot } from "./helpers/repo-files";
import { PASTED_SECRET } from "./helpers/bad-inputs";

const NOW = Date.parse("2026-12-06T12:00:00.000Z");
const CLIENT = "m2m-client-test-00000000-0000-4000-8000-000000000000";
const SIG = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
};
const encrypted = (ciphertext: string) => ({ ...SIG, ciphertext });
const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();
const NEW_FP = fingerprintOf("the-new-secret", CLIENT);
const OLD_FP = fingerprintOf("the-old-secret", CLIENT);

/** A rotation resource as `pulumi stack export` (no --show-secrets) writes it. */
function resource(
  name: string,
  outputs: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    urn: `urn:pulumi:prod::rotations::pulumi-nodejs:dynamic/stytch:ClientSecretRotation::${name}`,
    custom: true,
    type: "pulumi-nodejs:dynamic/stytch:ClientSecretRotation",
    outputs: {
      clientId: CLIENT,
      clientKind: "m2m",
      promoted: false,
      triggers: {},
      status: "pending",
      newClientSecret: encrypted("v1:abc"),
      newClientSecretLastFour: "Ab3x",
      previousClientSecretLastFour: "zz9Y",
      ...outputs,
    },
    created: at(-48),
    modified: at(-1),
    ...extra,
  };
}
const exported = (...resources: unknown[]) => ({
  version: 3,
  deployment: { manifest: {}, resources },
});
const autopilot = {
  newClientSecretFingerprint: NEW_FP,
  startedAt: at(-24),
  promotedAt: "",
  promoteDueAt: at(6 * 24 - 24),
  rotateDueAt: "",
  promotionBlockedBy: "",
  promoteAfter: "7d",
};

test("the resource types are the dynamic resource's and the native plugin's", () => {
  expect(Object.keys(ROTATION_TYPES).sort()).toEqual(
    [DYNAMIC_ROTATION_TYPE, ROTATION_TYPE].sort(),
  );
});

describe("rotationRows", () => {
  test("a rotation without autopilot outputs shows what is known, its start from the engine's record", () => {
    const [row] = rotationRows(exported(resource("legacy", {})), {
      stack: "acme/rotations/prod",
      now: NOW,
    });
    expect(row).toMatchObject({
      stack: "acme/rotations/prod",
      resource: "legacy",
      provider: "dynamic",
      client: CLIENT,
      kind: "m2m",
      status: "pending",
      newSecretLastFour: "Ab3x",
      previousSecretLastFour: "zz9Y",
      autopilot: false,
      startedAt: at(-48),
      startedAtFrom: "state",
      promotedAt: null,
      next: {
        step: "promote",
        dueAt: null,
        detail: "when promoted: true is committed",
      },
      overdue: false,
      blockedBy: null,
      newSecretFingerprint: null,
      consumers: { listed: 0, behind: [], endpoints: [] },
      alert: null,
    });
  });

  test("overdue from startedAt plus maxPendingAge (or rotateEvery), with nothing but the state and the time", () => {
    const rows = rotationRows(
      exported(
        resource("late", { ...autopilot, maxPendingAge: "12h" }),
        resource("by-period", {
          ...autopilot,
          rotateEvery: "20h",
          promoteAfter: "1h",
        }),
        resource("fine", { ...autopilot, maxPendingAge: "30h" }),
      ),
      { stack: "s", now: NOW },
    );
    expect(rows.map((r) => [r.resource, r.alert, r.overdueSince])).toEqual([
      ["late", "overdue", at(-12)],
      ["by-period", "overdue", at(-4)],
      ["fine", null, null],
    ]);
    expect(rows[0]!.next.detail).toContain("overdue since");
  });

  test("blocked: since promoteDueAt, or startedAt for a manual request; pages only past the threshold", () => {
    const blocker = "consumers have not switched: consumer 1 reports none";
    const rows = rotationRows(
      exported(
        resource("due", {
          ...autopilot,
          promoteDueAt: at(-10),
          promotionBlockedBy: blocker,
        }),
        resource("requested", {
          ...autopilot,
          promoteDueAt: "",
          promoteAfter: undefined,
          consumerFingerprints: [""],
          promoted: false,
          promotionBlockedBy: blocker,
        }),
      ),
      { stack: "s", now: NOW, failBlockedAfterMs: 12 * 3_600_000 },
    );
    expect(
      rows.map((r) => [r.blockedSince, r.blockedForSeconds, r.alert]),
    ).toEqual([
      [at(-10), 10 * 3600, null],
      [at(-24), 24 * 3600, "blocked"],
    ]);
  });

  test("consumers behind, an encrypted fingerprint, endpoints as their origin only", () => {
    const [row] = rotationRows(
      exported(
        resource("r", {
          ...autopilot,
          consumerFingerprints: [NEW_FP, "", OLD_FP, encrypted("v1:x")],
          consumerEndpoints: [
            `https://billing.internal:8443/f?token=${PASTED_SECRET}`,
            encrypted("v1:y"),
          ],
        }),
      ),
      { stack: "s", now: NOW },
    );
    expect(row!.consumers).toEqual({
      listed: 4,
      behind: [
        { consumer: 2, reports: "" },
        { consumer: 3, reports: OLD_FP },
        { consumer: 4, reports: "encrypted" },
      ],
      endpoints: ["https://billing.internal:8443", "(encrypted)"],
    });
  });

  test("statuses: promoted with and without its time, refreshed away, unknown; deleted resources left out", () => {
    const rows = rotationRows(
      exported(
        resource("scheduled", {
          ...autopilot,
          status: "promoted",
          promotedAt: at(-2),
          promoteDueAt: "",
          rotateDueAt: at(24 * 80),
          rotateEvery: "90d",
        }),
        resource("manual", { status: "promoted", promoted: true }),
        resource("gone", { status: "cancelled" }),
        resource("odd", { status: encrypted("v1:s") }),
        resource("old-half", {}, { delete: true }),
        {
          urn: "urn:pulumi:prod::rotations::pulumi:pulumi:Stack::x",
          type: "pulumi:pulumi:Stack",
        },
      ),
      { stack: "s", now: NOW },
    );
    expect(
      rows.map((r) => [r.resource, r.status, r.next.step, r.next.dueAt]),
    ).toEqual([
      ["scheduled", "promoted", "rotate", at(24 * 80)],
      ["manual", "promoted", "none", null],
      ["gone", "cancelled", "start-over", null],
      ["odd", "unknown", "none", null],
    ]);
    const table = formatTable(report(rows), NOW);
    expect(table).toContain("rotate in 80d");
    expect(table).toContain("yes (time unknown)");
    expect(table).toContain("start over (next up)");
  });

  test("the native plugin's resources are read too", () => {
    const [row] = rotationRows(
      exported({
        ...resource("n", {}),
        type: "stytch:index:ClientSecretRotation",
        urn: "urn:pulumi:prod::rotations::stytch:index:ClientSecretRotation::n",
      }),
      { stack: "s", now: NOW },
    );
    expect(row!.provider).toBe("native");
  });

  test("prints no value that could be a secret, and no control character from the state", () => {
    const rows = rotationRows(
      exported(
        resource("pasted", {
          clientId: PASTED_SECRET,
          newClientSecretLastFour: "\u001b[2J",
          promotionBlockedBy: "evil\u001b]0;title\u0007 text",
        }),
      ),
      { stack: "s", now: NOW },
    );
    const printed = formatTable(report(rows), NOW) + JSON.stringify(rows);
    expect(printed).not.toContain(PASTED_SECRET.slice(0, 9));
    expect(printed).toContain("<client id of 44 characters, not shown");
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/u);
    expect(printed).not.toContain("\\u001b");
    expect(rows[0]!.newSecretLastFour).toBeNull();
  });

  test("a deployment that is not one yields no rows", () => {
    for (const value of [
      null,
      {},
      { deployment: {} },
      "text",
      { deployment: { resources: [1, null] } },
    ]) {
      expect(rotationRows(value, { stack: "s", now: NOW })).toEqual([]);
    }
  });
});

test("exit codes: overdue before blocked before unreadable", () => {
  const rows = rotationRows(
    exported(
      resource("late", { ...autopilot, maxPendingAge: "12h" }),
      resource("blocked", {
        ...autopilot,
        promoteDueAt: at(-10),
        promotionBlockedBy: "x",
      }),
    ),
    { stack: "s", now: NOW, failBlockedAfterMs: 3_600_000 },
  );
  const read = {
    stack: "s",
    read: true,
    rotations: 2,
    error: null,
    seconds: 1,
  };
  const unread = { ...read, read: false, rotations: 0, error: "e" };
  expect(exitCodeOf(rows, [read, unread])).toBe(STATUS_EXIT_CODES.overdue);
  expect(exitCodeOf(rows.slice(1), [read, unread])).toBe(
    STATUS_EXIT_CODES.blocked,
  );
  expect(exitCodeOf([], [read, unread])).toBe(STATUS_EXIT_CODES.unreadable);
  expect(exitCodeOf([], [read])).toBe(STATUS_EXIT_CODES.ok);
});

test("span shows the largest unit and the one right below it, unless that one is zero", () => {
  expect(
    [
      0,
      42_000,
      302_000,
      90_061_000,
      89 * 86_400_000 + 23 * 3_600_000 + 59_000,
      86 * 86_400_000 + 51 * 60_000,
      5 * 3_600_000 + 30_000,
      3_600_000 + 60_000,
    ].map(span),
  ).toEqual(["0s", "42s", "5m 2s", "1d 1h", "89d 23h", "86d", "5h", "1h 1m"]);
});

test("the --json report of every kind of row matches the JSON Schema the package ships", () => {
  const rows = rotationRows(
    exported(
      resource("legacy", {}),
      resource("late", {
        ...autopilot,
        maxPendingAge: "12h",
        consumerFingerprints: ["", OLD_FP],
      }),
      resource("blocked", {
        ...autopilot,
        promotionBlockedBy: "x",
        consumerEndpoints: ["http://127.0.0.1:9/f"],
      }),
      resource("promoted", {
        ...autopilot,
        status: "promoted",
        promotedAt: at(-1),
      }),
      resource("gone", { status: "superseded", clientKind: "connected_app" }),
      resource("odd", { clientId: 7, status: 3, clientKind: encrypted("k") }),
    ),
    { stack: "s", now: NOW, failBlockedAfterMs: 1_000 },
  );
  const schema = JSON.parse(
    fs.readFileSync(
      path.join(repoRoot, "cli/status-report.schema.json"),
      "utf8",
    ),
  ) as object;
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
    schema,
  );
  const full = report(rows, [
    {
      stack: "s",
      read: true,
      rotations: rows.length,
      error: null,
      seconds: 0.4,
    },
    {
      stack: "t",
      read: false,
      rotations: 0,
      error: "pulumi stack export failed",
      seconds: 0.1,
    },
  ]);
  const valid = validate(JSON.parse(JSON.stringify(full)));
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  // The schema is strict: a row with a field it does not know, or a secret-shaped status, fails.
  expect(
    validate({ ...full, rotations: [{ ...full.rotations[0], secret: "x" }] }),
  ).toBe(false);
  expect(
    validate({
      ...full,
      rotations: [{ ...full.rotations[0], status: "leaked" }],
    }),
  ).toBe(false);
});

describe("the command line without a stack", () => {
  function io(env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const value: CommandIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stderrIsTty: false,
      env,
      cwd: os.tmpdir(),
      now: () => NOW,
    };
    return { value, out, err };
  }

  test.each([
    [[], "no command given"],
    [["rotate"], 'unknown command "rotate"'],
    [
      ["status", "--all", "--stack", "a"],
      "--all and --stack cannot be combined",
    ],
    [
      ["status", "--fail-blocked-after", "3 days"],
      "--fail-blocked-after must be a duration",
    ],
    [["status", "--stack"], "--stack needs a value"],
    [["status", "--parallel", "0"], "--parallel must be a whole number"],
    [["status", "--verbose"], 'unknown option "--verbose"'],
  ])("%j is a usage error (64)", async (argv, says) => {
    const { value, err } = io();
    expect(await main(argv, value)).toBe(STATUS_EXIT_CODES.usage);
    expect(err.join("")).toContain(says);
    expect(err.join("")).toContain("Usage: stytch-rotation status");
  });

  test("--help prints the usage and the exit codes", async () => {
    const { value, out } = io();
    expect(await main(["status", "--help"], value)).toBe(0);
    expect(out.join("")).toContain(
      "Exit codes: 0 nothing needs anyone; 1 a rotation is overdue",
    );
  });

  test("without a pulumi CLI on PATH, the stack is unreadable (3), and the report says why", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
    const { value, out } = io({ PATH: empty });
    expect(await main(["status", "--json", "--quiet"], value)).toBe(
      STATUS_EXIT_CODES.unreadable,
    );
    expect(JSON.parse(out.join(""))).toMatchObject({
      version: REPORT_VERSION,
      exitCode: STATUS_EXIT_CODES.unreadable,
      stacks: [
        {
          stack: "(selected stack)",
          read: false,
          error:
            "the pulumi CLI (pulumi) was not found: install it, or put it on PATH",
        },
      ],
      rotations: [],
    });
  });
});

function report(
  rows: StatusReport["rotations"],
  stacks: StatusReport["stacks"] = [
    {
      stack: "s",
      read: true,
      rotations: rows.length,
      error: null,
      seconds: 0.2,
    },
  ],
): StatusReport {
  return {
    version: REPORT_VERSION,
    generatedAt: new Date(NOW).toISOString(),
    failBlockedAfter: "1s",
    exitCode: exitCodeOf(rows, stacks),
    stacks,
    rotations: rows,
  };
}
