/**
 * Autopilot: the schedule and the promotion gates of a rotation, as pure functions of (state, inputs,
 * now). `lifecycle.ts` asks {@link nextTransition} what a `pulumi up` should do and carries it out; `diff`
 * asks the same question to decide whether there is anything to do at all, so a scheduled `up` with
 * nothing due makes no call to Stytch.
 *
 * The rules:
 *
 * - **promote** when the rotation is pending and either `promoted` turned true since the last `up` (a
 *   manual request) or `promoteAfter` has passed since `startedAt`; the gates decide whether it happens:
 *   every `consumerFingerprints` entry must equal the new secret's fingerprint, and with
 *   `verifyBeforePromote` the new secret must authenticate at Stytch. A blocked promotion waits (and is
 *   tried again on every `up`), and a manual request stays pending until it is carried out.
 * - **rotate** (start a fresh rotation on the same client) when the rotation is promoted, `rotateEvery` has
 *   passed since `startedAt`, and `promoteAfter` has passed since `promotedAt`: consumers that have just
 *   switched (a promotion held back past the period) get a full overlap window before the next secret
 *   churns them again. Never while the rotation is still pending: consumers may already use its secret, so
 *   it is not cancelled; it is overdue instead.
 * - **overdue** when the rotation has been pending for `maxPendingAge` (by default `rotateEvery`, so that a
 *   consumer that never reports cannot stall a schedule with only warnings): the `up` fails, or, with
 *   `overdue: "warn"`, warns and records it, so that the rest of the stack still deploys.
 * - **wait** when a promotion (due or requested) or a scheduled start falls outside `rotationWindow`: nothing
 *   happens until the window opens (`rotation-windows.ts`), and the outputs say when that is. With
 *   `rotateEvery`, due times are also spread across the fleet by client id unless `spreadRotations: false`.
 *
 * A program that sets none of the autopilot inputs gets none of this: no outputs, no verification.
 */
import { isUnknown } from "./engine-values";
import { isFingerprint, isRetiredFingerprint } from "./fingerprint";
import { shownText } from "./printable";
import {
  isInWindow,
  longestClosedMs,
  nextWindowOpening,
  parseWindow,
  spreadDueAt,
  type RotationWindow,
} from "./rotation-windows";

/** The optional inputs that turn rotation into a policy. */
export interface AutopilotInputs {
  /** Duration: start a fresh rotation this long after the current one started. */
  rotateEvery?: string;
  /** Duration: the overlap window; promote this long after the rotation started. */
  promoteAfter?: string;
  /** Prove that the new secret authenticates before promoting. Default true with autopilot. */
  verifyBeforePromote?: boolean;
  /** What each consumer reports it uses (`secretFingerprint`); promotion waits until all match. */
  consumerFingerprints?: string[];
  /** Duration: a rotation pending this long fails the `up`. Default: `rotateEvery`, when that is set. */
  maxPendingAge?: string;
  /** What an overdue rotation does to the `up`: fail it (default) or warn and record `overdueSince`. */
  overdue?: OverdueMode;
  /** When starts and promotions may happen, e.g. `"Mon-Fri 09:00-17:00 Europe/Berlin"`. */
  rotationWindow?: string;
  /** Spread due times across the fleet by client id (default true with `rotateEvery`). */
  spreadRotations?: boolean;
  /** URLs at which running consumers answer their fingerprint (`consumer-endpoints.ts`); promotion waits on them too. */
  consumerEndpoints?: string[];
}

/** What an overdue rotation does to the `pulumi up`: `fail` it, or `warn` and let the rest deploy. */
export type OverdueMode = "fail" | "warn";

/** The values of {@link OverdueMode}, the default first. */
export const OVERDUE_MODES: readonly OverdueMode[] = ["fail", "warn"];

/** The names of {@link AutopilotInputs}, in the order they are documented. */
export const AUTOPILOT_INPUTS = [
  "rotateEvery",
  "promoteAfter",
  "verifyBeforePromote",
  "consumerFingerprints",
  "maxPendingAge",
  "overdue",
  "rotationWindow",
  "spreadRotations",
  "consumerEndpoints",
] as const satisfies ReadonlyArray<keyof AutopilotInputs>;

/**
 * The outputs that make the schedule reviewable. ISO 8601 UTC times; `""` when not applicable. Every
 * rotation has `startedAt` and `promotedAt` (the audit times, {@link AUDIT_OUTPUTS}); the rest only a
 * rotation with autopilot inputs ({@link AUTOPILOT_OUTPUTS}).
 */
