/**
 * `check`: which inputs are valid, and what a change of them means (a promotion, a new rotation), decided
 * from the inputs alone, before any call to Stytch.
 *
 * Any input may be Pulumi's unknown placeholder during preview (the output of a resource not created yet),
 * and `triggers` may hold unknowns among known values. Every rule is decided from what is known; a rule
 * that needs an unknown value is decided at apply time, when the engine calls `check` again with it.
 */
import { AUTOPILOT_INPUTS, autopilotProblems } from "./autopilot";
import { consumerEndpointsProblem } from "./consumer-endpoints";
import { UNKNOWN, isUnknown, withoutUnknowns } from "./engine-values";
import {
  describeKind,
  isStytchShapedClientId,
  mayQuote,
  secretLookingIdProblem,
  shownClientId,
  shownText,
} from "./printable";
import {
  EMERGENCY_INPUT,
  emergencyInputProblem,
  newResourcePromotionProblem,
} from "./revocation";
import type {
  CheckOutcome,
  ClientSecretRotationInputs,
  InputFailure,
  RawInputs,
} from "./types";
import {
  CLIENT_ID_PREFIXES,
  CLIENT_KINDS,
  type ClientKind,
} from "./stytch-types";

/** Stytch ids are far shorter; this bounds what a message or the state ever carries. */
const MAX_CLIENT_ID_LENGTH = 200;

/**
 * `triggers` are labels such as `{ quarter: "2026-Q4" }`, echoed into the state of every resource; a
 * large blob there is a mistake (a file read into the program, say), not a trigger.
 */
const MAX_TRIGGERS_JSON_LENGTH = 8 * 1024;

// URL "unreserved" characters (RFC 3986 §2.3): all a Stytch id is made of, and nothing that can change
// the meaning of a path (no "/", "%", "?", "#", "\\", whitespace, or look-alike Unicode).
const ID_CHARACTERS = /^[A-Za-z0-9._~-]*$/;

/** The inputs whose change starts a new rotation, i.e. replaces the resource. */
export const REPLACING_INPUTS = ["clientId", "clientKind", "triggers"] as const;

/** An input whose change starts a new rotation. */
export type ReplacingInput = (typeof REPLACING_INPUTS)[number];

/** The inputs that change a rotation in place: the promotion request and the autopilot policy. */
export const IN_PLACE_INPUTS = ["promoted", ...AUTOPILOT_INPUTS] as const;

/**
 * Which of some inputs change: those `known` to change, and those that `may` change once an unknown value
 * is known.
 */
export interface InputChanges<Name extends string> {
  known: Name[];
  may: Name[];
}

/** {@link InputChanges} of the inputs that start a new rotation. */
export type ReplacingChanges = InputChanges<ReplacingInput>;

