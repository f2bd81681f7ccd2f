/**
 * Exactly-once rotation steps on top of {@link StytchClient}.
 *
 * rotate/start, rotate and rotate/cancel are not idempotent, and Stytch has no idempotency keys. After a
 * failure that may have been applied (5xx, reset, timeout, lost answer) we never resend blindly: we read
 * the client and decide from `client_secret_last_four` / `next_client_secret_last_four`, the only
 * server-side record of which secret is which (docs/stytch-api.md, "Rotation").
 */
import {
  RotationConflictError,
  describeFailure,
  isStytchErrorType,
  isStytchRequestError,
  mayHaveBeenApplied,
} from "./errors";
import {
  authorizeCommand,
  authorizesCancel,
  revokeCommand,
  ORPHAN_AUTHORIZATION_KEY,
  type OrphanAuthorizations,
} from "./orphaned-rotation";
import { shownClientId } from "./printable";
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

/** What {@link startRotation} needs besides the client. */
export interface StartOptions {
  warn: WarnFn;
  /** Pending rotations this stack may cancel although it does not hold their secret (see `orphaned-rotation.ts`). */
  orphans: OrphanAuthorizations;
  /**
   * An emergency rotation's name for the secret it revokes: the last four characters that the client's
   * current secret must end in. Anything else (the current secret is already another one, e.g. after an
   * earlier emergency) is refused before any change.
   */
  revokes?: string;
}

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
 * rotation whose secret we hold, or with an error and no rotation of ours pending (as far as Stytch
 * lets us know: see the messages).
 *
 * A rotation pending before we start is never cancelled unless the stack config names exactly that
 * rotation (`options.orphans`): it may belong to someone else. That is why the client is read first: only
 * against that snapshot can a rotation that shows up after an ambiguous failure be told apart as our own
 * rotate/start, applied but with its answer lost. Nobody can hold that secret, and Stytch offers no other
 * way to get a new one, so that one is cancelled and started again.
 *
 * @throws {@link RotationConflictError} when a rotation is already pending on the client.
 */
export async function startRotation(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  options: StartOptions,
): Promise<StytchClientWithNextClientSecret> {
  const { warn, orphans } = options;
  const who = shownClientId(clientId);
  let before = await client.getClient(kind, clientId);
  if (
    options.revokes !== undefined &&
    (before.client_secret_last_four ?? null) !== options.revokes
  ) {
    throw staleEmergencyConflict(
      who,
      options.revokes,
      before.client_secret_last_four ?? "none",
    );
  }
  const pendingBefore = before.next_client_secret_last_four ?? null;
  const authorized = orphans.get(clientId);
  if (pendingBefore !== null) {
    if (!authorizesCancel(orphans, clientId, pendingBefore)) {
      throw unheldRotationConflict(clientId, pendingBefore, orphans);
    }
    before = await cancelOrphan(client, kind, clientId, pendingBefore, warn);
  } else if (authorized !== undefined) {
    warn(
      `${ORPHAN_AUTHORIZATION_KEY} still names a rotation on ${who} (next secret ending ` +
        `${authorized}), but none is pending there; remove it with \`${revokeCommand(clientId)}\`.`,
    );
  }
  let lastFailure: unknown;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      return await client.rotateStart(kind, clientId);
    } catch (error) {
      const alreadyRotating = isStytchErrorType(
        error,
        STYTCH_ERROR_TYPES.alreadyRotating[kind],
      );
      // Nothing was pending when we read, and no attempt of ours is in doubt yet: someone else started
      // one in between.
      if (alreadyRotating && lastFailure === undefined) {
        const now = await client.getClient(kind, clientId).catch(() => before);
        throw racingRotationConflict(
          who,
          now.next_client_secret_last_four ?? "unknown",
        );
      }
      // A timed-out request can still be applied after we read the client, so "already rotating" after
      // an ambiguous attempt of ours is that attempt landing late: treated like a lost answer.
      if (!alreadyRotating && !mayHaveBeenApplied(error)) throw error;
      lastFailure = error;
      let lostNext: string | null;
      try {
        // A start that timed out may still land. Where Stytch replaces a pending rotation on rotate/start
        // (its documentation does not say whether it refuses or replaces), a late one would replace the
        // rotation we start next, and with it the secret we hand out; so it gets time to land first.
        const now = isTimeout(error)
          ? await awaitLateLanding(
              client,
              kind,
              clientId,
              (now) => (now.next_client_secret_last_four ?? null) !== null,
            )
          : await client.getClient(kind, clientId);
        if (now === undefined) throw lastFailure;
        lostNext = now.next_client_secret_last_four ?? null;
      } catch (readError) {
        if (readError === lastFailure) throw readError;
        throw startInDoubt(who, error, readError);
      }
      if (lostNext === null) continue; // not applied: starting again is safe
      warn(
        `Stytch applied rotate/start on ${who} but its answer was lost or unusable; cancelling that ` +
          `rotation (next secret ending ${lostNext}, never received by anyone) and starting again.`,
      );
      const outcome = await cancelPendingRotation(
        client,
        kind,
        clientId,
        lostNext,
      );
      if (outcome === "client_gone") throw lastFailure;
      if (outcome === "promoted") {
        throw new RotationConflictError(
          `The rotation on ${who} whose rotate/start answer was lost (next secret ending ${lostNext}) ` +
            "was completed by someone else before it could be cancelled: its secret, which nobody holds, is " +
            "now the client secret. Run `pulumi up` again to start a fresh rotation, hand its secret to the " +
            "client's consumers, and promote it.",
        );
      }
    }
  }
  throw new RotationConflictError(
    `Could not start a rotation on ${who} in ${MAX_ROUNDS} attempts; the last failure: ` +
      `${describeFailure(lastFailure)} The last attempt may still be applied by Stytch later, and nobody ` +
      `would hold its secret. ${AFTER_A_LOST_START}`,
  );
}