export interface AutopilotOutputs {
  /** When the current rotation started. */
  startedAt: string;
  /** When it was promoted. */
  promotedAt: string;
  /** When `promoteAfter` makes it due for promotion, while it is pending (inside `rotationWindow`). */
  promoteDueAt: string;
  /**
   * When `rotateEvery` makes a fresh rotation due (spread by client id, never sooner than `promoteAfter`
   * after `promotedAt`, inside `rotationWindow`).
   */
  rotateDueAt: string;
  /** Why a due or requested promotion did not happen on the last `up`. */
  promotionBlockedBy: string;
  /** {@link fingerprintOf} the new secret: what consumers report once they use it. */
  newClientSecretFingerprint: string;
  /** With `overdue: "warn"`: since when the rotation is overdue (an `up` warned instead of failing). */
  overdueSince: string;
  /** When a due or requested step waits for `rotationWindow`: when the window opens next. */
  waitsForWindowUntil: string;
}

/** The audit times every rotation records, with or without autopilot inputs. */
export const AUDIT_OUTPUTS = [
  "startedAt",
  "promotedAt",
] as const satisfies ReadonlyArray<keyof AutopilotOutputs>;

/** The outputs only a rotation with autopilot inputs has. */
export const AUTOPILOT_OUTPUTS = [
  "newClientSecretFingerprint",
  "promoteDueAt",
  "rotateDueAt",
  "promotionBlockedBy",
  "overdueSince",
  "waitsForWindowUntil",
] as const satisfies ReadonlyArray<keyof AutopilotOutputs>;

/** What a rotation's state holds that the rules read. */
export interface RotationState extends Partial<AutopilotOutputs> {
  status: string;
  promoted: boolean;
  /** The client, whose id places its due times on the spread (see `rotation-windows.ts`). */
  clientId?: string;
}

/** What the next `pulumi up` does to a rotation that stays the same resource. */
export type Transition =
  | { kind: "none" }
  | { kind: "promote"; requested: boolean }
  | { kind: "rotate" }
  | { kind: "overdue" }
  | {
      kind: "wait";
      /** The step that is due or requested but falls outside `rotationWindow`. */
      step: "promote" | "rotate";
      requested: boolean;
      /** When the window opens next (ISO 8601 UTC). */
      until: string;
    };

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Ten years: longer is a typo, and dates past it are not worth the risk of overflow. */
const MAX_DURATION_MS = 3650 * UNIT_MS.d;
const MAX_CONSUMERS = 100;

/** True when the inputs set any autopilot input. */
export function usesAutopilot(inputs: AutopilotInputs): boolean {
  return AUTOPILOT_INPUTS.some((name) => inputs[name] !== undefined);
}

/** Whether to prove the new secret before promoting: as set, else on exactly when autopilot is. */
export function verifiesBeforePromote(inputs: AutopilotInputs): boolean {
  return inputs.verifyBeforePromote ?? usesAutopilot(inputs);
}

/** Milliseconds of a duration such as `"90d"`; undefined when it is absent, unknown or malformed. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/**
 * `check`'s rules for the autopilot inputs: each field's own, then how they must relate. Values that are
 * unknown during preview are left to apply time. Fingerprints are never quoted back: a mistaken one may
 * be the secret itself.
 */