/** `check`: validates and normalizes inputs. Never calls Stytch; never returns `undefined` in inputs. */
export function checkInputs(
  olds: Partial<ClientSecretRotationInputs>,
  news: RawInputs,
): CheckOutcome {
  const failures: InputFailure[] = [];
  // The engine prints the program's value beside a failed property: when that value has the shape of a
  // secret (pasted into the wrong input), the problem is reported as the resource's, printed without it.
  const fail = (property: keyof RawInputs, reason: string) =>
    failures.push({
      property: secretShaped(news[property]) ? "" : property,
      reason: withoutUnknowns(reason),
    });

  const clientId = news.clientId;
  const idProblem = isUnknown(clientId) ? undefined : clientIdProblem(clientId);
  // The engine prints the program's value beside a failed property ("property clientId value {…} has a
  // problem"), and a wrong client id may be a secret pasted in the wrong place: the problem is reported as
  // the resource's, which the engine prints without a value. The reason starts with the field's name.
  if (idProblem) failures.push({ property: "", reason: idProblem });

  const clientKind = resolveClientKind(news.clientKind, clientId, idProblem);
  if (clientKind.problem) fail("clientKind", clientKind.problem);

  const promoted = news.promoted ?? false;
  const promotedProblem = isUnknown(promoted)
    ? undefined
    : booleanProblem(promoted);
  if (promotedProblem) fail("promoted", promotedProblem);

  const triggers = news.triggers ?? {};
  const triggersProblem = isUnknown(triggers)
    ? undefined
    : triggersProblemOf(triggers);
  if (triggersProblem) fail("triggers", triggersProblem);

  // Optional inputs are kept only when given (null counts as not given), so that a program without them
  // stores exactly the inputs it did before they existed.
  const optional: Record<string, unknown> = {};
  for (const name of [...AUTOPILOT_INPUTS, EMERGENCY_INPUT] as const) {
    const value = news[name];
    if (value !== undefined && value !== null) optional[name] = value;
  }
  const emergency = optional[EMERGENCY_INPUT];
  const emergencyProblem = emergencyInputProblem(emergency);
  if (emergencyProblem) fail(EMERGENCY_INPUT, emergencyProblem);
  for (const { property, reason } of autopilotProblems(optional)) {
    // Where a fingerprint belongs, a wrong value may be the secret itself: as for clientId, the problem is
    // the resource's, which the engine prints without any value.
    if (property === "consumerFingerprints") {
      failures.push({ property: "", reason: withoutUnknowns(reason) });
    } else {
      fail(property as keyof RawInputs, reason);
    }
  }
  // The resource's problem too, for the same reason: the engine would print the URLs, whose paths or
  // queries may hold a token; the reason shows scheme and host only.
  const endpointsProblem = consumerEndpointsProblem(
    optional["consumerEndpoints"],
  );
  if (endpointsProblem) {
    failures.push({ property: "", reason: withoutUnknowns(endpointsProblem) });
  }

  if (failures.length === 0) {
    if (isExisting(olds)) {
      const changes = replacingChanges(olds, {
        clientId,
        clientKind: clientKind.value,
        triggers,
      });
      const problem = replacementPromotionProblem(promoted, changes);
      if (problem) fail("promoted", problem);
    } else {
      const problem = newResourcePromotionProblem(promoted, emergency);
      if (problem) fail("promoted", problem);
    }
  }

  // Only what the engine can carry: a key is left out rather than set to undefined.
  const inputs: Record<string, unknown> = { promoted, triggers, ...optional };
  if (clientId !== undefined) inputs["clientId"] = clientId;
  if (clientKind.value !== undefined) inputs["clientKind"] = clientKind.value;
  const result = {
    inputs: inputs as unknown as ClientSecretRotationInputs,
  };
  return failures.length > 0 ? { ...result, failures } : result;
}

/** True for a text input that has the shape of a secret (see {@link mayQuote}). */
function secretShaped(value: unknown): boolean {
  return typeof value === "string" && !mayQuote(value);
}

/**
 * Which of the inputs that start a new rotation differ between the old outputs and the new inputs,
 * decided where the new ones are known. `triggers` compare as JSON, ignoring key order.
 */
export function replacingChanges(
  olds: Partial<ClientSecretRotationInputs>,
  news: Partial<Record<ReplacingInput, unknown>>,
): ReplacingChanges {
  return inputChanges(
    { ...olds, triggers: olds.triggers ?? {} },
    { ...news, triggers: news.triggers ?? {} },
    REPLACING_INPUTS,
  );
}

/**
 * Which of `names` differ between the old inputs (as stored) and the new ones (which may hold unknowns),
 * decided where the new ones are known.
 */
export function inputChanges<Name extends string>(
  olds: Partial<Record<Name, unknown>>,
  news: Partial<Record<Name, unknown>>,
  names: readonly Name[],
): InputChanges<Name> {
  const changes: InputChanges<Name> = { known: [], may: [] };
  for (const name of names) {
    const comparison = compareKnown(olds[name], news[name]);
    if (comparison === "different") changes.known.push(name);
    if (comparison === "unknown") changes.may.push(name);
  }
  return changes;
}

/** True when the resource already exists: `olds` is empty when it is being created. */
export function isExisting(olds: Partial<ClientSecretRotationInputs>): boolean {
  return olds.clientId !== undefined;
}

/** The kind a client id's prefix names, if it has a known one. */
export function kindFromId(clientId: string): ClientKind | undefined {
  return CLIENT_ID_PREFIXES.find(([prefix]) =>
    clientId.startsWith(prefix),
  )?.[1];
}

