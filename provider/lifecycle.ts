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
import { resolveConnection, type StackSettings } from "./credentials";
import {
  ConfigurationError,
  RotationConflictError,
  describeFailure,
  isStytchErrorType,
} from "./errors";
import type {
  ClientSecretRotationInputs,
  ClientSecretRotationOutputs,
  ClientSecretRotationProvider,
  RawInputs,
} from "./provider";
import {
  cancelRotation,
  classifyRotation,
  completeRotation,
  startRotation,
  type RotationRef,
  type RotationStatus,
} from "./rotation";
import { StytchClient } from "./stytch-client";
import {
  CLIENT_KINDS,
  STYTCH_ERROR_TYPES,
  type ClientKind,
} from "./stytch-types";

// Pulumi's placeholder for values not known during preview (sdk/nodejs/runtime/rpc.ts `unknownValue`).
// Copied rather than imported so that the provider process does not load the Pulumi runtime for it.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const CLIENT_ID_PREFIXES: ReadonlyArray<readonly [string, ClientKind]> = [
  ["m2m-client-", "m2m"],
  ["connected-app-", "connected_app"],
  // Connected Apps were formerly "IDP clients" (STYTCH_API.md §2.9).
  ["idp-client-", "connected_app"],
];

/** A rotation's Stytch client, with credentials resolved now: never stored, never serialized. */
function stytchFor(settings: StackSettings): StytchClient {
  return new StytchClient({ connection: resolveConnection(settings) });
}

/** `create`: starts a rotation; completes it at once when `promoted` is already true (emergency rotation). */
export async function createRotation(
  settings: StackSettings,
  inputs: ClientSecretRotationInputs,
): Promise<dynamic.CreateResult<ClientSecretRotationOutputs>> {
  const client = stytchFor(settings);
  const started = await startRotation(
    client,
    inputs.clientKind,
    inputs.clientId,
    warn,
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
  settings: StackSettings,
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
  settings: StackSettings,
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
  settings: StackSettings,
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
        `is still pending and nobody holds its secret: cancel it in the Stytch dashboard.`;
    }
    throw new RotationConflictError(
      `Emergency rotation of ${ref.clientId}: started, but completing it failed: ${describeFailure(error)} ${cleanup} ` +
        `Run \`pulumi up\` again.`,
    );
  }
}

