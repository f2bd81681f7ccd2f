/**
 * Which calls that revoke a secret a rotation may make, decided before the call.
 *
 * Three Stytch calls revoke a secret: complete revokes the current one, cancel revokes the pending one,
 * and an emergency rotation (start and complete in one `pulumi up`) revokes the current one before anyone
 * holds the new one. The rules here keep everyday operations from making any of them by accident:
 *
 * - **A resource new to the stack never completes in its first `up`** unless {@link EMERGENCY_INPUT} names
 *   the secret to revoke. A rename without `aliases`, a move into a component, a new stack of the same
 *   program or `pulumi state delete` makes a resource new while the program still says `promoted: true`;
 *   that is refused in `check`, before any call.
 * - **An emergency names the secret it revokes** by its last four characters, which the client's current
 *   secret must end in when the rotation starts. Left in the program after it has done its job, it matches
 *   nothing (the current secret is then the emergency's own), so a later rename cannot fire it again.
 * - **Cancel happens only when no consumer reports holding the pending secret**: with
 *   `consumerFingerprints` showing that one does, a replacement, a removal or `pulumi destroy` is refused
 *   before any call, naming the consumer and what to do instead.
 */
import { RotationConflictError } from "./errors";
import { isUnknown } from "./engine-values";
import { fingerprintOf, isFingerprint } from "./fingerprint";
import { describeKind, shownClientId } from "./printable";
import type { ClientSecretRotationInputs } from "./types";

/** The input that makes a new resource an emergency rotation: the last four of the secret to revoke. */
export const EMERGENCY_INPUT =
  "emergencyRevokeSecretEnding" satisfies keyof ClientSecretRotationInputs;

/** What the rules read of a rotation's stored outputs. */
export interface PendingRotation {
  clientId: string;
  status: string;
  newClientSecret: string;
  newClientSecretLastFour: string;
  newClientSecretFingerprint?: string;
  consumerFingerprints?: string[];
}

/**
 * `check` on a resource new to the stack: why `promoted` (and the emergency input) cannot be carried out,
 * or undefined when they can (or are unknown until apply).
 */
export function newResourcePromotionProblem(
  promoted: unknown,
  emergency: unknown,
): string | undefined {
  if (promoted !== true || emergency !== undefined) return undefined;
  return (
    "promoted: true on a resource new to this stack would start and complete a rotation in one `pulumi up`, " +
    "revoking the secret every consumer uses now. Renamed, or moved into a component? Add `aliases` naming " +
    'its old name or parent (e.g. aliases: [{ name: "old-name" }]). New (a new stack, or after pulumi ' +
    "state delete)? Set promoted: false, and promote in a later commit. Only for a deliberate emergency " +
    `that revokes the current secret now, also set ${EMERGENCY_INPUT} to that secret's last four characters.`
  );
}

/** `check`: why the emergency input's value cannot name a secret, or undefined when it can. */
export function emergencyInputProblem(value: unknown): string | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (typeof value === "string" && /^[\x21-\x7e]{4}$/.test(value)) {
    return undefined;
  }
  return (
    `${EMERGENCY_INPUT} must be the last four characters of the client secret to revoke (as the Stytch ` +
    'dashboard or the client\'s client_secret_last_four shows them), e.g. "a1b2"; ' +
    `got ${typeof value === "string" ? `a string of ${value.length} characters` : describeKind(value)}.`
  );
}

/**
 * Refuses a pending rotation's cancel while a consumer reports holding its secret, before any call.
 * `reported` are lists of what the consumers report, by position: the stored `consumerFingerprints`, and
 * the program's new ones when they are known. `action` says what would cancel the rotation.
 *
 * @throws {@link RotationConflictError} naming the consumers and what to do instead.
 */
export function assertNoConsumerHoldsPendingSecret(
  rotation: PendingRotation,
  reported: ReadonlyArray<unknown>,
  action: "replace" | "delete",
): void {
  if (rotation.status !== "pending") return;
  const lists = reported.filter(Array.isArray) as unknown[][];
  if (!lists.some((list) => list.some(isFingerprint))) return;
  const pending = fingerprintOfPending(rotation);
  const holders = new Set<number>();
  for (const list of lists) {
    list.forEach((fingerprint, i) => {
      if (fingerprint === pending) holders.add(i + 1);
    });
  }
  if (holders.size === 0) return;
  const numbers = [...holders].sort((a, b) => a - b);
  const who =
    numbers
      .map((n) => `consumer ${n} (consumerFingerprints[${n - 1}])`)
      .join(" and ") + (numbers.length === 1 ? " reports" : " report");
  const what =
    action === "replace"
      ? "changing clientId, clientKind or triggers starts a new rotation by cancelling this one"
      : "removing this rotation (or `pulumi destroy`) cancels it";
  throw new RotationConflictError(
    `The rotation of ${shownClientId(rotation.clientId)} is pending and ${who} holding its new secret ` +
      `(ending ${rotation.newClientSecretLastFour}, fingerprint ${pending}), but ${what}, which would ` +
      "revoke that secret and cut the consumer off. Nothing was changed at Stytch. Promote the rotation " +
      "instead (set promoted: true, or let promoteAfter do it); after that, the change revokes nothing. To " +
      "abandon it, first move every consumer back to the current secret, let each report that secret's " +
      'fingerprint (or ""), and run `pulumi up` so that this stack records it.',
  );
}

/** The pending secret's fingerprint: as stored, or computed for a state written in an older format. */
function fingerprintOfPending(rotation: PendingRotation): string {
  return isFingerprint(rotation.newClientSecretFingerprint)
    ? rotation.newClientSecretFingerprint
    : fingerprintOf(rotation.newClientSecret, rotation.clientId);
}
