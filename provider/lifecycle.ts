/**
 * What each lifecycle method of {@link ClientSecretRotationProvider} does, as plain functions.
 *
 * They live in their own module so that the serialized provider stays small: Pulumi stores the provider
 * object in the state (`__provider`, once per resource, in both inputs and outputs) and serializes its
 * methods' code by value, but captures a module of an installed package as a `require` of it. The
 * provider's methods are one-line calls into this module, so the state holds those lines plus
 * `require("pulumi-stytch-client-secret-rotation/dist/provider/lifecycle.js")`, and every deploy runs
 * the installed version's logic.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { resolveConnection } from "./credentials";
import {
  ConfigurationError,
  RotationConflictError,
  describeFailure,
  isStytchErrorType,
} from "./errors";
import { replacingChanges } from "./inputs";
import { parseOrphanAuthorizations } from "./orphaned-rotation";
import {
  cancelRotation,
  classifyRotation,
  completeRotation,
  startRotation,
  type RotationRef,
  type RotationStatus,
} from "./rotation";
import { StytchClient } from "./stytch-client";
import { STYTCH_ERROR_TYPES } from "./stytch-types";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  ProviderSettings,
} from "./types";

export { checkInputs } from "./inputs";

/** A rotation's Stytch client, with credentials resolved now: never stored, never serialized. */
function stytchFor(settings: ProviderSettings): StytchClient {
  return new StytchClient({ connection: resolveConnection(settings) });
}

/** `create`: starts a rotation; completes it at once when `promoted` is already true (emergency rotation). */
export async function createRotation(
  settings: ProviderSettings,
  inputs: ClientSecretRotationInputs,
): Promise<dynamic.CreateResult<ClientSecretRotationOutputs>> {
  // A malformed authorization fails here, before any call to Stytch.
  const orphans = parseOrphanAuthorizations(settings.cancelOrphanedRotation);
  const client = stytchFor(settings);
  const started = await startRotation(
    client,
    inputs.clientKind,
    inputs.clientId,
    { warn, orphans },
  );
  const outs: ClientSecretRotationOutputs = {
    ...echoInputs(inputs),
    status: "pending",
    newClientSecret: started.next_client_secret,
    newClientSecretLastFour:
      started.next_client_secret_last_four ??
      started.next_client_secret.slice(-4),
    previousClientSecretLastFour: started.client_secret_last_four ?? "",
  };
  if (inputs.promoted) {
    await completeEmergencyRotation(client, rotationRef(outs));
    outs.status = "promoted";
  }
  return { id: `${inputs.clientId}:${outs.newClientSecretLastFour}`, outs };
}

/** `read` (refresh): compares Stytch's last-four fields with ours. Never fabricates a secret. */
export async function readRotation(
  settings: ProviderSettings,
  id: string,
  props?: ClientSecretRotationOutputs,
): Promise<dynamic.ReadResult<ClientSecretRotationOutputs>> {
  if (
    !props ||
    typeof props.newClientSecretLastFour !== "string" ||
    !props.clientId
  ) {
    throw new ConfigurationError(
      `ClientSecretRotation "${id}" cannot be imported or read without its state: the new secret is only ` +
        `visible when a rotation starts. Add the resource to your program and run \`pulumi up\` instead.`,
    );
  }
  const ref = rotationRef(props);
  let status: RotationStatus;
  try {
    status = classifyRotation(
      await stytchFor(settings).getClient(ref.kind, ref.clientId),
      ref,
    );
  } catch (error) {
    // Only Stytch's own "not found" counts: a wrong base URL or a proxy answers 404 too, and reading that
    // as "gone" would drop the rotation, and its secret, from the state.
    if (isStytchErrorType(error, STYTCH_ERROR_TYPES.notFound[ref.kind])) {
      // The client is gone, and with it every secret: the resource no longer exists.
      return { id: "" };
    }
    throw error;
  }
  return { id, props: { ...props, status } };
}

/** `update`: completes the rotation (`promoted` false → true); returns the full outputs, new secret included. */
export async function updateRotation(
  settings: ProviderSettings,
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): Promise<dynamic.UpdateResult<ClientSecretRotationOutputs>> {
  if (isLost(olds.status)) throw startOverConflict(olds);
  const outs: ClientSecretRotationOutputs = { ...olds, ...echoInputs(news) };
  // Already promoted (here or outside Pulumi, as seen by refresh): nothing left to do at Stytch.
  if (!news.promoted || olds.status === "promoted") {
    return { outs: { ...outs, status: olds.status } };
  }
  await completeRotation(stytchFor(settings), rotationRef(olds), false);
  return { outs: { ...outs, status: "promoted" } };
}