/**
 * A value as the user wrote it, for a message: short, printable ASCII, and never Pulumi's internal
 * unknown placeholder.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && !mayQuote(value)) return shownText(value);
  // JSON.stringify returns undefined, whatever its type says, for a function or a symbol (shown as they
  // print) and for an object whose toJSON() does (shown as its type, not "[object Object]").
  const stringified = JSON.stringify(value) as string | undefined;
  const json = withoutUnknowns(
    stringified ??
      (typeof value === "function" || typeof value === "symbol"
        ? String(value)
        : typeof value),
  );
  // Look-alike and invisible characters (U+00A0, U+200B, …) are shown as escapes, so the user can see them.
  const visible = json.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const limit = 60;
  return visible.length <= limit
    ? visible
    : `${visible.slice(0, limit)}… (${visible.length} characters)`;
}

type Comparison = "same" | "different" | "unknown";

/**
 * Compares an old, known value with a new one that may hold unknowns. `different` as soon as a known part
 * differs; `unknown` when only unknown parts could make a difference.
 */
function compareKnown(old: unknown, now: unknown): Comparison {
  if (isUnknown(now)) return "unknown";
  if (Array.isArray(old) && Array.isArray(now)) {
    if (old.length !== now.length) return "different";
    return combine(old.map((item, i) => compareKnown(item, now[i])));
  }
  if (isRecord(old) && isRecord(now)) {
    const oldKeys = definedKeys(old);
    const newKeys = definedKeys(now);
    // A removed key is a known difference. An added key with an unknown value is not yet: the value may
    // resolve to undefined, which leaves the key out.
    if (oldKeys.some((key) => !newKeys.includes(key))) return "different";
    return combine(
      newKeys.map((key) =>
        key in old || !isUnknown(now[key])
          ? compareKnown(old[key], now[key])
          : "unknown",
      ),
    );
  }
  return old === now ? "same" : "different";
}

function combine(comparisons: Comparison[]): Comparison {
  if (comparisons.includes("different")) return "different";
  return comparisons.includes("unknown") ? "unknown" : "same";
}

function definedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).filter((key) => record[key] !== undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Why `promoted` cannot stay true through a change that replaces the resource, or undefined (also when the
 * change is unknown until apply).
 */
function replacementPromotionProblem(
  promoted: unknown,
  changes: ReplacingChanges,
): string | undefined {
  // A replacement is a create, and a create with promoted: true would complete at once. Carried over from
  // the old resource (a triggers bump that forgot to reset promoted, a clientId move), that would revoke
  // the secret every consumer uses before any of them has the new one: an outage nobody asked for. One
  // known change is enough to decide it, whatever else is unknown.
  if (promoted !== true || changes.known.length === 0) return undefined;
  return (
    `changing ${changes.known.join(" and ")} starts a new rotation, and promoted: true would complete it ` +
    "in the same `pulumi up`, revoking the secret in use before any consumer has the new one. Set " +
    "promoted: false in the same commit and promote in a later one. A replacement never completes at once; " +
    `for a deliberate emergency rotation, add a new resource (a new name) with promoted: true and ${EMERGENCY_INPUT}.`
  );
}

/**
 * Why a value cannot be a Stytch client id (a single URL path segment), or undefined if it can. Never
 * quotes the value: it may be a secret pasted in the wrong place.
 */
function clientIdProblem(value: unknown): string | undefined {
  const example = '"m2m-client-test-…" or "connected-app-test-…"';
  if (value === undefined || value === null) {
    return (
      "clientId is required: set it to the id of the Stytch M2M client or Connected App whose secret to " +
      `rotate, e.g. ${example}.`
    );
  }
  if (typeof value !== "string") {
    return `clientId must be a string, the id of a Stytch M2M client or Connected App (e.g. ${example}); got ${describeKind(value)}.`;
  }
  const copyIt = "copy the id exactly from the Stytch dashboard or API.";
  if (value.trim() === "") {
    return `clientId is empty${value === "" ? "" : " (only whitespace)"}: set it to the id of the Stytch M2M client or Connected App whose secret to rotate, e.g. ${example}.`;
  }
  const which = `clientId (${value.length} characters)`;
  if (value !== value.trim()) {
    return `${which} has leading or trailing whitespace; ${copyIt}`;
  }
  if (value.length > MAX_CLIENT_ID_LENGTH) {
    return `${which} is longer than ${MAX_CLIENT_ID_LENGTH} characters, so it cannot be a Stytch client id; ${copyIt}`;
  }
  const characters = [...value];
  const bad = characters.findIndex((c) => !ID_CHARACTERS.test(c));
  if (bad >= 0) {
    const codePoint = `U+${characters[bad]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    return (
      `${which} contains the character ${codePoint} at position ${bad + 1}, so it cannot be a Stytch client ` +
      `id (those hold only letters, digits, "-", "_", "." and "~"); ${copyIt}`
    );
  }
  if (!/^[A-Za-z0-9]/.test(value)) {
    return `${which} does not start with a letter or digit, so it cannot be a Stytch client id; ${copyIt}`;
  }
  const looksSecret = secretLookingIdProblem(value);
  if (looksSecret) {
    return (
      `${which} looks like a secret, not a client id: ${looksSecret}. A client id starts with m2m-client- or ` +
      `connected-app-; ${copyIt} If a secret was pasted here, treat it as exposed and rotate it.`
    );
  }
  return undefined;
}

/** The client kind to use (given, inferred, or unknown until apply), and why it is wrong if it is. */
function resolveClientKind(
  given: unknown,
  clientId: unknown,
  idProblem: string | undefined,
): { value: unknown; problem?: string } {
  const inferred =
    typeof clientId === "string" && !idProblem
      ? kindFromId(clientId)
      : undefined;
  if (isUnknown(given)) return { value: UNKNOWN };
  if (given === undefined || given === null) {
    if (isUnknown(clientId)) return { value: UNKNOWN };
    if (inferred || idProblem) return { value: inferred };
    return {
      value: undefined,
      problem:
        `cannot tell from clientId ${shownId(clientId)} whether it is an M2M client or a Connected App ` +
        '(it has neither the m2m-client- nor the connected-app- prefix); set clientKind to "m2m" or ' +
        '"connected_app".',
    };
  }
  if (
    typeof given !== "string" ||
    !(CLIENT_KINDS as readonly string[]).includes(given)
  ) {
    return {
      value: given,
      problem: `clientKind must be "m2m" or "connected_app" (or left out to infer it from clientId); got ${describeValue(given)}.`,
    };
  }
  if (inferred && inferred !== given) {
    return {
      value: given,
      problem:
        `clientKind "${given}" does not match clientId ${shownId(clientId)}, which is ` +
        `${inferred === "m2m" ? "an M2M client" : "a Connected App"} id; set clientKind to ` +
        `"${inferred}" or leave it out.`,
    };
  }
  return { value: given };
}

/** A client id for a message: quoted when it has a Stytch id's shape, otherwise only described. */
function shownId(clientId: unknown): string {
  if (typeof clientId !== "string") return describeKind(clientId);
  return isStytchShapedClientId(clientId)
    ? JSON.stringify(clientId)
    : shownClientId(clientId);
}

function booleanProblem(value: unknown): string | undefined {
  if (typeof value === "boolean") return undefined;
  if (value === "true" || value === "false") {
    return (
      `promoted must be a boolean, not the string ${describeValue(value)}: read it from config with ` +
      "config.getBoolean(…) or config.requireBoolean(…), not config.get(…)."
    );
  }
  return `promoted must be true or false (a boolean, not ${describeValue(value)}); it defaults to false.`;
}

function triggersProblemOf(value: unknown): string | undefined {
  if (!isRecord(value)) {
    return `triggers must be an object of values, e.g. { quarter: "2026-Q4" }; got ${describeValue(value)}.`;
  }
  const size = JSON.stringify(value).length;
  if (size > MAX_TRIGGERS_JSON_LENGTH) {
    return (
      `triggers is ${size} characters as JSON, more than ${MAX_TRIGGERS_JSON_LENGTH}: it is stored with every ` +
      'rotation, so keep it to short labels such as { quarter: "2026-Q4" }.'
    );
  }
  return undefined;
}
