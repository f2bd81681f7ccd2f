/**
 * Fault rules: what the emulator does wrong on purpose, so that tests can exercise a client's retry,
 * timeout and reconciliation logic (docs/stytch-api.md, "Errors": the SDKs have none of it).
 *
 * Rules are matched in injection order; the first one that matches and still has `times` left applies to
 * the request and is decremented. Exhausted rules are dropped.
 */

/**
 * One fault to inject. The match fields (`method`, `route`, `clientId`) narrow which requests it affects;
 * the action fields say what happens to them. At most one of `status`, `reset`, `dropResponse`,
 * `answerDelayMs`, `redirectTo` and `omitFields` may be set; `delayMs` combines with any of them.
 */
export interface FaultRule {
  /** HTTP method to match, e.g. `"POST"` (case-insensitive). Default: any. */
  method?: string;
  /**
   * Route template to match, e.g. `"/v1/m2m/clients/:client_id/secrets/rotate/start"`. Default: any
   * request, including those to unknown paths. Must be one of the emulator's templates.
   */
  route?: string;
  /**
   * Only requests whose decoded `:client_id` path parameter equals this. Requests without one (the token,
   * introspection and key set endpoints) never match such a rule. Default: any.
   */
  clientId?: string;
  /** How many matching requests the rule affects. Default 1; `Infinity` for all of them. */
  times?: number;
  /**
   * Wait this long before handling. The request is then handled normally unless another field says
   * otherwise, and it is applied even if the client gave up meanwhile, which is what makes client
   * timeouts ambiguous against a real server.
   */
  delayMs?: number;
  /** Answer with this status (400–599) and a Stytch error body WITHOUT applying the request. */
  status?: number;
  /** `error_type` of that body. Default by status: 429 `too_many_requests`, 500 `internal_server_error`, … */
  errorType?: string;
  /** `Retry-After` header value sent with `status`, e.g. `"2"` or an HTTP date. */
  retryAfter?: string;
  /** Reset the connection (TCP RST) before applying the request: the change is NOT applied. */
  reset?: boolean;
  /**
   * Apply the request, then close the connection without answering: "the response was lost after the
   * change was applied", e.g. a rotate/start whose new secret never reaches the client.
   */
  dropResponse?: boolean;
  /**
   * Apply the request, then wait this long before answering: the change has landed while its answer is
   * still in flight, e.g. for a test that kills the caller at that moment. `close()` drops the answer.
   */
  answerDelayMs?: number;
  /**
   * Answer `307 Temporary Redirect` with this `Location` WITHOUT applying the request: a proxy or a wrong
   * base URL that sends the caller elsewhere. A client that follows it would repeat the request, with its
   * credentials, at that address.
   */
  redirectTo?: string;
  /**
   * Apply the request, then answer without these fields (at any depth of the JSON body): an answer that
   * API drift or a proxy that rewrites bodies left unusable, e.g. `["next_client_secret"]` on rotate/start.
   */
  omitFields?: string[];
}

/** Injects and clears fault rules on a running emulator. */
export interface FaultController {
  /**
   * Adds a rule after the existing ones.
   * @throws TypeError / RangeError for a rule that is malformed or could never match (unknown route).
   */
  inject(rule: FaultRule): void;
  /** Removes every rule, spent or not. */
  clear(): void;
  /** How many rules still have `times` left. */
  pending(): number;
}

/** What a rule is matched against: one incoming request. */
export interface FaultTarget {
  method: string;
  route: string | null;
  clientId: string | null;
}

/** The longest delay setTimeout honours. */
const MAX_DELAY_MS = 2 ** 31 - 1;

const RULE_KEYS: ReadonlySet<string> = new Set([
  "method",
  "route",
  "clientId",
  "times",
  "delayMs",
  "status",
  "errorType",
  "retryAfter",
  "reset",
  "dropResponse",
  "answerDelayMs",
  "redirectTo",
  "omitFields",
]);

/** The emulator's ordered list of fault rules. */
export class FaultList implements FaultController {
  private rules: Array<{ rule: Readonly<FaultRule>; remaining: number }> = [];

  /** @param knownRoutes Route templates a rule may name; anything else is a typo that would never match. */
  constructor(private readonly knownRoutes: ReadonlySet<string>) {}

  /** {@inheritDoc FaultController.inject} */
  inject(rule: FaultRule): void {
    validateFaultRule(rule, this.knownRoutes);
    this.rules.push({
      rule: { ...rule, method: rule.method?.toUpperCase() },
      remaining: rule.times ?? 1,
    });
  }

  /** {@inheritDoc FaultController.clear} */
  clear(): void {
    this.rules = [];
  }

  /** {@inheritDoc FaultController.pending} */
  pending(): number {
    return this.rules.length;
  }