/** `delete`: cancels the rotation if it is still pending and still ours; a promoted one needs no call. */
export async function deleteRotation(
  settings: ProviderSettings,
  props: ClientSecretRotationOutputs,
): Promise<void> {
  if (props.status !== "pending") return;
  const outcome = await cancelRotation(stytchFor(settings), rotationRef(props));
  if (outcome === "not_pending") {
    warn(
      `The rotation of ${props.clientId} (new secret ending ${props.newClientSecretLastFour}) was no longer ` +
        `pending at Stytch, so nothing was cancelled.`,
    );
  }
}

/** Whether refresh found the rotation gone at Stytch (see {@link RotationStatus}). */
function isLost(status: RotationStatus): boolean {
  return status === "cancelled" || status === "superseded";
}

/** Refuses to turn a lost rotation with `promoted: true` into a start-and-complete. */
function startOverConflict(
  olds: ClientSecretRotationOutputs,
): RotationConflictError {
  return new RotationConflictError(
    `The rotation of ${olds.clientId} that this stack started (new secret ending ` +
      `${olds.newClientSecretLastFour}) was ${olds.status} outside Pulumi, as \`pulumi refresh\` found. ` +
      "Starting over with promoted: true would complete a new rotation at once and revoke the secret the " +
      "client uses now. Nothing was changed at Stytch. Change triggers and set promoted: false in the same " +
      "commit to start a fresh two-phase rotation.",
  );
}

/** Secret-free operator messages go to stderr, which the Pulumi host shows with the resource. */
function warn(message: string): void {
  console.warn(`[ClientSecretRotation] ${message}`);
}

function echoInputs(
  inputs: ClientSecretRotationInputs,
): ClientSecretRotationInputs {
  return {
    clientId: inputs.clientId,
    clientKind: inputs.clientKind,
    promoted: inputs.promoted,
    triggers: inputs.triggers ?? {},
  };
}

function rotationRef(outs: ClientSecretRotationOutputs): RotationRef {
  return {
    kind: outs.clientKind,
    clientId: outs.clientId,
    newLastFour: outs.newClientSecretLastFour,
    previousLastFour: outs.previousClientSecretLastFour,
  };
}

/**
 * Completes a rotation started in the same `create`. If that fails, the rotation is cancelled so that the
 * next `pulumi up` can start cleanly: nobody can hold its secret yet, because create never returned it.
 * If the cancel finds the rotation completed after all, that is success.
 */
async function completeEmergencyRotation(
  client: StytchClient,
  ref: RotationRef,
): Promise<void> {
  try {
    await completeRotation(client, ref, true);
  } catch (error) {
    let cleanup: string;
    try {
      const outcome = await cancelRotation(client, ref);
      // The complete landed after all (late, or its answer was lost): the rotation did what was asked,
      // and failing now would drop the one secret that works.
      if (outcome === "promoted") return;
      cleanup =
        outcome === "cancelled"
          ? "The pending rotation was cancelled; the old secret is still the only valid one."
          : "No rotation of ours is left pending.";
    } catch (cancelError) {
      cleanup =
        `Cancelling it failed too (${describeFailure(cancelError)}); a rotation with next secret ending ${ref.newLastFour} ` +
        "may still be pending, and nobody holds its secret: the next `pulumi up` finds it and prints the one " +
        "command that authorizes cancelling it.";
    }
    throw new RotationConflictError(
      `Emergency rotation of ${ref.clientId}: started, but completing it failed: ${describeFailure(error)} ${cleanup} ` +
        `Run \`pulumi up\` again.`,
    );
  }
}

/** `diff`: no-op, update (promotion) or replacement; makes no call to Stytch. */
export function diffRotation(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): dynamic.DiffResult {
  // An input that is unknown during preview may change: the plan shows the replacement it would cause.
  const changed = replacingChanges(olds, news);
  const replaces: string[] = [...changed.known, ...changed.may];
  if (isLost(olds.status)) {
    // Refresh found our rotation dead; the way back to a working rotation is to start a new one. With
    // promoted: true that new rotation would be completed at once, so it becomes an update instead, which
    // refuses with directions. Not thrown here: the engine also diffs during `pulumi refresh`.
    if (news.promoted === true && replaces.length === 0) {
      return { changes: true, replaces: [], deleteBeforeReplace: false };
    }
    replaces.push("status");
  }
  const changes = replaces.length > 0 || news.promoted !== olds.promoted;
  const sameClient =
    !replaces.includes("clientId") && !replaces.includes("clientKind");
  return {
    changes,
    replaces,
    // On the same client, a pending old rotation blocks the new rotate/start (already_rotating), so the
    // old one must be cancelled first. A promoted old one's delete makes no call, so the default
    // create-before-delete is safe there, and on another client the two never interact. The delete
    // itself also only ever cancels the rotation whose last four it recorded, never a newer one.
    deleteBeforeReplace:
      replaces.length > 0 && sameClient && olds.status === "pending",
  };
}