/**
 * Cancels the pending rotation that the stack config names as orphaned, and returns the client as it is
 * then: the snapshot the new start is judged against.
 */
async function cancelOrphan(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  nextLastFour: string,
  warn: WarnFn,
): Promise<StytchClientRecord> {
  const outcome = await cancelPendingRotation(
    client,
    kind,
    clientId,
    nextLastFour,
  );
  if (outcome === "promoted") {
    throw new RotationConflictError(
      `The orphaned rotation on ${shownClientId(clientId)} (next secret ending ${nextLastFour}) that ${ORPHAN_AUTHORIZATION_KEY} ` +
        "names was completed by someone before this stack could cancel it, so its secret is the client secret " +
        `now; nothing else was changed. Remove the authorization with \`${revokeCommand(clientId)}\` and run ` +
        "`pulumi up` again: it starts a fresh rotation to hand to the client's consumers.",
    );
  }
  const after = await client.getClient(kind, clientId);
  warn(
    `Cancelled the orphaned rotation on ${shownClientId(clientId)} (next secret ending ${nextLastFour}), as ` +
      `${ORPHAN_AUTHORIZATION_KEY} authorizes, and starting a new one. The authorization is spent; remove it ` +
      `with \`${revokeCommand(clientId)}\`.`,
  );
  return after;
}

/**
 * Reads the client: is the rotation we started still pending, or already promoted (here, or by a complete
 * of ours that landed unseen)? One GET. Anything else means someone cancelled or replaced it.
 *
 * @throws {@link RotationConflictError} when our rotation was cancelled or superseded; nothing is changed.
 */
export async function confirmRotation(
  client: StytchClient,
  ref: RotationRef,
): Promise<"pending" | "promoted"> {
  const now = await client.getClient(ref.kind, ref.clientId);
  const status = classifyRotation(now, ref);
  if (status === "pending" || status === "promoted") return status;
  throw driftConflict(status, now, ref, "complete");
}

/**
 * Completes our rotation: the new secret becomes the client secret.
 * Verifies first (one GET) unless the caller has just seen the rotation pending, because completing a
 * rotation that someone else replaced would promote a secret we do not hold and revoke the one in use.
 *
 * @throws {@link RotationConflictError} when our rotation is no longer pending (cancelled or superseded).
 */
