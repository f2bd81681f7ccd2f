/**
 * Which transitions an operation made, as events: pure functions of the rotation before and after a
 * `create`, `update` or `delete` (or of the error that stopped it), and the CloudEvents 1.0 envelope each
 * event travels in. `event-delivery.ts` signs and sends them.
 *
 * | event       | when                                                                                       |
 * |-------------|--------------------------------------------------------------------------------------------|
 * | `started`   | a rotation started: a new resource, a replacement, or `rotateEvery` in place               |
 * | `promoted`  | it completed: `promoted: true`, `promoteAfter`, or an emergency                            |
 * | `blocked`   | a due or requested promotion was held back by a gate, first, or for another reason than before |
 * | `unblocked` | a rotation that was blocked is not any more (promoted, or the request was withdrawn)       |
 * | `overdue`   | it has been pending past `maxPendingAge` (the `up` failed, or warned with `overdue: "warn"`)  |
 * | `cancelled` | removing it (or `pulumi destroy`, or a replacement) cancelled it at Stytch                 |
 * | `refused`   | the operation refused for a conflict with the state at Stytch (`RotationConflictError`)   |
 *
 * An event carries what a receiver needs to act and nothing that could be a secret: the client id only when
 * it has a Stytch id's shape (`printable.ts`), the kind, the last fours, the fingerprint, the times, and the
 * reason (the same secret-free text the `up` prints). Its id is a hash of the rotation (client, new
 * secret's last four, start time) and of the transition (type, and for `blocked`, `unblocked` and
 * `refused` the reason), so a retry, or the same transition found again by a later `up` (an overdue
 * rotation fails every `up` the same way), carries the same id and a receiver can drop the repeat.
 *
 * Preview, `check`, `diff` and `refresh` make no events: only operations that change a rotation do.
 */
import { createHash } from "node:crypto";
import { isStytchShapedClientId, isStytchShapedProjectId } from "./printable";
import type { ClientSecretRotationOutputs } from "./types";

/** The transitions an event can report. */
export type RotationEventType =
  | "started"
  | "promoted"
  | "blocked"
  | "unblocked"
  | "overdue"
  | "cancelled"
  | "refused";

/**
 * The CloudEvents `type` of each event is this prefix, a dot, and the {@link RotationEventType}: reverse-DNS
 * of the project's home (`github.com/pulumi-stytch-client-secret-rotation`, as the Go SDK's module path).
 */
export const EVENT_TYPE_PREFIX =
  "com.github.pulumi-stytch-client-secret-rotation.stytch.client_secret_rotation";

/** What an event tells of the rotation: the outputs without the secret, and only those it has. */
export type RotationFacts = Partial<
  Pick<
    ClientSecretRotationOutputs,
    | "clientId"
    | "clientKind"
    | "status"
    | "newClientSecretLastFour"
    | "previousClientSecretLastFour"
    | "newClientSecretFingerprint"
    | "startedAt"
    | "promotedAt"
    | "promoteDueAt"
    | "rotateDueAt"
    | "promotionBlockedBy"
    | "overdueSince"
    | "waitsForWindowUntil"
  >
>;

/** One transition of one rotation. */
export interface RotationEvent {
  type: RotationEventType;
  /** When it happened (ISO 8601 UTC), on the clock the rules ran on. */
  time: string;
  /** The rotation after the transition (before it, for `cancelled` and `refused`). */
  rotation: RotationFacts;
  /** Why: what blocks it, what no longer does, why it is overdue, why the operation refused. */
  reason?: string;
  /** For `blocked`: what blocked it before, when something else did. */
  previousReason?: string;
}

/** A CloudEvents 1.0 event in the structured JSON format. */
export interface CloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: "application/json";
  data: Record<string, string>;
}

/**
 * The events of a `create` or `update` that succeeded: `before` is the stored rotation (none for a
 * create), `after` what the operation returns, `now` the time the rules ran on.
 */
export function transitionEvents(
  before: ClientSecretRotationOutputs | undefined,
  after: ClientSecretRotationOutputs,
  now: number,
): RotationEvent[] {
  const at = new Date(now).toISOString();
  const events: RotationEvent[] = [];
  const startedAnew =
    before === undefined ||
    before.newClientSecretLastFour !== after.newClientSecretLastFour;
  const wasBlocked = !startedAnew && Boolean(before?.promotionBlockedBy);
  const blocker = after.promotionBlockedBy ?? "";
  if (startedAnew) {
    events.push({
      type: "started",
      time: after.startedAt || at,
      rotation: after,
    });
  }
  if (wasBlocked && blocker === "") {
    events.push({
      type: "unblocked",
      time: at,
      rotation: after,
      reason: before!.promotionBlockedBy!,
    });
  }
  const wasPromoted = !startedAnew && before?.status === "promoted";
  if (after.status === "promoted" && !wasPromoted) {
    events.push({
      type: "promoted",
      time: after.promotedAt || at,
      rotation: after,
    });
  }
  const previous = wasBlocked ? before!.promotionBlockedBy! : "";
  if (blocker !== "" && reasonKey(blocker) !== reasonKey(previous)) {
    events.push({
      type: "blocked",
      time: at,
      rotation: after,
      reason: blocker,
      ...(previous === "" ? {} : { previousReason: previous }),
    });
  }
  if (after.overdueSince && (startedAnew || !before?.overdueSince)) {
    events.push({
      type: "overdue",
      time: at,
      rotation: after,
      reason: `pending since ${after.startedAt ?? "an unknown time"}, overdue since ${after.overdueSince}`,
    });
  }
  return events;
}

