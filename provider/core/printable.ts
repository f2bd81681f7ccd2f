/**
 * What a message may show of a value that might be a secret.
 *
 * A client secret pasted where a client id belongs, or a project secret set as the project id, would
 * otherwise be printed by every error that names the id (and by the engine, beside a failed property).
 * So an id is shown only when it has the shape of a Stytch id, whose prefixes are known; anything else is
 * described by its length and what it looks like, never by its characters.
 */

import { CLIENT_ID_PREFIXES } from "./stytch-types";

const STYTCH_CLIENT_ID = new RegExp(
  `^(${CLIENT_ID_PREFIXES.map(([prefix]) => prefix).join("|")})(test|live)-[A-Za-z0-9-]{1,100}$`,
);
const STYTCH_PROJECT_ID = /^project-(test|live)-[A-Za-z0-9-]{1,100}$/;
/** Stytch's generated client secrets are 44 base64url characters; custom ones are at least 8. */
const RANDOM_LOOKING = /^[A-Za-z0-9_-]{24,}$/;

/** True when `value` has the shape of a Stytch client id, so that a message may print it. */
export function isStytchShapedClientId(value: unknown): value is string {
  return typeof value === "string" && STYTCH_CLIENT_ID.test(value);
}

/** True when `value` has the shape of a Stytch project id. */
export function isStytchShapedProjectId(value: unknown): value is string {
  return typeof value === "string" && STYTCH_PROJECT_ID.test(value);
}

/**
 * A client id as a message shows it: itself when it has a Stytch id's shape, otherwise a placeholder that
 * gives only its length (a custom id chosen at client creation, or a secret pasted by mistake).
 */
export function shownClientId(clientId: string): string {
  return STYTCH_CLIENT_ID.test(clientId)
    ? clientId
    : `<client id of ${clientId.length} characters, not shown: it has no Stytch id prefix>`;
}

/**
 * Why `value`, given as a client id without a Stytch prefix, looks like a secret rather than an id, or
 * undefined when it does not. A generated client secret is 44 random base64url characters; a project
 * secret starts with `secret-`.
 */
export function secretLookingIdProblem(value: string): string | undefined {
  if (STYTCH_CLIENT_ID.test(value)) return undefined;
  if (/^secret-(test|live)-/.test(value)) {
    return "it starts with secret-, like a Stytch project secret";
  }
  const mixed =
    /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
  if (RANDOM_LOOKING.test(value) && mixed) {
    return `it is ${value.length} random-looking letters and digits, like a Stytch client secret`;
  }
  return undefined;
}

/**
 * A configuration value as a message shows it: itself when `safe` says it has the expected harmless shape,
 * otherwise its length and what it looks like.
 */
export function shownSetting(
  value: string,
  safe: (value: string) => boolean,
): string {
  if (safe(value)) return JSON.stringify(value);
  const looksLike = /^secret-(test|live)-/.test(value)
    ? ", starting with secret- like a Stytch project secret"
    : "";
  return `a value of ${value.length} characters${looksLike} (not shown)`;
}

/**
 * True when a message may quote `text`, a value given where a duration, a word or a window belongs: not
 * when it has the shape of a secret (a client secret pasted into the wrong input, a project secret, a
 * webhook signing secret), since the message would print it.
 */
export function mayQuote(text: string): boolean {
  return (
    secretLookingIdProblem(text) === undefined &&
    !/^(secret-(test|live)-|whsec_)/.test(text)
  );
}

/**
 * A short text as a message shows it: quoted when it is printable, at most 40 characters and not shaped
 * like a secret ({@link mayQuote}); otherwise only its length.
 */
export function shownText(text: string): string {
  return /^[\x20-\x7e]{1,40}$/.test(text) && mayQuote(text)
    ? JSON.stringify(text)
    : `a text of ${text.length} characters (not shown)`;
}

/** What kind of value `value` is ("a number", "a list", "null"), for a message that must not show it. */
export function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