export async function completeRotation(
  client: StytchClient,
  ref: RotationRef,
  knownPending: boolean,
): Promise<void> {
  if (!knownPending && (await confirmRotation(client, ref)) === "promoted") {
    return;
  }
  let lastFailure: unknown;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    try {
      const after = await client.rotate(ref.kind, ref.clientId);
      const status = classifyRotation(after, ref);
      if (status !== "promoted")
        throw driftConflict(status, after, ref, "complete");
      return;
    } catch (error) {
      const ambiguous =
        mayHaveBeenApplied(error) ||
        isStytchErrorType(error, STYTCH_ERROR_TYPES.notRotating[ref.kind]);
      if (!ambiguous) throw error;
      lastFailure = error;
      const now = await client.getClient(ref.kind, ref.clientId);
      const status = classifyRotation(now, ref);
      if (status === "promoted") return;
      if (status !== "pending")
        throw driftConflict(status, now, ref, "complete");
    }
  }
  throw new RotationConflictError(
    `Could not complete the rotation on ${shownClientId(ref.clientId)} in ${MAX_ROUNDS} attempts; it is still pending ` +
      `(new secret ending ${ref.newLastFour}). The last failure: ${describeFailure(lastFailure)} Run ` +
      "`pulumi up` again.",
  );
}

/**
 * What {@link cancelRotation} found and did: `promoted` means the rotation was completed (outside Pulumi,
 * or by a late-landing complete of ours) before it could be cancelled.
 */
export type CancelOutcome =
  "cancelled" | "promoted" | "not_pending" | "client_gone";

/**
 * Cancels our rotation if, and only if, it is still pending at Stytch. A rotation completed or replaced
 * outside Pulumi is left alone; a client that no longer exists is not an error.
 */
export async function cancelRotation(
  client: StytchClient,
  ref: RotationRef,
): Promise<CancelOutcome> {
  const before = await readUnlessGone(client, ref.kind, ref.clientId);
  if (before === undefined) return "client_gone";
  const status = classifyRotation(before, ref);
  if (status === "promoted") return "promoted";
  if (status !== "pending") return "not_pending";
  return cancelPendingRotation(client, ref.kind, ref.clientId, ref.newLastFour);
}

/** Cancels the rotation whose next secret ends in `expectedNextLastFour`, which the caller has just seen pending. */
async function cancelPendingRotation(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  expectedNextLastFour: string,
): Promise<CancelOutcome> {
  let lastFailure: unknown;
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
      lastFailure = error;
      // A cancel that timed out may still be applied by Stytch. Sending another at once could let the
      // first one land after our next rotate/start and cancel that rotation instead, so it gets time to.
      const now = isTimeout(error)
        ? await awaitLateLanding(
            client,
            kind,
            clientId,
            (now) =>
              (now.next_client_secret_last_four ?? null) !==
              expectedNextLastFour,
          )
        : await readUnlessGone(client, kind, clientId);
      if (now === undefined) return "client_gone";
      if ((now.next_client_secret_last_four ?? null) !== expectedNextLastFour)
        return now.client_secret_last_four === expectedNextLastFour
          ? "promoted"
          : "cancelled";
    }
  }
  throw new RotationConflictError(
    `Could not cancel the pending rotation on ${shownClientId(clientId)} (next secret ending ${expectedNextLastFour}) ` +
      `in ${MAX_ROUNDS} attempts; the last failure: ${describeFailure(lastFailure)} Run the command again.`,
  );
}

/** The client, or undefined when Stytch says it does not exist. */
async function readUnlessGone(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
): Promise<StytchClientRecord | undefined> {
  try {
    return await client.getClient(kind, clientId);
  } catch (error) {
    if (isStytchErrorType(error, STYTCH_ERROR_TYPES.notFound[kind]))
      return undefined;
    throw error;
  }
}

/**
 * Reads the client until `landed` says a request that timed out has landed (or the client is gone), or
 * until twice the request deadline has passed: the time we allow such a request to still reach Stytch.
 */
async function awaitLateLanding(
  client: StytchClient,
  kind: ClientKind,
  clientId: string,
  landed: (now: StytchClientRecord) => boolean,
): Promise<StytchClientRecord | undefined> {
  const graceMs = 2 * client.requestTimeoutMs;
  let waitedMs = 0;
  let pauseMs = 500;
  for (;;) {
    const now = await readUnlessGone(client, kind, clientId);
    if (now === undefined || landed(now) || waitedMs >= graceMs) return now;
    const stepMs = Math.min(pauseMs, graceMs - waitedMs);
    await client.pause(stepMs);
    waitedMs += stepMs;
    pauseMs = Math.min(pauseMs * 2, 5_000);
  }
}

