/**
 * Exactly-once rotation steps on top of {@link StytchClient}.
 *
 * rotate/start, rotate and rotate/cancel are not idempotent, and Stytch has no idempotency keys. After a
 * failure that may have been applied (5xx, reset, timeout, lost answer) we never resend blindly: we read
 * the client and decide from `client_secret_last_four` / `next_client_secret_last_four`, the only
 * server-side record of which secret is which (STYTCH_API.md §6).
 */
import {
  RotationConflictError,
  isStytchErrorType,
  mayHaveBeenApplied,
  type StytchApiError,
} from "./errors";
import type { StytchClient } from "./stytch-client";
import {
  STYTCH_ERROR_TYPES,
  type ClientKind,
  type StytchClientRecord,
  type StytchClientWithNextClientSecret,
} from "./stytch-types";

/** Where a rotation stands at Stytch, seen from the resource that started it. */
export type RotationStatus =
  "pending" | "promoted" | "cancelled" | "superseded";

/** What identifies one rotation: the client, and the last four of its new and its previous secret. */
export interface RotationRef {
  kind: ClientKind;
  clientId: string;
  newLastFour: string;
  previousLastFour: string;
}

/** Receives one secret-free line for the operator. */
export type WarnFn = (message: string) => void;

// Each reconciliation round costs at most a few calls; a state that keeps changing under us after this
// many rounds means someone else is rotating the same client, and a human has to look.
const MAX_ROUNDS = 4;

/** Classifies a client's live state against the rotation we started. */
export function classifyRotation(
  client: StytchClientRecord,
  ref: RotationRef,
): RotationStatus {
  const current = client.client_secret_last_four ?? null;
  const next = client.next_client_secret_last_four ?? null;
  if (next === ref.newLastFour) return "pending";
  if (current === ref.newLastFour) return "promoted";
  if (next === null && current === ref.previousLastFour) return "cancelled";
  return "superseded";
}

/**
 * Starts a rotation and returns Stytch's answer with the new secret. Ends either with one pending
 * rotation whose secret we hold, or with an error and no rotation of ours pending.
 *
 * A rotation pending before we start is never cancelled: it may belong to someone else. The one case we
 * do cancel is a rotation that appeared because our own rotate/start was applied but its answer was
 * lost; nobody can hold that secret, and Stytch offers no other way to get a new one.
 *
 * @throws {@link RotationConflictError} when a rotation is already pending on the client.
 */
export async function startRotation(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  warn: WarnFn,
): Promise<StytchClientWithNextClientSecret> {
  let earlierAttemptMayHaveLanded = false;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      return await client.rotateStart(kind, clientId);
    } catch (error) {
      const alreadyRotating = isStytchErrorType(
        error,
        STYTCH_ERROR_TYPES.alreadyRotating[kind],
      );
      // Without an earlier ambiguous attempt of ours, a pending rotation was there before we came.
      if (alreadyRotating && !earlierAttemptMayHaveLanded) {
        throw await alreadyRotatingConflict(client, kind, clientId, error);
      }
      // A timed-out request can still be applied after we read the client, so "already rotating" after
      // an ambiguous attempt of ours is that attempt landing late: treated like a lost answer.
      if (!alreadyRotating && !mayHaveBeenApplied(error)) throw error;
      earlierAttemptMayHaveLanded = true;
      const now = await client.getClient(kind, clientId);
      const lostNext = now.next_client_secret_last_four ?? null;
      if (lostNext === null) continue; // not applied: starting again is safe
      warn(
        `Stytch applied rotate/start on ${clientId} but its answer was lost; cancelling that rotation ` +
          `(next secret ending ${lostNext}, never received by anyone) and starting again.`,
      );
      await cancelPendingRotation(client, kind, clientId, lostNext);
    }
  }
  throw new RotationConflictError(
    `Could not start a rotation on ${clientId}: its rotation state kept changing during ${MAX_ROUNDS} attempts. ` +
      `Check that no other process is rotating this client, then run \`pulumi up\` again.`,
  );
}

/**
 * Completes our rotation: the new secret becomes the client secret. Returns the client after completion.
 * Verifies first (one GET) unless the caller has just seen the rotation pending, because completing a
 * rotation that someone else replaced would promote a secret we do not hold and revoke the one in use.
 *
 * @throws {@link RotationConflictError} when our rotation is no longer pending (cancelled or superseded).
 */
