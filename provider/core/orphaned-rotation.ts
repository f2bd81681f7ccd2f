/**
 * Recovery from an interrupted `pulumi up`: which pending rotation this stack may cancel although it does
 * not hold its secret.
 *
 * When the engine dies (a killed runner, an OOM, a pipeline timeout) after Stytch applied rotate/start but
 * before the state was written, the rotation stays pending and its secret is lost: nobody holds it. The
 * next `up` finds a pending rotation that its state does not know, and cannot tell it from one that
 * someone else started and whose secret someone may hold. So it cancels one only when the stack config
 * names it exactly, the client and the last four characters of that rotation's next secret:
 *
 * ```sh
 * pulumi config set --path 'stytch:cancelOrphanedRotation["m2m-client-test-…"]' a1b2
 * ```
 *
 * The error that stops the `up` prints that command, ready to paste. It is a Pulumi-level action, taken
 * with the pipeline's own credentials, and it matches no rotation but the one it names.
 */
import { ConfigurationError } from "./errors";
import { describeKind, isStytchShapedClientId } from "./printable";

// The stack config key that holds the authorizations. Its TSDoc is the setting's description in the native
// provider's schema (`npm run schema`), and so in every SDK.
/**
 * Recovery after an interrupted `pulumi up`: client id → the last four characters of the next secret of
 * the one pending rotation that this stack may cancel although it does not hold its secret. The error that
 * needs it prints the command that sets it.
 */
export const ORPHAN_AUTHORIZATION_KEY = "stytch:cancelOrphanedRotation";

/** Client id → last four characters of the next secret of the one orphaned rotation to cancel. */
export type OrphanAuthorizations = ReadonlyMap<string, string>;

/**
 * Reads the authorizations from the raw config value (a JSON object, as `pulumi config set --path` makes
 * it, or absent).
 *
 * @throws {@link ConfigurationError} naming the key and the form it takes, before any call to Stytch.
 */
export function parseOrphanAuthorizations(raw: unknown): OrphanAuthorizations {
  if (raw === undefined || raw === null || raw === "") return new Map();
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  const entries =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Object.entries(value)
      : undefined;
  if (
    !entries ||
    entries.some(([, lastFour]) => typeof lastFour !== "string")
  ) {
    throw new ConfigurationError(
      `${ORPHAN_AUTHORIZATION_KEY} must map client ids to the last four characters of the one pending ` +
        "rotation to cancel, as `pulumi config set --path " +
        `'${ORPHAN_AUTHORIZATION_KEY}["<client id>"]' <last four>\` sets it; got ${describeKind(value)}. ` +
        `Fix it, or remove it with \`pulumi config rm ${ORPHAN_AUTHORIZATION_KEY}\`.`,
    );
  }
  return new Map(entries as Array<[string, string]>);
}

/** True when the stack config authorizes cancelling the pending rotation whose next secret ends in `nextLastFour`. */
export function authorizesCancel(
  authorizations: OrphanAuthorizations,
  clientId: string,
  nextLastFour: string,
): boolean {
  return authorizations.get(clientId) === nextLastFour;
}

/** The one command that authorizes cancelling exactly this rotation, ready to paste. */
export function authorizeCommand(
  clientId: string,
  nextLastFour: string,
): string {
  // A value starting with "-" would be read as a flag without the "--".
  const endOfFlags = nextLastFour.startsWith("-") ? "-- " : "";
  return `pulumi config set --path ${endOfFlags}${shellQuote(authorizationPath(clientId))} ${shellQuote(nextLastFour)}`;
}

/** The command that removes a spent authorization. */
export function revokeCommand(clientId: string): string {
  return `pulumi config rm --path ${shellQuote(authorizationPath(clientId))}`;
}

function authorizationPath(clientId: string): string {
  // An id without a Stytch shape is never printed (it might be a secret): the command names it instead.
  const key = isStytchShapedClientId(clientId)
    ? clientId
    : "<the rotation's clientId>";
  return `${ORPHAN_AUTHORIZATION_KEY}[${JSON.stringify(key)}]`;
}

/** POSIX shell single quoting; a plain word stays as it is, so the common command reads naturally. */
function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.:\/-]+$/.test(word) && !word.startsWith("-")) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