function isTimeout(error: unknown): boolean {
  return isStytchRequestError(error) && error.code === "timeout";
}

// What to do after a start whose outcome nobody saw: the next `up` finds the rotation, if it landed, and
// prints the one command that lets this stack cancel exactly it.
const AFTER_A_LOST_START =
  "Run `pulumi up` again: if it then finds a rotation pending on this client that this stack does not " +
  "hold, it prints the one command that authorizes cancelling exactly that rotation.";

/** rotate/start failed ambiguously and the client could not be read to find out whether it was applied. */
function startInDoubt(
  who: string,
  startFailure: unknown,
  readFailure: unknown,
): RotationConflictError {
  return new RotationConflictError(
    `rotate/start on ${who} failed in a way that may still have been applied (${describeFailure(startFailure)}) ` +
      `and reading the client to find out failed too (${describeFailure(readFailure)}) ${AFTER_A_LOST_START}`,
  );
}

/**
 * A rotation was pending before this stack started one: someone else's, or one that an interrupted run
 * of this stack started and never received the secret of. Only the person on call can tell, so the
 * message prints the command that authorizes cancelling exactly it.
 */
function unheldRotationConflict(
  clientId: string,
  pendingNextLastFour: string,
  orphans: OrphanAuthorizations,
): RotationConflictError {
  const stale = orphans.get(clientId);
  const staleNote =
    stale === undefined
      ? ""
      : ` (${ORPHAN_AUTHORIZATION_KEY} names a rotation ending ${stale} on this client, not this one, so it was not used.)`;
  return new RotationConflictError(
    `Client ${shownClientId(clientId)} already has a pending secret rotation (next secret ending ` +
      `${pendingNextLastFour}) that this stack does not hold, so it cannot start its own; nothing was changed ` +
      `at Stytch.${staleNote} Whose is it? If it is this stack's own rotation under another name (a resource ` +
      "renamed or moved into a component without `aliases`, or removed with pulumi state delete), its " +
      "consumers may hold its secret: keep it, and add `aliases` naming the old resource instead. If someone " +
      "else started it, someone may hold its secret: let them finish or cancel it, then run `pulumi up` again. " +
      "Only if an earlier `pulumi up` of this stack was interrupted (a killed runner, a timeout) after it " +
      "started that rotation, nobody holds its secret: then authorize this stack to cancel exactly that " +
      "rotation and start its own on the next `pulumi up` with " +
      `\`${authorizeCommand(clientId, pendingNextLastFour)}\` (add --stack <name> if this stack is not the ` +
      "selected one).",
  );
}

/**
 * An emergency rotation names a secret (by its last four) that is not the client's current one: it has
 * been revoked already (by this very emergency, before a rename made the resource new again), or it was
 * never this client's. Nothing is started.
 */
function staleEmergencyConflict(
  who: string,
  named: string,
  current: string,
): RotationConflictError {
  return new RotationConflictError(
    `The emergency rotation of ${who} names the secret ending ${named} (emergencyRevokeSecretEnding) to ` +
      `revoke, but the client's current secret ends ${current}; nothing was changed at Stytch. The named ` +
      "secret was probably revoked already, by an earlier emergency rotation of this resource under another " +
      "name (a rename or a move without `aliases`, a new stack, pulumi state delete). Add `aliases` if the " +
      "resource was renamed or moved; otherwise remove emergencyRevokeSecretEnding and set promoted: false. " +
      "For a new emergency, name the current secret's last four.",
  );
}

/** Someone started a rotation between our read of the client and our rotate/start. */
function racingRotationConflict(
  who: string,
  pendingNextLastFour: string,
): RotationConflictError {
  return new RotationConflictError(
    `Someone else started a secret rotation on ${who} (next secret ending ${pendingNextLastFour}) while ` +
      "this stack was starting its own; nothing was changed at Stytch. Someone may hold its secret, so it is " +
      "left alone: let them finish or cancel it, then run `pulumi up` again.",
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
    `Cannot ${action} the rotation of ${shownClientId(ref.clientId)}: the rotation this stack started (new secret ending ` +
      `${ref.newLastFour}) ${what}. Nothing was changed at Stytch. Run \`pulumi refresh\` and then ` +
      `\`pulumi up\` to start a fresh rotation.`,
  );
}
