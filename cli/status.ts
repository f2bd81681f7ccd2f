/**
 * `stytch-rotation status`: what the rotations of some stacks are doing, read from their state as
 * `pulumi stack export` writes it (secrets stay ciphertext: this module never reads `newClientSecret`), as
 * rows, a table and an exit code. Pure functions of (deployment, now): `pulumi-stacks.ts` reads the
 * stacks, `stytch-rotation.ts` is the command line.
 *
 * Only what the state holds is shown, so a rotation written before the autopilot outputs existed (or
 * without autopilot inputs) shows what is known: client, kind, status, last fours, and as its start the
 * engine's record of when the resource was created (only a create starts such a rotation). Nothing here
 * makes a request: the consumers' endpoints are read by the promotion gate at `pulumi up`, and what it
 * found is in `promotionBlockedBy`.
 *
 * Nothing printed can be a secret: client ids only with a Stytch id's shape (`printable.ts`), last fours,
 * fingerprints, times, and the core's own secret-free `promotionBlockedBy`; a value the state holds
 * encrypted is shown as such, never decrypted.
 */
import {
  AUTOPILOT_INPUTS,
  durationMs,
  effectiveMaxPendingAge,
  isOverdue,
  type AutopilotInputs,
} from "../provider/core/autopilot";
import { endpointOrigin } from "../provider/core/consumer-endpoints";
import { shownClientId } from "../provider/core/printable";
import { CLIENT_KINDS, type ClientKind } from "../provider/core/stytch-types";

/** The resource types of a rotation: the dynamic resource's and the native provider's. */
export const ROTATION_TYPES = {
  "pulumi-nodejs:dynamic/stytch:ClientSecretRotation": "dynamic",
  "stytch:index:ClientSecretRotation": "native",
} as const;

/** The exit codes of `stytch-rotation status`; when several apply, the lowest non-zero one wins. */
export const STATUS_EXIT_CODES = {
  /** Every stack was read and nothing needs anyone. */
  ok: 0,
  /** A rotation is overdue: pending past its `maxPendingAge` (its every `pulumi up` fails). */
  overdue: 1,
  /** A rotation's promotion has been blocked longer than `--fail-blocked-after`. */
  blocked: 2,
  /** A stack could not be read (the `pulumi` CLI failed or timed out): what it holds is unknown. */
  unreadable: 3,
  /** The command line was wrong; nothing was read. */
  usage: 64,
} as const;

/** The version of the `--json` report's shape (`status-report.schema.json`). */
export const REPORT_VERSION = 1;

/** The secret signature Pulumi puts on an encrypted value in an exported state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** What comes next for a rotation. */
export interface NextStep {
  /** `promote`, `rotate` (a fresh rotation on a schedule), `start-over` (after refresh found it gone), or `none`. */
  step: "promote" | "rotate" | "start-over" | "none";
  /** When it falls due (ISO 8601 UTC), or null when no time makes it due (a manual promotion). */
  dueAt: string | null;
  /** One phrase: why, or what it waits for. */
  detail: string;
}

/** A consumer that does not report the new secret's fingerprint (`consumerFingerprints[consumer - 1]`). */
export interface ConsumerBehind {
  /** Its position, from 1, as `pulumi up` names it ("consumer 2"). */
  consumer: number;
  /** What it reports: a fingerprint, `""` for none, or `"encrypted"` when the state holds it as a secret. */
  reports: string;
}

/** One rotation, as `--json` prints it. */
export interface RotationRow {
  stack: string;
  /** The resource's name (the last part of its URN). */
  resource: string;
  urn: string;
  /** `dynamic` (the TypeScript resource) or `native` (`pulumi-resource-stytch`). */
  provider: "dynamic" | "native";
  /** The client id as messages show it (`printable.ts`): itself when it has a Stytch id's shape. */
  client: string;
  kind: ClientKind | null;
  /** `pending`, `promoted`, `cancelled`, `superseded`, or `unknown`. */
  status: string;
  newSecretLastFour: string | null;
  previousSecretLastFour: string | null;
  /** Whether the rotation has autopilot inputs (and so the autopilot's outputs). */
  autopilot: boolean;
  startedAt: string | null;
  /** `output`: the rotation's `startedAt`; `state`: the engine's record of the resource's creation. */
  startedAtFrom: "output" | "state" | null;
  promotedAt: string | null;
  next: NextStep;
  overdue: boolean;
  /** When it became overdue: `startedAt` plus `maxPendingAge` (or `rotateEvery`). */
  overdueSince: string | null;
  /** `promotionBlockedBy`: what held back the last due or requested promotion. */
  blockedBy: string | null;
  /**
   * Since when it has been blocked at the latest: `promoteDueAt` (it was due then and has not happened), or
   * `startedAt` for a manual request, whose time the state does not record.
   */
  blockedSince: string | null;
  blockedForSeconds: number | null;
  /** The fingerprint consumers report once they use the new secret. */
  newSecretFingerprint: string | null;
  consumers: {
    /** How many `consumerFingerprints` the rotation lists. */
    listed: number;
    behind: ConsumerBehind[];
    /** `consumerEndpoints`, as scheme and host only. */
    endpoints: string[];
  };
  /** What makes this row page: `overdue`, `blocked` (longer than `--fail-blocked-after`), or null. */
  alert: "overdue" | "blocked" | null;
}