/** The event of a `delete` that cancelled the pending rotation `before`. */
export function cancelledEvent(
  before: ClientSecretRotationOutputs,
  now: number,
): RotationEvent {
  return {
    type: "cancelled",
    time: new Date(now).toISOString(),
    rotation: { ...before, status: "cancelled" },
  };
}

/**
 * The event of an operation stopped by `error`: `overdue` for a `RotationOverdueError`, `refused` for a
 * `RotationConflictError`, none for anything else (Stytch unreachable, bad configuration: nothing
 * happened to the rotation). `rotation` is what the operation started from: the stored outputs, or a
 * create's inputs.
 */
export function failureEvent(
  rotation: RotationFacts,
  error: unknown,
  now: number,
): RotationEvent | undefined {
  const name = error instanceof Error ? error.name : "";
  const type: RotationEventType | undefined =
    name === "RotationOverdueError"
      ? "overdue"
      : name === "RotationConflictError"
        ? "refused"
        : undefined;
  if (type === undefined) return undefined;
  return {
    type,
    time: new Date(now).toISOString(),
    rotation,
    // Every error of this package is built from secret-free fields (see errors.ts).
    reason: (error as Error).message,
  };
}

/**
 * The CloudEvents envelope of an event. `projectId` names the `source` when it has a project id's shape;
 * the `subject` is the client id when it has a Stytch id's shape, and absent otherwise.
 */
export function cloudEventOf(
  event: RotationEvent,
  projectId: string | undefined,
): CloudEvent {
  const { rotation } = event;
  const clientId = isStytchShapedClientId(rotation.clientId)
    ? rotation.clientId
    : undefined;
  const data: Record<string, string> = {};
  const keep = (name: keyof RotationFacts) => {
    const value = rotation[name];
    if (typeof value === "string" && value !== "") data[name] = value;
  };
  if (clientId !== undefined) data["clientId"] = clientId;
  for (const name of [
    "clientKind",
    "status",
    "newClientSecretLastFour",
    "previousClientSecretLastFour",
    "newClientSecretFingerprint",
    "startedAt",
    "promotedAt",
    "promoteDueAt",
    "rotateDueAt",
    "overdueSince",
    "waitsForWindowUntil",
  ] as const) {
    keep(name);
  }
  if (event.reason !== undefined) data["reason"] = event.reason;
  if (event.previousReason !== undefined) {
    data["previousReason"] = event.previousReason;
  }
  return {
    specversion: "1.0",
    id: eventId(event),
    source: `/pulumi-stytch-client-secret-rotation${isStytchShapedProjectId(projectId) ? `/projects/${projectId}` : ""}`,
    type: `${EVENT_TYPE_PREFIX}.${event.type}`,
    time: event.time,
    ...(clientId === undefined ? {} : { subject: clientId }),
    datacontenttype: "application/json",
    data,
  };
}

/**
 * One line for a Slack incoming webhook: what happened to which client, the new secret's last four, and
 * the reason when there is one, all read from the CloudEvent (so nothing it leaves out can appear).
 * Slack's control characters (`<`, `>`, `&`) are escaped.
 */
export function slackMessageOf(event: CloudEvent): string {
  const { data } = event;
  const what = event.type.slice(event.type.lastIndexOf(".") + 1);
  const client = data["clientId"] ?? "a client";
  const kind = data["clientKind"] ? ` (${data["clientKind"]})` : "";
  const secret = data["newClientSecretLastFour"]
    ? `, new secret ending ${data["newClientSecretLastFour"]}`
    : "";
  const reason = data["reason"] ? `: ${data["reason"]}` : "";
  return escapeSlack(
    `Stytch client secret rotation ${what}: ${client}${kind}${secret} at ${event.time}${reason}`,
  );
}

function escapeSlack(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * The event's id: `evt_` and 32 hex digits of SHA-256 over the rotation (client id, new secret's last
 * four, start time) and the transition (type; the reason for `blocked`, `unblocked` and `refused`, with
 * `blocked` also the reason before). The same transition of the same rotation always gets the same id.
 */
export function eventId(event: RotationEvent): string {
  const { rotation } = event;
  const transition =
    event.type === "blocked"
      ? [reasonKey(event.reason), reasonKey(event.previousReason)]
      : event.type === "unblocked" || event.type === "refused"
        ? [reasonKey(event.reason)]
        : [];
  const material = [
    "v1",
    rotation.clientId ?? "",
    rotation.newClientSecretLastFour ?? "",
    rotation.startedAt ?? "",
    event.type,
    ...transition,
  ].join("\u0000");
  return `evt_${createHash("sha256").update(material).digest("hex").slice(0, 32)}`;
}

/**
 * A reason without what differs between two reports of the same cause: Stytch's request id, new with every
 * request (a verification that fails the same way on every `up` is one blocked event, not one per `up`).
 */
function reasonKey(reason: string | undefined): string {
  return (reason ?? "").replace(/\s*\(request_id [^)]*\)/g, "");
}