export function autopilotProblems(
  news: Record<string, unknown>,
): Array<{ property: string; reason: string }> {
  const problems: Array<{ property: string; reason: string }> = [];
  for (const name of ["rotateEvery", "promoteAfter", "maxPendingAge"]) {
    const value = news[name];
    if (value === undefined || isUnknown(value)) continue;
    if (durationMs(value) === undefined) {
      problems.push({
        property: name,
        reason:
          `${name} must be a duration: a whole number followed by s, m, h or d, such as "90d", "36h" or ` +
          `"30s", of at most 3650d; got ${typeof value === "string" ? shownText(value) : `a ${typeof value}`}.`,
      });
    }
  }
  const verify = news["verifyBeforePromote"];
  if (
    verify !== undefined &&
    !isUnknown(verify) &&
    typeof verify !== "boolean"
  ) {
    problems.push({
      property: "verifyBeforePromote",
      reason: `verifyBeforePromote must be true or false (a boolean${typeof verify === "string" ? ", not a string: read it with config.getBoolean(…)" : ""}); it defaults to true.`,
    });
  }
  const overdue = news["overdue"];
  if (
    overdue !== undefined &&
    !isUnknown(overdue) &&
    !(OVERDUE_MODES as readonly unknown[]).includes(overdue)
  ) {
    problems.push({
      property: "overdue",
      reason: `overdue must be "fail" (an overdue rotation fails the pulumi up, the default) or "warn" (it prints a warning and records overdueSince, and the rest of the stack deploys); got ${typeof overdue === "string" ? shownText(overdue) : `a ${typeof overdue}`}.`,
    });
  }
  const windowText = news["rotationWindow"];
  if (windowText !== undefined && !isUnknown(windowText)) {
    const parsed = parseWindow(windowText);
    if ("problem" in parsed) {
      problems.push({ property: "rotationWindow", reason: parsed.problem });
    }
  }
  const spread = news["spreadRotations"];
  if (
    spread !== undefined &&
    !isUnknown(spread) &&
    typeof spread !== "boolean"
  ) {
    problems.push({
      property: "spreadRotations",
      reason: `spreadRotations must be true or false (a boolean${typeof spread === "string" ? ", not a string: read it with config.getBoolean(…)" : ""}); it defaults to true with rotateEvery.`,
    });
  }
  const fingerprintsProblem = consumerFingerprintsProblem(
    news["consumerFingerprints"],
  );
  if (fingerprintsProblem) {
    problems.push({
      property: "consumerFingerprints",
      reason: fingerprintsProblem,
    });
  }
  if (problems.length > 0) return problems;

  const rotateEvery = durationMs(news["rotateEvery"]);
  const promoteAfter = durationMs(news["promoteAfter"]);
  const maxPendingAge = durationMs(news["maxPendingAge"]);
  if (news["rotateEvery"] !== undefined && news["promoteAfter"] === undefined) {
    problems.push({
      property: "promoteAfter",
      reason:
        "rotateEvery starts a new rotation on a schedule, so it needs promoteAfter to finish each one: set " +
        'promoteAfter (the overlap window, e.g. "7d") shorter than rotateEvery.',
    });
  }
  if (
    rotateEvery !== undefined &&
    promoteAfter !== undefined &&
    promoteAfter >= rotateEvery
  ) {
    problems.push({
      property: "promoteAfter",
      reason: `promoteAfter (${String(news["promoteAfter"])}) must be shorter than rotateEvery (${String(news["rotateEvery"])}): a rotation is promoted before the next one starts.`,
    });
  }
  if (
    maxPendingAge !== undefined &&
    promoteAfter !== undefined &&
    maxPendingAge <= promoteAfter
  ) {
    problems.push({
      property: "maxPendingAge",
      reason: `maxPendingAge (${String(news["maxPendingAge"])}) must be longer than promoteAfter (${String(news["promoteAfter"])}): it is how long a promotion may stay blocked past its window.`,
    });
  }
  if (maxPendingAge === 0) {
    problems.push({
      property: "maxPendingAge",
      reason:
        "maxPendingAge must be longer than 0s: every rotation is pending for a while.",
    });
  }
  if (
    news["overdue"] !== undefined &&
    news["maxPendingAge"] === undefined &&
    news["rotateEvery"] === undefined
  ) {
    problems.push({
      property: "overdue",
      reason:
        "overdue says what a rotation pending past maxPendingAge does, so it needs maxPendingAge (or rotateEvery, " +
        'its default): set maxPendingAge (e.g. "21d"), or leave overdue out.',
    });
  }
  if (spread !== undefined && news["rotateEvery"] === undefined) {
    problems.push({
      property: "spreadRotations",
      reason:
        "spreadRotations spreads the due times of rotateEvery, so it needs rotateEvery: set rotateEvery, or " +
        "leave spreadRotations out.",
    });
  }
  const window = windowOf(news);
  const maxAge = durationMs(effectiveMaxPendingAge(news as AutopilotInputs));
  if (window && maxAge !== undefined && promoteAfter !== undefined) {
    const closed = longestClosedMs(window);
    if (maxAge <= promoteAfter + closed) {
      problems.push({
        property: "rotationWindow",
        reason:
          `rotationWindow ${JSON.stringify(news["rotationWindow"])} stays closed for up to ${describeMs(closed)} ` +
          `(an hour added for a daylight-saving change), so a promotion that falls due as it closes would be ` +
          `overdue before it opens again: maxPendingAge (${news["maxPendingAge"] === undefined ? "unset, so rotateEvery: " : ""}${textOf(effectiveMaxPendingAge(news as AutopilotInputs))}) ` +
          `must be longer than promoteAfter (${textOf(news["promoteAfter"])}) plus ${describeMs(closed)}. ` +
          "Widen the window or lengthen maxPendingAge.",
      });
    }
  }
  return problems;
}