/** How reading one stack went. */
export interface StackRead {
  stack: string;
  read: boolean;
  /** Rotations found (0 when unread). */
  rotations: number;
  /** Why it could not be read. */
  error: string | null;
  seconds: number;
}

/** The whole `--json` report. */
export interface StatusReport {
  version: typeof REPORT_VERSION;
  generatedAt: string;
  /** `--fail-blocked-after` as given, or null. */
  failBlockedAfter: string | null;
  exitCode: number;
  stacks: StackRead[];
  rotations: RotationRow[];
}

/** What a row is computed from besides the state. */
export interface RowContext {
  stack: string;
  now: number;
  /** `--fail-blocked-after` in milliseconds. */
  failBlockedAfterMs?: number | undefined;
}

/**
 * The rotations of one exported stack (`pulumi stack export`'s JSON), in state order. Resources waiting
 * to be deleted (the old half of a replacement) are left out.
 */
export function rotationRows(
  exported: unknown,
  context: RowContext,
): RotationRow[] {
  const resources = record(record(exported)?.["deployment"])?.["resources"];
  if (!Array.isArray(resources)) return [];
  return resources
    .map(record)
    .filter(
      (resource): resource is Record<string, unknown> =>
        resource !== undefined &&
        typeof resource["type"] === "string" &&
        resource["type"] in ROTATION_TYPES &&
        resource["delete"] !== true,
    )
    .map((resource) => rowOf(resource, context));
}

