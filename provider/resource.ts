/**
 * The `ClientSecretRotation` Pulumi resource.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ClientSecretRotationProvider,
  type ClientSecretRotationOutputs,
} from "./provider";
import type { RotationStatus } from "./rotation";
import type { ClientKind } from "./stytch-types";

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
   * working. Default value is `false`. Set it to `true` once every consumer uses the new secret; `true`
   * from the start is an emergency rotation (start and complete in one `pulumi up`). It cannot go back
   * from `true` to `false`; change `triggers` to start another rotation.
   */
  promoted?: pulumi.Input<boolean>;
  /**
   * Arbitrary values; any change starts a fresh rotation on the same client (a replacement), e.g.
   * `{ quarter: "2026-Q4" }`. Optional, default `{}`.
   */
  triggers?: pulumi.Input<Record<string, pulumi.Input<unknown>>>;
}

// Every argument of ClientSecretRotationArgs (the Record type makes the compiler insist on all of them),
// for the check against misspelt ones.
const ARGUMENTS: Record<keyof ClientSecretRotationArgs, true> = {
  clientId: true,
  clientKind: true,
  promoted: true,
  triggers: true,
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
    const props: Record<keyof ClientSecretRotationOutputs, unknown> = {
      clientId: args.clientId,
      clientKind: args.clientKind,
      promoted: args.promoted,
      triggers: args.triggers,
      status: undefined,
      newClientSecret: undefined,
      newClientSecretLastFour: undefined,
      previousClientSecretLastFour: undefined,
    };
    super(
      new ClientSecretRotationProvider(),
      name,
      props,
      // The secret leaves the provider as a plain output and is made secret by the engine; returning
      // pulumi.secret() from a dynamic provider does not work (pulumi/pulumi#3012).
      pulumi.mergeOptions(opts, {
        additionalSecretOutputs: ["newClientSecret"],
      }),
      "stytch",
      "ClientSecretRotation",
    );
  }
}