export async function completeRotation(
  client: StytchClient,
  ref: RotationRef,
  knownPending: boolean,
): Promise<StytchClientRecord> {
  if (!knownPending) {
    const before = await client.getClient(ref.kind, ref.clientId);
    const status = classifyRotation(before, ref);
    if (status === "promoted") return before;
    if (status !== "pending")
      throw driftConflict(status, before, ref, "complete");
  }
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      const after = await client.rotate(ref.kind, ref.clientId);
      const status = classifyRotation(after, ref);
      if (status !== "promoted")
        throw driftConflict(status, after, ref, "complete");
      return after;
    } catch (error) {
      const ambiguous =
        mayHaveBeenApplied(error) ||
        isStytchErrorType(error, STYTCH_ERROR_TYPES.notRotating[ref.kind]);
      if (!ambiguous) throw error;
      const now = await client.getClient(ref.kind, ref.clientId);
      const status = classifyRotation(now, ref);
      if (status === "promoted") return now;
      if (status !== "pending")
        throw driftConflict(status, now, ref, "complete");
    }
  }
  throw new RotationConflictError(
    `Could not complete the rotation on ${ref.clientId} after ${MAX_ROUNDS} attempts; it is still pending ` +
      `(new secret ending ${ref.newLastFour}). Run \`pulumi up\` again.`,
  );
}

/** What {@link cancelRotation} found and did. */
export type CancelOutcome = "cancelled" | "not_pending" | "client_gone";

/**
 * Cancels our rotation if, and only if, it is still pending at Stytch. A rotation completed or replaced
 * outside Pulumi is left alone; a client that no longer exists is not an error.
 */
export async function cancelRotation(
  client: StytchClient,
  ref: RotationRef,
): Promise<CancelOutcome> {
  let before: StytchClientRecord;
  try {
    before = await client.getClient(ref.kind, ref.clientId);
  } catch (error) {
    if (isStytchErrorType(error, STYTCH_ERROR_TYPES.notFound[ref.kind]))
      return "client_gone";
    throw error;
  }
  if (classifyRotation(before, ref) !== "pending") return "not_pending";
  return cancelPendingRotation(client, ref.kind, ref.clientId, ref.newLastFour);
}

/** Cancels the rotation whose next secret ends in `expectedNextLastFour`, which the caller has just seen pending. */
async function cancelPendingRotation(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  expectedNextLastFour: string,
): Promise<CancelOutcome> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      await client.rotateCancel(kind, clientId);
      return "cancelled";
    } catch (error) {
      if (isStytchErrorType(error, STYTCH_ERROR_TYPES.notFound[kind]))
        return "client_gone";
      const ambiguous =
        mayHaveBeenApplied(error) ||
        isStytchErrorType(error, STYTCH_ERROR_TYPES.notRotating[kind]);
      if (!ambiguous) throw error;
      let now: StytchClientRecord;
      try {
        now = await client.getClient(kind, clientId);
      } catch (readError) {
        if (isStytchErrorType(readError, STYTCH_ERROR_TYPES.notFound[kind]))
          return "client_gone";
        throw readError;
      }
      if ((now.next_client_secret_last_four ?? null) !== expectedNextLastFour)
        return "cancelled";
    }
  }
  throw new RotationConflictError(
    `Could not cancel the pending rotation on ${clientId} (next secret ending ${expectedNextLastFour}) ` +
      `after ${MAX_ROUNDS} attempts. Run the command again, or cancel it in the Stytch dashboard.`,
  );
}

async function alreadyRotatingConflict(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  cause: StytchApiError,
): Promise<RotationConflictError> {
  // Naming the pending secret's last four helps the operator find who started it; the read is best effort.
  const pending = await client.getClient(kind, clientId).then(
    (c) => c.next_client_secret_last_four ?? null,
    () => null,
  );
  const which = pending ? ` (next secret ending ${pending})` : "";
  return new RotationConflictError(
    `Client ${clientId} already has a pending secret rotation${which} that this stack did not start ` +
      `(request_id ${cause.requestId || "none"}). It is left untouched because someone may hold its secret. ` +
      `Finish or cancel that rotation (Stytch dashboard, or POST /v1/${kind === "m2m" ? "m2m" : "connected_apps"}` +
      `/clients/${encodeURIComponent(clientId)}/secrets/rotate/cancel), then run \`pulumi up\` again.`,
  );
}

function driftConflict(
  status: RotationStatus,
  client: StytchClientRecord,
  ref: RotationRef,
  action: "complete",
): RotationConflictError {
  const current = client.client_secret_last_four ?? "none";
  const next = client.next_client_secret_last_four ?? "none";
  const what =
    status === "cancelled"
      ? "was cancelled outside Pulumi, so its new secret no longer works"
      : `was replaced outside Pulumi (current secret ends ${current}, pending next secret ends ${next})`;
  return new RotationConflictError(
    `Cannot ${action} the rotation of ${ref.clientId}: the rotation this stack started (new secret ending ` +
      `${ref.newLastFour}) ${what}. Nothing was changed at Stytch. Run \`pulumi refresh\` and then ` +
      `\`pulumi up\` to start a fresh rotation.`,
  );
}