function rowOf(
  resource: Record<string, unknown>,
  context: RowContext,
): RotationRow {
  const outputs = record(resource["outputs"]) ?? {};
  const text = (name: string): string | undefined => {
    const value = plain(outputs[name]);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const time = (name: string): string | null => isoTime(text(name));
  const urn = String(resource["urn"]);
  const clientId = text("clientId");
  const status = text("status") ?? "unknown";
  const policy: AutopilotInputs = {};
  for (const name of [
    "rotateEvery",
    "promoteAfter",
    "maxPendingAge",
  ] as const) {
    const value = text(name);
    if (value !== undefined) policy[name] = value;
  }
  const fingerprints = plain(outputs["consumerFingerprints"]);
  const endpoints = plain(outputs["consumerEndpoints"]);
  const newFingerprint = text("newClientSecretFingerprint") ?? null;
  // The outputs echo each autopilot input the program set; every rotation has the audit times.
  const autopilot = AUTOPILOT_INPUTS.some(
    (name) => outputs[name] !== undefined && outputs[name] !== null,
  );

  const startedOutput = time("startedAt");
  const created = isoTime(plain(resource["created"]));
  const startedAt = startedOutput ?? created;
  const promotedAt = time("promotedAt");
  const state = {
    status,
    promoted: plain(outputs["promoted"]) === true,
    startedAt: startedOutput ?? "",
  };
  const overdue = isOverdue(state, policy, context.now);
  const maxAge = durationMs(effectiveMaxPendingAge(policy));
  const overdueSince =
    overdue && startedOutput && maxAge !== undefined
      ? new Date(Date.parse(startedOutput) + maxAge).toISOString()
      : null;

  const blockedBy =
    status === "pending"
      ? (printable(text("promotionBlockedBy")) ?? null)
      : null;
  const blockedSince = blockedBy ? (time("promoteDueAt") ?? startedAt) : null;
  const blockedForSeconds =
    blockedSince === null
      ? null
      : Math.max(
          0,
          Math.floor((context.now - Date.parse(blockedSince)) / 1000),
        );
  const blockedTooLong =
    blockedForSeconds !== null &&
    context.failBlockedAfterMs !== undefined &&
    blockedForSeconds * 1000 >= context.failBlockedAfterMs;

  return {
    stack: context.stack,
    resource: printable(urn.slice(urn.lastIndexOf("::") + 2)) ?? "",
    urn: printable(urn) ?? "",
    provider: ROTATION_TYPES[resource["type"] as keyof typeof ROTATION_TYPES],
    client: clientId === undefined ? "(unknown)" : shownClientId(clientId),
    kind: CLIENT_KINDS.find((kind) => kind === text("clientKind")) ?? null,
    status,
    newSecretLastFour: lastFour(text("newClientSecretLastFour")),
    previousSecretLastFour: lastFour(text("previousClientSecretLastFour")),
    autopilot,
    startedAt,
    startedAtFrom: startedOutput ? "output" : created ? "state" : null,
    promotedAt,
    next: nextStep(status, state.promoted, {
      promoteDueAt: time("promoteDueAt"),
      rotateDueAt: time("rotateDueAt"),
      overdueSince,
    }),
    overdue,
    overdueSince,
    blockedBy,
    blockedSince,
    blockedForSeconds,
    newSecretFingerprint: newFingerprint,
    consumers: {
      listed: Array.isArray(fingerprints) ? fingerprints.length : 0,
      behind: consumersBehind(fingerprints, newFingerprint),
      endpoints: Array.isArray(endpoints)
        ? endpoints.map((endpoint) => {
            const url = plain(endpoint);
            return url === SECRET ? "(encrypted)" : endpointOrigin(url);
          })
        : [],
    },
    alert: overdue ? "overdue" : blockedTooLong ? "blocked" : null,
  };
}

function nextStep(
  status: string,
  promoted: boolean,
  times: {
    promoteDueAt: string | null;
    rotateDueAt: string | null;
    overdueSince: string | null;
  },
): NextStep {
  switch (status) {
    case "pending":
      if (times.overdueSince) {
        return {
          step: "promote",
          dueAt: times.promoteDueAt,
          detail: `overdue since ${times.overdueSince}: every pulumi up fails until it is promoted`,
        };
      }
      if (times.promoteDueAt) {
        return {
          step: "promote",
          dueAt: times.promoteDueAt,
          detail: "promoteAfter",
        };
      }
      return promoted
        ? {
            step: "promote",
            dueAt: null,
            detail: "requested (promoted: true), held back by the gates",
          }
        : {
            step: "promote",
            dueAt: null,
            detail: "when promoted: true is committed",
          };
    case "promoted":
      return times.rotateDueAt
        ? { step: "rotate", dueAt: times.rotateDueAt, detail: "rotateEvery" }
        : {
            step: "none",
            dueAt: null,
            detail: "complete; a change of triggers starts the next rotation",
          };
    case "cancelled":
    case "superseded":
      return {
        step: "start-over",
        dueAt: null,
        detail: `${status} outside Pulumi (found by refresh): the next pulumi up starts a fresh rotation`,
      };
    default:
      return { step: "none", dueAt: null, detail: "status unknown" };
  }
}

function consumersBehind(
  fingerprints: unknown,
  newFingerprint: string | null,
): ConsumerBehind[] {
  if (!Array.isArray(fingerprints)) return [];
  return fingerprints.flatMap((value: unknown, i) => {
    const reported = plain(value);
    if (reported === SECRET) return [{ consumer: i + 1, reports: "encrypted" }];
    if (typeof reported !== "string" || reported === newFingerprint) return [];
    // A stored fingerprint passed `check`, so it has the fingerprint's shape; anything else is not shown.
    return [
      {
        consumer: i + 1,
        reports: /^sfp2:[A-Za-z0-9_-]{22}$/.test(reported) ? reported : "",
      },
    ];
  });
}

/** The exit code of a report: see {@link STATUS_EXIT_CODES}. */
export function exitCodeOf(
  rows: readonly RotationRow[],
  stacks: readonly StackRead[],
): number {
  if (rows.some((row) => row.alert === "overdue"))
    return STATUS_EXIT_CODES.overdue;
  if (rows.some((row) => row.alert === "blocked"))
    return STATUS_EXIT_CODES.blocked;
  if (stacks.some((stack) => !stack.read)) return STATUS_EXIT_CODES.unreadable;
  return STATUS_EXIT_CODES.ok;
}

const COLUMNS = [
  "STACK",
  "RESOURCE",
  "CLIENT",
  "KIND",
  "STATUS",
  "STARTED",
  "PROMOTED",
  "NEXT",
  "BLOCKED BY",
  "CONSUMERS BEHIND",
] as const;

/**
 * The report as people read it: one table row per rotation, then, for each blocked rotation, the whole
 * reason, and each stack that could not be read.
 */
export function formatTable(report: StatusReport, now: number): string {
  const lines: string[] = [];
  if (report.rotations.length === 0) {
    lines.push("No ClientSecretRotation in the stacks read.");
  } else {
    const cells = report.rotations.map((row, i) => [
      row.stack,
      row.resource,
      row.client,
      row.kind ?? "-",
      row.alert === "overdue" ? `${row.status} (OVERDUE)` : row.status,
      shortTime(row.startedAt) +
        (row.startedAtFrom === "state" ? " (created)" : ""),
      row.promotedAt
        ? shortTime(row.promotedAt)
        : row.status === "promoted"
          ? "yes (time unknown)"
          : "-",
      nextCell(row.next, now),
      // The reason is long: the cell refers to it, in full below the table.
      row.blockedBy
        ? `[${i + 1}] ${row.blockedForSeconds === null ? "see below" : `for ${span(row.blockedForSeconds * 1000)}`}`
        : "-",
      consumersCell(row),
    ]);
    const rows = [[...COLUMNS], ...cells];
    const widths = COLUMNS.map((_, c) =>
      Math.max(...rows.map((row) => row[c]!.length)),
    );
    for (const row of rows) {
      lines.push(
        row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      );
    }
    const blocked = report.rotations.flatMap((row, i) =>
      row.blockedBy ? [{ row, i, why: row.blockedBy }] : [],
    );
    if (blocked.length > 0) {
      lines.push("", "Blocked:");
      for (const { row, i, why } of blocked) {
        lines.push(
          `[${i + 1}] ${row.stack} ${row.resource}, since ${row.blockedSince ?? "?"}` +
            `${row.alert === "blocked" ? " (longer than --fail-blocked-after)" : ""}: ${why}`,
        );
      }
    }
  }
  const unread = report.stacks.filter((stack) => !stack.read);
  if (unread.length > 0) {
    lines.push("", "Not read:");
    for (const stack of unread)
      lines.push(`${stack.stack}: ${stack.error ?? "unknown error"}`);
  }
  return `${lines.join("\n")}\n`;
}

function nextCell(next: NextStep, now: number): string {
  if (next.step === "none") return "-";
  if (next.step === "start-over") return "start over (next up)";
  if (next.dueAt === null) {
    return next.detail.startsWith("requested")
      ? `${next.step} (requested)`
      : `${next.step} on request`;
  }
  const ms = Date.parse(next.dueAt) - now;
  return ms > 0
    ? `${next.step} in ${span(ms)}`
    : `${next.step}, due ${span(-ms)} ago`;
}

function consumersCell(row: RotationRow): string {
  const { listed, behind, endpoints } = row.consumers;
  const parts: string[] = [];
  if (listed > 0) {
    const which = behind
      .map(
        ({ consumer, reports }) =>
          `#${consumer} ${reports === "" ? "none" : reports === "encrypted" ? "encrypted" : `${reports.slice(0, 11)}…`}`,
      )
      .join(", ");
    parts.push(`${behind.length} of ${listed}${which ? `: ${which}` : ""}`);
  }
  if (endpoints.length > 0) {
    parts.push(
      `${endpoints.length} endpoint${endpoints.length === 1 ? "" : "s"}`,
    );
  }
  return parts.length > 0 ? parts.join("; ") : "-";
}

/** `2026-12-06 13:40Z`, or `-`. */
function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : "-";
}