/** The parsed `rotationWindow` of the inputs; undefined when unset, unknown or malformed. */
export function windowOf(inputs: {
  rotationWindow?: unknown;
}): RotationWindow | undefined {
  const text = inputs.rotationWindow;
  if (text === undefined || isUnknown(text)) return undefined;
  const parsed = parseWindow(text);
  return "window" in parsed ? parsed.window : undefined;
}

/** What an overdue rotation does under the inputs: {@link OverdueMode}, `fail` unless set. */
export function overdueMode(inputs: AutopilotInputs): OverdueMode {
  return inputs.overdue === "warn" ? "warn" : "fail";
}

/** A duration input as it was written, for a message (it was checked to be a duration before). */
function textOf(duration: unknown): string {
  return typeof duration === "string" ? duration : "";
}

/** A duration for a message: whole days and hours (`2d 17h`), or minutes below an hour. */
function describeMs(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours === 0) return `${Math.ceil(ms / 60_000)}m`;
  const days = Math.floor(hours / 24);
  return days > 0
    ? `${days}d${hours % 24 ? ` ${hours % 24}h` : ""}`
    : `${hours}h`;
}

function consumerFingerprintsProblem(value: unknown): string | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (!Array.isArray(value)) {
    return `consumerFingerprints must be a list of fingerprints ("sfp2:…", from secretFingerprint(secret, clientId) in each consumer's program); got a ${value === null ? "null" : typeof value}.`;
  }
  if (value.length > MAX_CONSUMERS) {
    return `consumerFingerprints lists ${value.length} consumers; at most ${MAX_CONSUMERS}.`;
  }
  const retired = value.findIndex(isRetiredFingerprint);
  if (retired >= 0) {
    return (
      `consumerFingerprints[${retired}] is a version-1 fingerprint ("sfp1:…", one salt for every client), ` +
      "which is no longer accepted: upgrade the consumer's program to this version of the package and " +
      "export secretFingerprint(secret, clientId), salted with the rotated client's id."
    );
  }
  const bad = value.findIndex(
    (item) => !isUnknown(item) && item !== "" && !isFingerprint(item),
  );
  if (bad >= 0) {
    return (
      `consumerFingerprints[${bad}] is not a fingerprint: it must be a string "sfp2:…" that ` +
      "secretFingerprint(secret, clientId) computes in the consumer's program (or empty while the consumer " +
      "has none). Pass what the consumer exports, never the secret itself."
    );
  }
  return undefined;
}

/** What the next `pulumi up` does, from the stored state, the new inputs and the time. */
export function nextTransition(
  state: RotationState,
  inputs: AutopilotInputs & { promoted?: unknown },
  now: number,
): Transition {
  const window = windowOf(inputs);
  // A due or requested step outside the window waits for it to open; an overdue one is overdue still.
  const closedUntil = (): string | undefined => {
    if (!window || isInWindow(window, now)) return undefined;
    const opening = nextWindowOpening(window, now);
    return opening === undefined ? "" : new Date(opening).toISOString();
  };
  if (state.status === "pending") {
    const requested = inputs.promoted === true && state.promoted !== true;
    if (requested || reached(promoteDueAt(state, inputs), now)) {
      const until = closedUntil();
      if (until === undefined) return { kind: "promote", requested };
      if (isOverdue(state, inputs, now)) return { kind: "overdue" };
      return { kind: "wait", step: "promote", requested, until };
    }
    if (isOverdue(state, inputs, now)) return { kind: "overdue" };
    return { kind: "none" };
  }
  if (state.status === "promoted" && reached(rotateDueAt(state, inputs), now)) {
    const until = closedUntil();
    return until === undefined
      ? { kind: "rotate" }
      : { kind: "wait", step: "rotate", requested: false, until };
  }
  return { kind: "none" };
}

/**
 * How long a rotation may stay pending before every `up` fails: `maxPendingAge`, or, on a schedule without
 * one, `rotateEvery` (the rotation is then as old as the next one should be).
 */
export function effectiveMaxPendingAge(
  inputs: AutopilotInputs,
): string | undefined {
  return inputs.maxPendingAge ?? inputs.rotateEvery;
}