/** `check`: validates and normalizes inputs, before any call to Stytch. */
export function checkInputs(
  olds: Partial<ClientSecretRotationInputs>,
  news: RawInputs,
): dynamic.CheckResult<ClientSecretRotationInputs> {
  const failures: dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) =>
    failures.push({ property, reason });

  const clientId = news.clientId;
  if (clientId !== UNKNOWN) {
    if (typeof clientId !== "string" || clientId.trim() === "") {
      fail(
        "clientId",
        "clientId is required: set it to the id of the Stytch M2M client or Connected App whose secret " +
          'to rotate, e.g. "m2m-client-test-…" or "connected-app-test-…".',
      );
    } else {
      const problem = pathSegmentProblem(clientId);
      if (problem) {
        fail(
          "clientId",
          `clientId ${JSON.stringify(clientId)} ${problem}, so it cannot be a Stytch client id; copy the ` +
            `id exactly from the Stytch dashboard or API.`,
        );
      }
    }
  }

  const inferredKind =
    typeof clientId === "string" && clientId !== UNKNOWN
      ? kindFromId(clientId)
      : undefined;
  const givenKind = news.clientKind;
  let clientKind: unknown = givenKind ?? inferredKind;
  if (givenKind !== undefined && givenKind !== UNKNOWN) {
    if (
      typeof givenKind !== "string" ||
      !(CLIENT_KINDS as readonly string[]).includes(givenKind)
    ) {
      fail(
        "clientKind",
        `clientKind must be "m2m" or "connected_app" (or left out to infer it from clientId); got ${JSON.stringify(givenKind)}.`,
      );
    } else if (inferredKind && inferredKind !== givenKind) {
      fail(
        "clientKind",
        `clientKind "${givenKind}" does not match clientId ${JSON.stringify(clientId)}, which is ` +
          `${inferredKind === "m2m" ? "an M2M client" : "a Connected App"} id; set clientKind to ` +
          `"${inferredKind}" or leave it out.`,
      );
    }
  } else if (
    givenKind === undefined &&
    !inferredKind &&
    typeof clientId === "string" &&
    clientId !== UNKNOWN &&
    clientId.trim() !== ""
  ) {
    clientKind = undefined;
    fail(
      "clientKind",
      `cannot tell from clientId ${JSON.stringify(clientId)} whether it is an M2M client or a Connected App; ` +
        `set clientKind to "m2m" or "connected_app".`,
    );
  }

  const promoted = news.promoted ?? false;
  if (promoted !== UNKNOWN && typeof promoted !== "boolean") {
    fail(
      "promoted",
      `promoted must be true or false (a boolean, not ${JSON.stringify(promoted)}); it defaults to false.`,
    );
  }

  const triggers = news.triggers ?? {};
  if (
    triggers !== UNKNOWN &&
    (typeof triggers !== "object" ||
      triggers === null ||
      Array.isArray(triggers))
  ) {
    fail(
      "triggers",
      `triggers must be an object of values, e.g. { quarter: "2026-Q4" }; got ${JSON.stringify(triggers)}.`,
    );
  }

  // `olds` is empty when the resource is being created; the rules below are about changes to an existing one.
  const replacedBy = isExisting(olds)
    ? replacingInputs(olds, { clientId, clientKind, triggers })
    : [];
  // Un-promoting in place is impossible at Stytch; the way forward is a new rotation, i.e. a replacement.
  if (olds.promoted === true && promoted === false && replacedBy.length === 0) {
    fail(
      "promoted",
      "promoted cannot go from true back to false: that rotation is complete and its secret is the client " +
        'secret now. To start a new rotation, change triggers (e.g. { quarter: "2027-Q1" }) with promoted: ' +
        "false, or keep promoted: true.",
    );
  }
  // A replacement is a create, and a create with promoted: true completes at once. Carried over from the
  // old resource (a triggers bump that forgot to reset promoted, a clientId move), that would revoke the
  // secret every consumer uses before any of them has the new one: an outage nobody asked for.
  // Unknown during preview: whether it changes is decided at apply time, when check runs again.
  if (
    promoted === true &&
    replacedBy.length > 0 &&
    !containsUnknown([clientId, clientKind, triggers])
  ) {
    fail(
      "promoted",
      `changing ${replacedBy.join(" and ")} starts a new rotation, and promoted: true would complete it in ` +
        "the same `pulumi up`, revoking the secret in use before any consumer has the new one. Set promoted: " +
        "false in the same commit and promote in a later one. For a deliberate one-step emergency rotation, " +
        "add it as a new resource (a new name) with promoted: true.",
    );
  }

  const inputs = {
    clientId,
    clientKind,
    promoted,
    triggers,
  } as ClientSecretRotationInputs;
  return failures.length > 0 ? { inputs, failures } : { inputs };
}

/** `diff`: no-op, update (promotion) or replacement; makes no call to Stytch. */
export function diffRotation(
  olds: ClientSecretRotationOutputs,
  news: ClientSecretRotationInputs,
): dynamic.DiffResult {
  const replaces = replacingInputs(olds, news);
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

/** The inputs whose change makes a new rotation, in the order they are reported. */
function replacingInputs(
  olds: Partial<ClientSecretRotationInputs>,
  news: Partial<Record<keyof ClientSecretRotationInputs, unknown>>,
): string[] {
  const replaces: string[] = [];
  if (news.clientId !== olds.clientId) replaces.push("clientId");
  if (news.clientKind !== olds.clientKind) replaces.push("clientKind");
  if (!jsonEqual(news.triggers ?? {}, olds.triggers ?? {}))
    replaces.push("triggers");
  return replaces;
}

function containsUnknown(value: unknown): boolean {
  return (JSON.stringify(value) ?? "").includes(UNKNOWN);
}

function isExisting(olds: Partial<ClientSecretRotationInputs>): boolean {
  return olds.clientId !== undefined;
}

function kindFromId(clientId: string): ClientKind | undefined {
  return CLIENT_ID_PREFIXES.find(([prefix]) =>
    clientId.startsWith(prefix),
  )?.[1];
}

/** Why a value cannot be one URL path segment, or undefined if it can. */
function pathSegmentProblem(value: string): string | undefined {
  if (value !== value.trim()) return "has leading or trailing whitespace";
  if (value === "." || value === "..") return "is a relative path segment";
  if (value.length > 200) return "is longer than 200 characters";
  const bad = /[\s/\\?#%\u0000-\u001f\u007f]/.exec(value);
  if (bad) return `contains ${JSON.stringify(bad[0])}`;
  return undefined;
}

/** Structural equality of JSON-like values, ignoring key order. */
function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
