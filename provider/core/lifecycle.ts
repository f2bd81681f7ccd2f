/**
 * What check, diff, create, read, update and delete do to a rotation, as plain functions of plain values:
 * the orchestrator that reads like the README's lifecycle table, and the one both front-ends call (the
 * dynamic provider in `../dynamic`, the native plugin in `../native`). The decisions live in their own
 * modules: `inputs.ts` (check, and which changes replace), `revocation.ts` (which revoking calls are
 * allowed), `autopilot.ts` (the schedule and the promotion gates), `rotation.ts` (exactly-once start /
 * complete / cancel), `orphaned-rotation.ts` (recovery).
 *
 * The exports' names and signatures are a public contract: old states reach them through
 * `../lifecycle.ts` (see there).
 */
import {
  consumerBlocker,
  effectiveMaxPendingAge,
  isOverdue,
  nextTransition,
  overdueMode,
  overdueSince,
  scheduleOf,
  usesAutopilot,
  verifiesBeforePromote,
  type AutopilotOutputs,
  type Transition,
} from "./autopilot";
import { rotationNow } from "./clock";
import {
  assertNoEndpointHoldsPendingSecret,
  endpointBlocker,
  pendingFingerprint,
} from "./consumer-endpoints";
import { resolveConnection, settingValue } from "./credentials";
import { deliverEvents, resolveEventSink } from "./event-delivery";
import {
  ConfigurationError,
  RotationConflictError,
  RotationOverdueError,
  describeFailure,
  isStytchErrorType,
} from "./errors";
import { isUnknown } from "./engine-values";
import { fingerprintOf, isFingerprint } from "./fingerprint";
import { IN_PLACE_INPUTS, inputChanges, replacingChanges } from "./inputs";
import {
  parseOrphanAuthorizations,
  type OrphanAuthorizations,
} from "./orphaned-rotation";
import { shownClientId } from "./printable";
import {
  assertNoConsumerHoldsPendingSecret,
  newResourcePromotionProblem,
} from "./revocation";
import {
  cancelledEvent,
  cloudEventOf,
  failureEvent,
  transitionEvents,
  type RotationEvent,
  type RotationFacts,
} from "./rotation-events";
import {
  cancelRotation,
  classifyRotation,
  completeRotation,
  confirmRotation,
  startRotation,
  type RotationRef,
  type RotationStatus,
} from "./rotation";
import { StytchClient } from "./stytch-client";
import {
  STYTCH_ERROR_TYPES,
  type StytchClientWithNextClientSecret,
} from "./stytch-types";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  Created,
  DiffOutcome,
  ProviderSettings,
  ReadOutcome,
  Updated,
} from "./types";

export { checkInputs } from "./inputs";

/** A rotation's Stytch client, with credentials resolved now: never stored, never serialized. */
function stytchFor(settings: ProviderSettings): StytchClient {
  return new StytchClient({ connection: resolveConnection(settings) });
}

/**
 * `create`: starts a rotation. With `promoted: true` (which `check` allows on a new resource only together
 * with the emergency input naming the current secret), completes it at once: an emergency rotation.
 */
export async function createRotation(
  settings: ProviderSettings,
  inputs: ClientSecretRotationInputs,
): Promise<Created> {
  // `check` refuses this; repeated here because nothing else may stand between a create and a revocation.
  const problem = newResourcePromotionProblem(
    inputs.promoted,
    inputs.emergencyRevokeSecretEnding,
  );
  if (problem) throw new ConfigurationError(problem);
  const now = rotationNow(settings, warn);
  return reported(
    settings,
    inputs,
    now,
    async () => {
      const client = stytchFor(settings);
      const started = await start(
        client,
        settings,
        inputs,
        inputs.promoted ? inputs.emergencyRevokeSecretEnding : undefined,
      );
      let outs = startedOutputs(inputs, started, now);
      if (inputs.promoted) {
        outs = usesAutopilot(inputs)
          ? await promote(client, outs, inputs, {
              justStarted: true,
              requested: true,
              now,
            })
          : await completeEmergencyRotation(client, outs, now);
      }
      return { id: `${inputs.clientId}:${outs.newClientSecretLastFour}`, outs };
    },
    (created) => transitionEvents(undefined, created.outs, now),
  );
}