/** True when the rotation has been pending for {@link effectiveMaxPendingAge}. */
export function isOverdue(
  state: RotationState,
  inputs: AutopilotInputs,
  now: number,
): boolean {
  return (
    state.status === "pending" &&
    passed(state.startedAt, effectiveMaxPendingAge(inputs), now)
  );
}

/**
 * Since when the rotation is overdue, as `overdue: "warn"` records it: `startedAt` plus
 * {@link effectiveMaxPendingAge} once that has passed while it is pending; `""` otherwise, and always with
 * `overdue: "fail"` (whose `up` fails instead of recording anything).
 */
export function overdueSince(
  state: RotationState,
  inputs: AutopilotInputs,
  now: number,
): string {
  if (overdueMode(inputs) !== "warn" || !isOverdue(state, inputs, now)) {
    return "";
  }
  return after(state.startedAt, effectiveMaxPendingAge(inputs));
}

/**
 * Why the consumers block promotion, or undefined when every one reports the new secret's fingerprint
 * (or none is listed).
 */
export function consumerBlocker(
  inputs: AutopilotInputs,
  newFingerprint: string,
): string | undefined {
  const reported = inputs.consumerFingerprints ?? [];
  const behind = reported
    .map((fingerprint, i) => ({ fingerprint, consumer: i + 1 }))
    .filter(({ fingerprint }) => fingerprint !== newFingerprint);
  if (behind.length === 0) return undefined;
  const which = behind
    .map(({ fingerprint, consumer }) =>
      fingerprint === ""
        ? `consumer ${consumer} reports none`
        : `consumer ${consumer} reports ${fingerprint}`,
    )
    .join(", ");
  return (
    `consumers have not switched: ${which}, not the new secret's ${newFingerprint} ` +
    `(${behind.length} of ${reported.length} behind)`
  );
}

/** The schedule outputs of a rotation in `state` (its `startedAt`, `promotedAt`, status and client). */
export function scheduleOf(
  state: RotationState,
  inputs: AutopilotInputs,
): Pick<AutopilotOutputs, "promoteDueAt" | "rotateDueAt"> {
  return {
    promoteDueAt: state.status === "pending" ? promoteDueAt(state, inputs) : "",
    rotateDueAt: rotateDueAt(state, inputs),
  };
}

/** When `promoteAfter` makes the rotation due: that long after `startedAt`, moved into the window. */
function promoteDueAt(state: RotationState, inputs: AutopilotInputs): string {
  return intoWindow(after(state.startedAt, inputs.promoteAfter), inputs);
}

/**
 * When `rotateEvery` makes the next rotation due: a period after `startedAt` (at most half a period earlier,
 * spread by client id unless `spreadRotations: false`), but never sooner than `promoteAfter` after
 * `promotedAt`, so that consumers that switched late keep their new secret for a full overlap window; then
 * moved into the window. `""` without `rotateEvery`.
 */
function rotateDueAt(state: RotationState, inputs: AutopilotInputs): string {
  const start = state.startedAt ? Date.parse(state.startedAt) : NaN;
  const period = durationMs(inputs.rotateEvery);
  if (Number.isNaN(start) || period === undefined) return "";
  const byPeriod =
    inputs.spreadRotations !== false && typeof state.clientId === "string"
      ? spreadDueAt(state.clientId, start, period)
      : start + period;
  const settled = after(state.promotedAt, inputs.promoteAfter);
  const due = Math.max(byPeriod, settled === "" ? 0 : Date.parse(settled));
  return intoWindow(new Date(due).toISOString(), inputs);
}

/** A due time moved to the window's next opening (unchanged inside it, or without a window). */
function intoWindow(due: string, inputs: AutopilotInputs): string {
  const window = windowOf(inputs);
  if (due === "" || !window) return due;
  const opening = nextWindowOpening(window, Date.parse(due));
  return opening === undefined ? due : new Date(opening).toISOString();
}

/** `startedAt` plus `duration`, as ISO 8601 UTC; `""` when either is missing or unknown. */
function after(
  startedAt: string | undefined,
  duration: string | undefined,
): string {
  const start = startedAt ? Date.parse(startedAt) : NaN;
  const ms = durationMs(duration);
  if (Number.isNaN(start) || ms === undefined) return "";
  return new Date(start + ms).toISOString();
}

function passed(
  startedAt: string | undefined,
  duration: string | undefined,
  now: number,
): boolean {
  return reached(after(startedAt, duration), now);
}

/** True when the due time `due` (ISO 8601, or `""` for never) has come. */
function reached(due: string, now: number): boolean {
  return due !== "" && now >= Date.parse(due);
}