/**
 * A span of time as its largest unit and the one right below it, which is left out when it is zero:
 * `3d 4h`, `86d` (not `86d 51m`, which would read as a smaller span), `5h 2m`, `42s`.
 */
export function span(ms: number): string {
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const seconds = Math.floor(ms / 1000);
  const largest = units.findIndex(([, size]) => seconds >= size);
  if (largest === -1) return "0s";
  const [unit, size] = units[largest]!;
  const parts = [`${Math.floor(seconds / size)}${unit}`];
  const below = units[largest + 1];
  if (below) {
    const count = Math.floor((seconds % size) / below[1]);
    if (count > 0) parts.push(`${count}${below[0]}`);
  }
  return parts.join(" ");
}

const SECRET: unique symbol = Symbol("encrypted");

/** A state value, or {@link SECRET} when the state holds it encrypted (never decrypted here). */
function plain(value: unknown): unknown {
  const fields = record(value);
  return fields && SECRET_SIG in fields ? SECRET : value;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function isoTime(value: unknown): string | null {
  if (typeof value !== "string" || value === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function lastFour(value: string | undefined): string | null {
  return value !== undefined && /^[\x21-\x7e]{4}$/.test(value) ? value : null;
}

/** Text from the state without control characters (a terminal escape could rewrite what is shown). */
function printable(value: string | undefined): string | undefined {
  return value?.replace(/[\x00-\x1f\x7f-\x9f]/g, " ");
}