/** `read` (refresh): compares Stytch's last-four fields with ours. Never fabricates a secret. */
export async function readRotation(
  settings: ProviderSettings,
  id: string,
  props?: ClientSecretRotationOutputs,
): Promise<ReadOutcome> {
  if (
    !props ||
    typeof props.newClientSecretLastFour !== "string" ||
    !props.clientId
  ) {
    throw new ConfigurationError(
      "A ClientSecretRotation cannot be imported or read without its state: the new secret is only " +
        "visible when a rotation starts. Add the resource to your program and run `pulumi up` instead.",
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
  // Only a rotation with autopilot inputs has a schedule; every rotation has startedAt (the audit time).
  const schedule =
    props.startedAt === undefined || !usesAutopilot(props)
      ? {}
      : scheduleOf({ ...props, status }, props);
  return { id, props: { ...props, ...schedule, status } };
}

/**
 * `update`: whatever {@link nextTransition} says is due: promote (a manual request or the schedule, through
 * the gates), start the next scheduled rotation, wait for the rotation window, or report an overdue one
 * (failing the `up`, or warning with `overdue: "warn"`). Always returns the full outputs, new secret
 * included.
 */
export async function updateRotation(
  settings: ProviderSettings,
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): Promise<Updated> {
  const now = rotationNow(settings, warn);
  return reported(
    settings,
    olds,
    now,
    async () => {
      if (isLost(olds.status)) throw startOverConflict(olds);
      const outs = carriedOver(olds, news, now);
      const transition = nextTransition(olds, news, now);
      switch (transition.kind) {
        case "none":
          return { outs };
        case "promote":
          return {
            outs: await promote(stytchFor(settings), outs, news, {
              justStarted: false,
              requested: transition.requested,
              now,
            }),
          };
        case "rotate": {
          const client = stytchFor(settings);
          return {
            outs: startedOutputs(
              news,
              await start(client, settings, news),
              now,
            ),
          };
        }
        case "wait":
          return { outs: waitingForWindow(olds, outs, news, transition) };
        case "overdue":
          return { outs: overdueOutcome(outs, news, "nobody promoted it") };
      }
    },
    (updated) => transitionEvents(olds, updated.outs, now),
  );
}

/**
 * `delete`: cancels the rotation if it is still pending and still ours, and no consumer reports holding its
 * secret; a promoted one needs no call.
 */
export async function deleteRotation(
  settings: ProviderSettings,
  props: ClientSecretRotationOutputs,
): Promise<void> {
  if (props.status !== "pending") return;
  const now = rotationNow(settings, warn);
  await reported(
    settings,
    props,
    now,
    async () => {
      assertNoConsumerHoldsPendingSecret(
        props,
        [props.consumerFingerprints],
        "delete",
      );
      // Running consumers are asked here, at apply time, not in `diff`: a preview makes no request to them.
      await assertNoEndpointHoldsPendingSecret(props);
      const outcome = await cancelRotation(
        stytchFor(settings),
        rotationRef(props),
      );
      if (outcome === "not_pending") {
        warn(
          `The rotation of ${shownClientId(props.clientId)} (new secret ending ${props.newClientSecretLastFour}) ` +
            "was no longer pending at Stytch, so nothing was cancelled.",
        );
      }
      return outcome;
    },
    (outcome) => (outcome === "cancelled" ? [cancelledEvent(props, now)] : []),
  );
}

/**
 * `diff`: no-op, update (a promotion, a scheduled rotation, a policy change) or replacement; makes no call
 * to Stytch, so a scheduled `up` with nothing due costs none. `settings` only decide the clock (see
 * `clock.ts`); states that call it without them get the real one.
 */
export function diffRotation(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
  settings: ProviderSettings = {},
): DiffOutcome {
  // An input that is unknown during preview may change: the plan shows the replacement it would cause.
  const changed = replacingChanges(olds, news);
  const replaces: string[] = [...changed.known, ...changed.may];
  if (isLost(olds.status)) {
    // Refresh found our rotation dead; the way back to a working rotation is to start a new one. With
    // promoted: true that new rotation would be completed at once, so it becomes an update instead, which
    // refuses with directions.
    if (news.promoted === true && replaces.length === 0) {
      return { changes: true, replaces: [], deleteBeforeReplace: false };
    }
    replaces.push("status");
  }
  // Refused here, so that `pulumi preview` already says so. The engine also diffs during `pulumi refresh`
  // (the refreshed outputs against the stored inputs); neither refusal can arise there, because those
  // inputs are the ones the outputs were made from.
  if (changed.known.length > 0) {
    assertNoConsumerHoldsPendingSecret(
      olds,
      [olds.consumerFingerprints, news.consumerFingerprints],
      "replace",
    );
  }
  const unpromotion = unpromotionProblem(olds, news, replaces);
  if (unpromotion) throw new ConfigurationError(unpromotion);

  const inPlace = inputChanges(olds, news, IN_PLACE_INPUTS);
  const transition = nextTransition(olds, news, rotationNow(settings, warn));
  // A step that waits for the window is an update only until its wait is recorded, and a recorded wait
  // that no longer applies (the window opened, the request was withdrawn) is one to clear it.
  const due =
    transition.kind === "wait"
      ? transition.until !== (olds.waitsForWindowUntil ?? "")
      : transition.kind !== "none" || Boolean(olds.waitsForWindowUntil);
  const changes =
    replaces.length > 0 ||
    inPlace.known.length + inPlace.may.length > 0 ||
    due ||
    withdrawnRequest(olds, news) ||
    providerChanged(olds, news);
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

/**
 * Why `promoted` cannot go from true back to false, or undefined. Only a completed rotation's cannot: a
 * request that the gates held back (the rotation still pending) may be withdrawn, and with `rotateEvery`
 * the resource holds one rotation after another, each promoted in turn. Decided here rather than in
 * `check`, which sees only the old inputs and so cannot tell a completed rotation from a held-back request.
 */
function unpromotionProblem(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
  replaces: readonly string[],
): string | undefined {
  const scheduled =
    olds.rotateEvery !== undefined || news.rotateEvery !== undefined;
  if (
    olds.status !== "promoted" ||
    olds.promoted !== true ||
    news.promoted !== false ||
    replaces.length > 0 ||
    scheduled
  ) {
    return undefined;
  }
  return (
    "promoted cannot go from true back to false: this rotation is complete and its secret is the client " +
    'secret now. To start a new rotation, change triggers (e.g. { quarter: "2027-Q1" }) with promoted: ' +
    "false, or keep promoted: true."
  );
}

/**
 * True when a manual request that the gates held back (`promotionBlockedBy`) is withdrawn with
 * `promoted: false`: an update with no call, which clears the stale blocker from the outputs.
 */
function withdrawnRequest(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): boolean {
  return (
    olds.status === "pending" &&
    Boolean(olds.promotionBlockedBy) &&
    news.promoted === false
  );
}

/**
 * True when the program's serialized provider differs from the one in the state, e.g. after an upgrade
 * from a version that stored the provider's code by value. Refresh and destroy use the state's copy
 * until an update replaces it, so a change is reported: the update that follows makes no Stytch call when
 * nothing else is due, and stores the program's (`~ __provider` in the plan).
 */
function providerChanged(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): boolean {
  const stored = (olds as { __provider?: unknown }).__provider;
  const current = (news as { __provider?: unknown }).__provider;
  return (
    typeof stored === "string" &&
    typeof current === "string" &&
    !isUnknown(current) &&
    stored !== current
  );
}

/**
 * Starts a rotation on the inputs' client; a malformed recovery authorization fails before any call. An
 * emergency names the last four of the current secret it revokes (`revokes`), and starts only if the
 * client's current secret ends in them.
 */
function start(
  client: StytchClient,
  settings: ProviderSettings,
  inputs: ClientSecretRotationInputs,
  revokes?: string,
): Promise<StytchClientWithNextClientSecret> {
  const orphans: OrphanAuthorizations = parseOrphanAuthorizations(
    settings.cancelOrphanedRotation,
  );
  return startRotation(client, inputs.clientKind, inputs.clientId, {
    warn,
    orphans,
    ...(revokes === undefined ? {} : { revokes }),
  });
}

/** The outputs of a rotation that has just started (pending), with the autopilot's when it is on. */
function startedOutputs(
  inputs: ClientSecretRotationInputs,
  started: StytchClientWithNextClientSecret,
  now: number,
): ClientSecretRotationOutputs {
  const rotation = {
    status: "pending" as const,
    newClientSecret: started.next_client_secret,
    newClientSecretLastFour:
      started.next_client_secret_last_four ??
      started.next_client_secret.slice(-4),
    previousClientSecretLastFour: started.client_secret_last_four ?? "",
  };
  const startedAt = new Date(now).toISOString();
  return outputsFor(
    inputs,
    rotation,
    { startedAt, promotedAt: "" },
    () => ({
      newClientSecretFingerprint: fingerprintOf(
        started.next_client_secret,
        inputs.clientId,
      ),
      startedAt,
    }),
    now,
  );
}

/**
 * The old rotation under the new inputs: the inputs echoed, the rotation as it was, and the autopilot's
 * outputs recomputed for the new policy (and dropped if the program no longer uses it). A rotation started
 * before it had a policy counts from now; one started before the audit times existed has `startedAt: ""`
 * without a policy.
 */
function carriedOver(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
  now: number,
): ClientSecretRotationOutputs {
  const rotation = {
    status: olds.status,
    newClientSecret: olds.newClientSecret,
    newClientSecretLastFour: olds.newClientSecretLastFour,
    previousClientSecretLastFour: olds.previousClientSecretLastFour,
  };
  return outputsFor(
    news,
    rotation,
    { startedAt: olds.startedAt ?? "", promotedAt: olds.promotedAt ?? "" },
    () => ({
      // A state written before fingerprints were salted per client holds the retired format.
      newClientSecretFingerprint: isFingerprint(olds.newClientSecretFingerprint)
        ? olds.newClientSecretFingerprint
        : fingerprintOf(olds.newClientSecret, olds.clientId),
      startedAt: olds.startedAt || new Date(now).toISOString(),
    }),
    now,
  );
}

/**
 * A rotation's outputs under `inputs`: the inputs echoed, the rotation and its audit times, plus, when the
 * autopilot is on, its timeline (computed only then: a fingerprint costs 0.1 s) and the schedule that
 * follows from it.
 */
function outputsFor(
  inputs: ClientSecretRotationInputs,
  rotation: Pick<
    ClientSecretRotationOutputs,
    | "status"
    | "newClientSecret"
    | "newClientSecretLastFour"
    | "previousClientSecretLastFour"
  >,
  audit: Pick<AutopilotOutputs, "startedAt" | "promotedAt">,
  timeline: () => Pick<
    AutopilotOutputs,
    "newClientSecretFingerprint" | "startedAt"
  >,
  now: number,
): ClientSecretRotationOutputs {
  const outs = { ...echoInputs(inputs), ...rotation, ...audit };
  if (!usesAutopilot(inputs)) return outs;
  return withSchedule(
    inputs,
    {
      ...outs,
      ...timeline(),
      promotionBlockedBy: "",
      waitsForWindowUntil: "",
    },
    now,
  );
}

/**
 * `outs` with the due times that follow from its `startedAt`, status and client under the inputs' policy,
 * and, with `overdue: "warn"`, since when it is overdue.
 */
function withSchedule(
  inputs: ClientSecretRotationInputs,
  outs: ClientSecretRotationOutputs,
  now: number,
): ClientSecretRotationOutputs {
  const scheduled = { ...outs, ...scheduleOf(outs, inputs) };
  return { ...scheduled, overdueSince: overdueSince(scheduled, inputs, now) };
}

/**
 * A due or requested step that falls outside `rotationWindow`: nothing happens at Stytch, one line says
 * until when it waits, and so does `waitsForWindowUntil`. A request stays a request (the `promoted` output
 * stays false), and what blocked the promotion last is kept, since no gate was asked this time.
 */
function waitingForWindow(
  olds: ClientSecretRotationOutputs,
  outs: ClientSecretRotationOutputs,
  inputs: ClientSecretRotationInputs,
  transition: Extract<Transition, { kind: "wait" }>,
): ClientSecretRotationOutputs {
  const step =
    transition.step === "rotate"
      ? `The next rotation of ${shownClientId(outs.clientId)}, due since ${outs.rotateDueAt ?? ""},`
      : `Promotion of the rotation of ${shownClientId(outs.clientId)} (new secret ending ${outs.newClientSecretLastFour}), ` +
        `${transition.requested ? "requested by promoted: true" : `due since ${outs.promoteDueAt ?? ""}`},`;
  warn(
    `${step} waits for rotationWindow ${JSON.stringify(inputs.rotationWindow)}, which opens next at ` +
      `${transition.until || "no time in the coming week"}. Nothing was changed at Stytch.`,
  );
  return {
    ...outs,
    promoted: transition.requested ? false : outs.promoted,
    promotionBlockedBy: olds.promotionBlockedBy ?? "",
    waitsForWindowUntil: transition.until,
  };
}

/**
 * A rotation pending past its maximum age: with `overdue: "fail"` (the default) the error that turns the
 * pipeline red; with `"warn"`, a warning line and `outs` as they are (their `overdueSince` set), so that
 * the rest of the stack deploys.
 */
function overdueOutcome(
  outs: ClientSecretRotationOutputs,
  inputs: ClientSecretRotationInputs,
  why: string,
): ClientSecretRotationOutputs {
  const error = overdue(outs, inputs, why);
  if (overdueMode(inputs) === "fail") throw error;
  warn(`${error.message} This \`pulumi up\` goes on: overdue is "warn".`);
  return outs;
}

/**
 * Runs an operation, then delivers the events of what it did, or of the error that stopped it (an overdue
 * rotation, a refusal for a conflict), and returns or rethrows. `from` is what the operation started from:
 * a create's inputs, or the stored rotation. Delivery never throws (`event-delivery.ts`).
 */
async function reported<T>(
  settings: ProviderSettings,
  from: RotationFacts,
  now: number,
  operation: () => Promise<T>,
  eventsOf: (result: T) => RotationEvent[],
): Promise<T> {
  let result: T;
  try {
    result = await operation();
  } catch (error) {
    const event = failureEvent(from, error, now);
    if (event) await announce(settings, [event]);
    throw error;
  }
  await announce(settings, eventsOf(result));
  return result;
}

/** Sends events to the stack's events URL, if it has one; a problem with its settings is a warning. */
async function announce(
  settings: ProviderSettings,
  events: RotationEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const sink = resolveEventSink(settings);
  if (sink === undefined) return;
  const clientId = events[0]!.rotation.clientId;
  const about = `the rotation of ${typeof clientId === "string" ? shownClientId(clientId) : "a client"}`;
  if ("problem" in sink) {
    warn(`Events of ${about} are not sent: ${sink.problem}`);
    return;
  }
  const projectId = settingValue(settings, "projectId");
  await deliverEvents(
    sink,
    events.map((event) => cloudEventOf(event, projectId)),
    { warn, about },
  );
}

/**
 * Promotes the pending rotation in `outs` through the gates, cheapest first: the consumers' fingerprints
 * (no call), then the running consumers' endpoints (one request each, `consumer-endpoints.ts`), then, with
 * `verifyBeforePromote`, one read that the rotation is still ours and proof that
 * the new secret authenticates, then the complete call. An emergency (`justStarted`: the rotation was
 * created in this `up`) skips the consumers' gate, since nobody can hold its secret yet, but not the
 * proof. A blocked promotion changes nothing at Stytch: it prints one line, records why in
 * `promotionBlockedBy`, keeps a manual request pending, and fails the `up` once the rotation is overdue.
 */
async function promote(
  client: StytchClient,
  outs: ClientSecretRotationOutputs,
  inputs: ClientSecretRotationInputs,
  options: { justStarted: boolean; requested: boolean; now: number },
): Promise<ClientSecretRotationOutputs> {
  const ref = rotationRef(outs);
  const { now } = options;
  let blocker = options.justStarted
    ? undefined
    : (consumerBlocker(inputs, outs.newClientSecretFingerprint ?? "") ??
      (inputs.consumerEndpoints?.length
        ? await endpointBlocker(
            inputs.consumerEndpoints,
            ref.clientId,
            pendingFingerprint(outs),
          )
        : undefined));
  if (!blocker) {
    const verify = verifiesBeforePromote(inputs);
    const pending =
      options.justStarted || (await confirmRotation(client, ref)) === "pending";
    if (pending && verify) {
      const proof = await client.authenticateClient(
        ref.kind,
        ref.clientId,
        outs.newClientSecret,
      );
      if (!proof.accepted) {
        blocker = `verification failed: the new secret (ending ${ref.newLastFour}) does not authenticate: ${proof.reason}`;
      }
    }
    if (!blocker) {
      if (pending) {
        if (options.justStarted) {
          await completeEmergencyRotation(client, outs, now);
        } else await completeRotation(client, ref, true);
      }
      const promoted = {
        ...outs,
        status: "promoted" as const,
        promotedAt: new Date(now).toISOString(),
      };
      return usesAutopilot(inputs)
        ? withSchedule(inputs, promoted, now)
        : promoted;
    }
  }
  const held = {
    ...outs,
    // A manual request that was not carried out stays a request: the next `up` tries it again.
    promoted: options.requested ? false : outs.promoted,
    promotionBlockedBy: blocker,
  };
  if (isOverdue(outs, inputs, now)) {
    return overdueOutcome(held, inputs, `its promotion is blocked: ${blocker}`);
  }
  const why = options.requested
    ? "requested by promoted: true"
    : outs.promoteDueAt
      ? `due since ${outs.promoteDueAt}`
      : "due";
  warn(
    `Promotion of the rotation of ${shownClientId(ref.clientId)} (new secret ending ${ref.newLastFour}), ` +
      `${why}, is blocked and waits for the next \`pulumi up\`: ${blocker}.`,
  );
  return held;
}

/** The error that turns the pipeline red for a rotation pending past its maximum age. */
function overdue(
  outs: ClientSecretRotationOutputs,
  inputs: ClientSecretRotationInputs,
  why: string,
): RotationOverdueError {
  // Both are set whenever a rotation is overdue; a clause is left out rather than print `undefined`.
  const since = outs.startedAt ? ` since ${outs.startedAt}` : "";
  const maxAge = effectiveMaxPendingAge(inputs);
  const limit =
    inputs.maxPendingAge !== undefined
      ? `maxPendingAge (${inputs.maxPendingAge})`
      : maxAge !== undefined
        ? `maxPendingAge (unset, so rotateEvery: ${maxAge})`
        : "maxPendingAge";
  // No advice that would revoke a secret: consumers may already hold the pending one.
  return new RotationOverdueError(
    `The rotation of ${shownClientId(outs.clientId)} (new secret ending ${outs.newClientSecretLastFour}) has ` +
      `been pending${since}, longer than ${limit}, because ${why}. Nothing was changed at Stytch; both ` +
      "secrets still work. Get every consumer onto the new secret (or fix what blocks the promotion) and run " +
      "`pulumi up` again.",
  );
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
    `The rotation of ${shownClientId(olds.clientId)} that this stack started (new secret ending ` +
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

/** The inputs as the outputs echo them; an autopilot input only when given. */
function echoInputs(
  inputs: ClientSecretRotationInputs,
): ClientSecretRotationInputs {
  const echoed: ClientSecretRotationInputs = {
    clientId: inputs.clientId,
    clientKind: inputs.clientKind,
    promoted: inputs.promoted,
    triggers: inputs.triggers ?? {},
  };
  for (const name of IN_PLACE_INPUTS) {
    if (name !== "promoted" && inputs[name] !== undefined) {
      Object.assign(echoed, { [name]: inputs[name] });
    }
  }
  return echoed;
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
  outs: ClientSecretRotationOutputs,
  now: number,
): Promise<ClientSecretRotationOutputs> {
  const ref = rotationRef(outs);
  const promoted = {
    ...outs,
    status: "promoted" as const,
    promotedAt: new Date(now).toISOString(),
  };
  try {
    await completeRotation(client, ref, true);
    return promoted;
  } catch (error) {
    let cleanup: string;
    try {
      const outcome = await cancelRotation(client, ref);
      // The complete landed after all (late, or its answer was lost): the rotation did what was asked,
      // and failing now would drop the one secret that works.
      if (outcome === "promoted") return promoted;
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
      `Emergency rotation of ${shownClientId(ref.clientId)}: started, but completing it failed: ${describeFailure(error)} ${cleanup} ` +
        `Run \`pulumi up\` again.`,
    );
  }
}
