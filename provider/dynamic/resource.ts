/**
 * The `ClientSecretRotation` Pulumi resource.
 */
import * as pulumi from "@pulumi/pulumi";
import engineProvider = require("../engine-provider");
import {
  AUDIT_OUTPUTS,
  AUTOPILOT_INPUTS,
  AUTOPILOT_OUTPUTS,
  type OverdueMode,
} from "../core/autopilot";
import { fingerprintOf } from "../core/fingerprint";
import type { RotationStatus } from "../core/rotation";
import type { ClientKind } from "../core/stytch-types";
import { SECRET_OUTPUTS } from "../core/types";

/** Arguments of {@link ClientSecretRotation}. */
export interface ClientSecretRotationArgs {
  /**
   * Id of the Stytch M2M client (`m2m-client-test-…`) or Connected App (`connected-app-test-…`) whose
   * secret to rotate. Required. Changing it replaces the resource (a new rotation on the new client).
   */
  clientId: pulumi.Input<string>;
  /**
   * `"m2m"` or `"connected_app"`. Optional: inferred from the `clientId` prefix; required only for ids
   * without a known prefix. Changing it replaces the resource.
   */
  clientKind?: pulumi.Input<ClientKind>;
  /**
   * Whether to complete the rotation: the new secret becomes the client secret and the old one stops
   * working. Default value is `false`. Set it to `true` in a later commit, once every consumer uses the new
   * secret. `true` on a resource new to the stack is refused in preview (a rename without `aliases`, a new
   * stack or `pulumi state delete` would otherwise revoke the secret in use), unless
   * `emergencyRevokeSecretEnding` is set too. A request that the autopilot's gates hold back can be
   * withdrawn with `false`; a completed rotation cannot go back to `false` (change `triggers` to start
   * another one).
   */
  promoted?: pulumi.Input<boolean>;
  /**
   * Arbitrary values; any change starts a fresh rotation on the same client (a replacement), e.g.
   * `{ quarter: "2026-Q4" }`. Optional, default `{}`.
   */
  triggers?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
  /**
   * Emergency only: the last four characters of the client's current secret (as the Stytch dashboard shows
   * them), which this rotation revokes in its first `pulumi up`, together with `promoted: true` on a new
   * resource. The rotation starts only if the current secret still ends in them, so a value left in the
   * program after the emergency cannot fire again (after a rename, the current secret is the emergency's
   * own). Skips the consumers' gate (nobody can hold a secret created in the same `up`), not the
   * verification. Optional.
   */
  emergencyRevokeSecretEnding?: pulumi.Input<string>;

  // Autopilot: a policy that a scheduled `pulumi up` carries out with no commits. A duration is a whole
  // number followed by s, m, h or d ("90d", "36h", "30s").