  /** Finds the first matching rule with `times` left, consumes one use of it and returns it. */
  take(target: FaultTarget): Readonly<FaultRule> | null {
    const index = this.rules.findIndex(({ rule }) => matches(rule, target));
    const entry = this.rules[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.rules.splice(index, 1);
    return entry.rule;
  }
}

function matches(rule: Readonly<FaultRule>, target: FaultTarget): boolean {
  return (
    (rule.method === undefined || rule.method === target.method) &&
    (rule.route === undefined || rule.route === target.route) &&
    (rule.clientId === undefined || rule.clientId === target.clientId)
  );
}

/**
 * Checks a rule's shape and values. Used both for in-process rules and for rules posted as JSON to
 * `/_emulator/faults`, so unknown keys (a typo like `drop_response`) are rejected rather than ignored.
 * @throws TypeError for a wrong type or unknown key, RangeError for an out-of-range value.
 */
export function validateFaultRule(
  value: unknown,
  knownRoutes: ReadonlySet<string>,
): asserts value is FaultRule {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("A fault rule must be an object.");
  }
  const rule = value as Record<string, unknown>;
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key)) {
      throw new TypeError(`Unknown fault rule field "${key}".`);
    }
  }
  for (const key of [
    "method",
    "route",
    "clientId",
    "errorType",
    "retryAfter",
    "redirectTo",
  ]) {
    if (rule[key] !== undefined && typeof rule[key] !== "string") {
      throw new TypeError(`Fault rule field "${key}" must be a string.`);
    }
  }
  for (const key of ["reset", "dropResponse"]) {
    if (rule[key] !== undefined && typeof rule[key] !== "boolean") {
      throw new TypeError(`Fault rule field "${key}" must be a boolean.`);
    }
  }
  for (const key of ["times", "delayMs", "status", "answerDelayMs"]) {
    if (rule[key] !== undefined && typeof rule[key] !== "number") {
      throw new TypeError(`Fault rule field "${key}" must be a number.`);
    }
  }
  const omitFields = rule["omitFields"];
  if (
    omitFields !== undefined &&
    !(
      Array.isArray(omitFields) &&
      omitFields.length > 0 &&
      omitFields.every((field) => typeof field === "string" && field !== "")
    )
  ) {
    throw new TypeError(
      'Fault rule field "omitFields" must be a non-empty list of field names.',
    );
  }
  const redirectTo = rule["redirectTo"];
  if (typeof redirectTo === "string" && !URL.canParse(redirectTo)) {
    throw new RangeError(
      "Fault rule redirectTo must be an absolute URL, e.g. http://127.0.0.1:9/elsewhere.",
    );
  }
  const { times, delayMs, status, route } = rule as FaultRule;
  if (
    times !== undefined &&
    !(times === Infinity || (Number.isInteger(times) && times >= 1))
  ) {
    throw new RangeError(
      "Fault rule times must be a positive integer or Infinity.",
    );
  }
  // setTimeout fires at once beyond 2^31 - 1 ms, which would silently turn a delay into none.
  for (const key of ["delayMs", "answerDelayMs"] as const) {
    const ms = (rule as FaultRule)[key];
    if (
      ms !== undefined &&
      !(Number.isFinite(ms) && ms >= 0 && ms <= MAX_DELAY_MS)
    ) {
      throw new RangeError(
        `Fault rule ${key} must be a number from 0 to ${MAX_DELAY_MS}.`,
      );
    }
  }
  // Node refuses to send a header value with control or non-Latin-1 characters, which would turn the
  // injected status into a dropped connection.
  const { retryAfter } = rule as FaultRule;
  if (retryAfter !== undefined && !/^[\x20-\x7e]+$/.test(retryAfter)) {
    throw new RangeError(
      'Fault rule retryAfter must be printable ASCII, e.g. "2" or an HTTP date.',
    );
  }
  if (
    status !== undefined &&
    !(Number.isInteger(status) && status >= 400 && status <= 599)
  ) {
    throw new RangeError(
      "Fault rule status must be an integer from 400 to 599.",
    );
  }
  if (route !== undefined && !knownRoutes.has(route)) {
    throw new RangeError(
      `Fault rule route "${route}" is not an emulator route; use a template such as "/v1/m2m/clients/:client_id/secrets/rotate/start".`,
    );
  }
  const actions = [
    status !== undefined,
    rule["reset"] === true,
    rule["dropResponse"] === true,
    rule["answerDelayMs"] !== undefined,
    redirectTo !== undefined,
    omitFields !== undefined,
  ];
  if (actions.filter(Boolean).length > 1) {
    throw new TypeError(
      "A fault rule may set only one of status, reset, dropResponse, answerDelayMs, redirectTo and omitFields.",
    );
  }
  if (!actions.some(Boolean) && delayMs === undefined) {
    throw new TypeError(
      "A fault rule must do something: set delayMs, status, reset, dropResponse, answerDelayMs, redirectTo or omitFields.",
    );
  }
  if (
    (rule["errorType"] !== undefined || rule["retryAfter"] !== undefined) &&
    status === undefined
  ) {
    throw new TypeError(
      "Fault rule errorType and retryAfter only apply together with status.",
    );
  }
}