  /**
   * Autopilot. A duration: the first `pulumi up` at or after the current rotation's start plus this
   * period starts a fresh rotation on the same client (in place: same resource, new secret), once the
   * current one is promoted and has been for `promoteAfter` (consumers that switched late are not churned
   * at once); a rotation still pending is never replaced. Requires `promoteAfter`. Optional.
   */
  rotateEvery?: pulumi.Input<string>;
  /**
   * Autopilot. A duration, the overlap window: the first `pulumi up` at or after the rotation's start plus
   * this window promotes it, if every gate holds (`consumerFingerprints`, `verifyBeforePromote`). Shorter
   * than `rotateEvery`. `promoted: true` still promotes early, through the same gates. Optional.
   */
  promoteAfter?: pulumi.Input<string>;
  /**
   * Autopilot. Before any promotion, prove that the new secret authenticates at Stytch (an M2M client gets
   * an access token; a Connected App passes token introspection); if it does not, nothing is completed and
   * `promotionBlockedBy` says why. Default value is `true` when any autopilot input is set, `false`
   * otherwise (a program without autopilot promotes as it always did).
   */
  verifyBeforePromote?: pulumi.Input<boolean>;
  /**
   * Autopilot. What each consumer reports it uses: the {@link secretFingerprint} of the secret it holds,
   * e.g. read from each consumer's stack through a `StackReference`. Promotion, manual or scheduled, waits
   * until every entry equals `newClientSecretFingerprint`. An empty string means the consumer has none yet.
   * While any entry equals it, the pending secret is never cancelled: a replacement, a removal or
   * `pulumi destroy` is refused. Never put a secret here. Optional.
   */
  consumerFingerprints?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Autopilot. A duration: once a rotation has been pending this long (a gate blocks its promotion, or
   * nobody promoted it), every `pulumi up` fails, so that the pipeline turns red before anyone forgets a
   * half-done rotation. Longer than `promoteAfter`. Optional; with `rotateEvery` it defaults to
   * `rotateEvery`, so that a consumer that never reports cannot stall the schedule with warnings only.
   */
  maxPendingAge?: pulumi.Input<string>;
  /**
   * Autopilot. What a rotation pending past `maxPendingAge` does to the `pulumi up`: `"fail"` fails it
   * (the pipeline turns red, and the resources after this one are not deployed), `"warn"` prints a warning,
   * records `overdueSince` and lets the rest of the stack deploy. Either way nothing changes at Stytch and
   * an `overdue` event is sent (`stytch:eventsUrl`). Needs `maxPendingAge` or `rotateEvery`. Optional,
   * default `"fail"`.
   */
  overdue?: pulumi.Input<OverdueMode>;
  /**
   * Autopilot. When promotions and scheduled starts may happen: days, hours and an IANA time zone (default
   * UTC), e.g. `"Mon-Fri 09:00-17:00 Europe/Berlin"` or `"Tue,Thu 22:00-02:00 America/New_York"` (an end
   * before the start runs into the next day). A promotion (due or requested with `promoted: true`) or a
   * scheduled start that falls outside waits for the window to open, and `waitsForWindowUntil` says until
   * when; `promoteDueAt` and `rotateDueAt` fall inside it. Adding a resource starts its first rotation at
   * once (a start revokes nothing), and an emergency rotation does not wait. Optional.
   */
  rotationWindow?: pulumi.Input<string>;
  /**
   * Autopilot. With `rotateEvery`, spreads the rotations of many clients that share a policy: each client's
   * next rotation falls due on its own phase, from a hash of its client id, within the last half of the
   * period (never later than `rotateEvery`), so that a fleet started in one `pulumi up` does not rotate
   * again in one `pulumi up`: the first period of each client is shortened once, then it rotates every
   * `rotateEvery` on its phase. `false` makes every rotation due exactly `rotateEvery` after its start.
   * Optional, default `true` with `rotateEvery`.
   */
  spreadRotations?: pulumi.Input<boolean>;
  /**
   * Autopilot. Evidence from running consumers: URLs at which consumer services answer the fingerprint of
   * the secret their running processes use (the request handler of
   * `pulumi-stytch-client-secret-rotation/consumer` serves it). Promotion, manual or scheduled, also waits
   * until every endpoint reports `newClientSecretFingerprint`; one that is down, slow (2 s), redirects or
   * answers anything else holds it too, and the `pulumi up` says which and why. Each is asked once per
   * promotion attempt, and while the rotation is pending, once more before a removal or replacement would
   * cancel it (refused while one reports holding the pending secret or cannot be read). `pulumi preview`
   * never asks them. `https://`, or `http://` on loopback only; no credentials in the URL. Messages show
   * scheme and host only. Optional.
   */
  consumerEndpoints?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The fingerprint of a client secret, for a consumer's program to export: what the rotation's
 * `consumerFingerprints` compares with its `newClientSecretFingerprint`. Not secret: a plain output, safe to
 * show and share between stacks. It is `sfp2:` plus scrypt (about 0.1 s and 32 MiB per value) salted with
 * the client id, so it does not reveal the secret, and no precomputed table serves for more than one
 * client. Whoever reads it can still test guesses offline at that cost: out of reach for a secret Stytch
 * generated, not for a short custom one.
 *
 * @param secret The client secret the consumer holds.
 * @param clientId The id of the Stytch client the secret belongs to (the rotation's `clientId`).
 *
 * ## Example
 *
 * ```ts
 * const rotation = new pulumi.StackReference("acme/rotations/prod");
 * const secret = rotation.requireOutput("billingWorkerSecret") as pulumi.Output<string>;
 * // … hand `secret` to the service (a Kubernetes secret, a vault entry) …
 * export const billingWorkerFingerprint = secretFingerprint(secret, "m2m-client-test-…");
 * ```
 */
export function secretFingerprint(
  secret: pulumi.Input<string>,
  clientId: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.unsecret(
    pulumi
      .all([secret, clientId])
      .apply(([value, id]) => fingerprintOf(value, id)),
  );
}

// The outputs only a resource with autopilot inputs has, each registered as an output (undefined).
const AUTOPILOT_OUTPUT_KEYS = Object.fromEntries(
  AUTOPILOT_OUTPUTS.map((output) => [output, undefined]),
);
// The audit times every resource has.
const AUDIT_OUTPUT_KEYS = Object.fromEntries(
  AUDIT_OUTPUTS.map((output) => [output, undefined]),
);

let notApplicableOutput: pulumi.Output<string> | undefined;
/** The value of an autopilot output on a resource without autopilot inputs: `""`, shared. */
function notApplicable(): pulumi.Output<string> {
  notApplicableOutput ??= pulumi.output("");
  return notApplicableOutput;
}

// Every argument of ClientSecretRotationArgs (the Record type makes the compiler insist on all of them),
// for the check against misspelt ones.
const ARGUMENTS: Record<keyof ClientSecretRotationArgs, true> = {
  clientId: true,
  clientKind: true,
  promoted: true,
  triggers: true,
  emergencyRevokeSecretEnding: true,
  rotateEvery: true,
  promoteAfter: true,
  verifyBeforePromote: true,
  consumerFingerprints: true,
  maxPendingAge: true,
  overdue: true,
  rotationWindow: true,
  spreadRotations: true,
  consumerEndpoints: true,
};
const ARGUMENT_NAMES = Object.keys(ARGUMENTS);

function suggestArgument(given: string): string {
  const lower = given.toLowerCase();
  const near = ARGUMENT_NAMES.find((name) => {
    const candidate = name.toLowerCase();
    return candidate.startsWith(lower) || lower.startsWith(candidate);
  });
  return near ? ` (did you mean ${JSON.stringify(near)}?)` : "";
}

/**
 * Rotates the secret of a Stytch M2M client or Connected App in two phases, so that consumers never see
 * an outage: creating the resource starts a rotation (old and new secret both work), setting
 * `promoted: true` completes it (only the new secret works), and deleting it before promotion cancels it.
 *
 * Stytch credentials come from stack config (`stytch:projectId`, `stytch:secret`, `stytch:baseUrl`) or
 * the environment (`STYTCH_PROJECT_ID`, `STYTCH_SECRET`, `STYTCH_BASE_URL`); they are never inputs.
 *
 * ## Example
 *
 * ```ts
 * const rotation = new ClientSecretRotation("billing-worker", {
 *   clientId: "m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad1be885",
 *   promoted: false, // next commit: true, once consumers have the new secret
 *   triggers: { quarter: "2026-Q4" },
 * });
 * export const billingWorkerSecret = rotation.newClientSecret; // a Pulumi secret
 * ```
 */
export class ClientSecretRotation extends pulumi.dynamic.Resource {
  /** The new client secret, as a Pulumi secret: encrypted in the state, masked in output. */
  declare public readonly newClientSecret: pulumi.Output<string>;
  /** The last four characters of the new secret (not secret), for matching against the Stytch dashboard. */
  declare public readonly newClientSecretLastFour: pulumi.Output<string>;
  /** The last four characters of the secret that was current when the rotation started. */
  declare public readonly previousClientSecretLastFour: pulumi.Output<string>;
  /**
   * `pending` (both secrets work), `promoted` (only the new one works), or, as found by `pulumi refresh`,
   * `cancelled` (rotation gone, the new secret does not work) or `superseded` (someone rotated again);
   * the last two make the next `pulumi up` start a fresh rotation.
   */
  declare public readonly status: pulumi.Output<RotationStatus>;
  /** The client id, as given. */
  declare public readonly clientId: pulumi.Output<string>;
  /** The client kind, as given or inferred. */
  declare public readonly clientKind: pulumi.Output<ClientKind>;
  /** Whether the rotation was asked to be completed, as given. */
  declare public readonly promoted: pulumi.Output<boolean>;
  /** The triggers, as given. */
  declare public readonly triggers: pulumi.Output<Record<string, unknown>>;
  /**
   * Autopilot: the {@link secretFingerprint} of the new secret (not secret). Consumers report it once they
   * use the new secret; `consumerFingerprints` compares with it. Empty without autopilot inputs (`""` here;
   * unset in the native provider's SDKs).
   */
  declare public readonly newClientSecretFingerprint: pulumi.Output<string>;
  /**
   * When the current rotation started (ISO 8601 UTC), on every rotation. Empty for a rotation started by
   * a version without this output, until it has autopilot inputs (then it counts from that `pulumi up`).
   */
  declare public readonly startedAt: pulumi.Output<string>;
  /** When the current rotation was promoted (ISO 8601 UTC), on every rotation; empty while it is pending. */
  declare public readonly promotedAt: pulumi.Output<string>;
  /** Autopilot: when `promoteAfter` makes the pending rotation due for promotion, or empty. */
  declare public readonly promoteDueAt: pulumi.Output<string>;
  /**
   * Autopilot: when `rotateEvery` makes a fresh rotation due (not before `promoteAfter` after `promotedAt`),
   * or empty.
   */
  declare public readonly rotateDueAt: pulumi.Output<string>;
  /** Autopilot: why a due or requested promotion did not happen on the last `pulumi up`, or empty. */
  declare public readonly promotionBlockedBy: pulumi.Output<string>;
  /**
   * Autopilot, with `overdue: "warn"`: since when the pending rotation is overdue (ISO 8601 UTC, `startedAt`
   * plus `maxPendingAge`), or empty.
   */
  declare public readonly overdueSince: pulumi.Output<string>;
  /**
   * Autopilot, with `rotationWindow`: when a due or requested step that fell outside the window waits until
   * (the window's next opening, ISO 8601 UTC), or empty.
   */
  declare public readonly waitsForWindowUntil: pulumi.Output<string>;

  /**
   * @param name The unique name of the resource.
   * @param args The arguments of the rotation.
   * @param opts Resource options; `additionalSecretOutputs` always includes `newClientSecret`.
   */
  constructor(
    name: string,
    args: ClientSecretRotationArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    if (!args)
      throw new Error(
        `ClientSecretRotation "${name}": missing required argument 'args' (clientId).`,
      );
    // A misspelt argument in a JavaScript program (`promote: true`) would otherwise be dropped silently,
    // and the rotation would never be promoted.
    const unknownArg = Object.keys(args).find(
      (key) => !ARGUMENT_NAMES.includes(key),
    );
    if (unknownArg !== undefined) {
      throw new Error(
        `ClientSecretRotation "${name}": unknown argument ${JSON.stringify(unknownArg)}` +
          `${suggestArgument(unknownArg)}; its arguments are ${ARGUMENT_NAMES.join(", ")}.`,
      );
    }
    // The SDK does real work for every key of `props` (a promise with a captured stack trace each), so a
    // program without autopilot registers only the properties every rotation has: at 500 rotations the
    // (then 11) autopilot keys cost it as much time again as all the rest (`npm run bench`).
    const autopilot = AUTOPILOT_INPUTS.some(
      (input) => args[input] !== undefined,
    );
    const props: Record<string, unknown> = {
      clientId: args.clientId,
      clientKind: args.clientKind,
      promoted: args.promoted,
      triggers: args.triggers,
      // Only when given, so that the properties of an everyday rotation stay what they always were.
      ...(args.emergencyRevokeSecretEnding === undefined
        ? {}
        : { emergencyRevokeSecretEnding: args.emergencyRevokeSecretEnding }),
      status: undefined,
      newClientSecret: undefined,
      newClientSecretLastFour: undefined,
      previousClientSecretLastFour: undefined,
      ...AUDIT_OUTPUT_KEYS,
      ...(autopilot
        ? {
            ...Object.fromEntries(
              AUTOPILOT_INPUTS.map((input) => [input, args[input]]),
            ),
            ...AUTOPILOT_OUTPUT_KEYS,
          }
        : {}),
    };
    super(
      // The same module-exports instance for every resource: the state stores a `require` of it.
      engineProvider,
      name,
      props,
      // The secret leaves the provider as a plain output and is made secret by the engine; returning
      // pulumi.secret() from a dynamic provider does not work (pulumi/pulumi#3012).
      pulumi.mergeOptions(opts, {
        additionalSecretOutputs: [...SECRET_OUTPUTS],
      }),
      "stytch",
      "ClientSecretRotation",
    );
    if (!autopilot) {
      // Not applicable without a policy: one shared `""` Output, as cheap as no property at all.
      Object.assign(
        this,
        Object.fromEntries(
          Object.keys(AUTOPILOT_OUTPUT_KEYS).map((output) => [
            output,
            notApplicable(),
          ]),
        ),
      );
    }
  }
}
