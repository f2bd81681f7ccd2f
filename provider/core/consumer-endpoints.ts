/**
 * Evidence from running consumers: `consumerEndpoints`, the URLs at which consumer services answer the
 * fingerprint of the secret their running processes use (`pulumi-stytch-client-secret-rotation/consumer`
 * serves it). `consumerFingerprints` says what a consumer's deployment was given; an endpoint says what the
 * process that is running now holds, so a service that has not restarted onto the new secret keeps the
 * promotion waiting.
 *
 * The rules, the same as for `consumerFingerprints`:
 *
 * - **Promotion** waits until every endpoint reports the new secret's fingerprint. An endpoint that is
 *   down, slow, redirects or answers anything but a fingerprint report holds the promotion too: it is not
 *   evidence that the consumer switched. Each endpoint gets one attempt per `up`, within
 *   {@link ENDPOINT_TIMEOUT_MS}, at most {@link ENDPOINT_MAX_BYTES} of answer, no redirect followed.
 * - **Cancel** (a removal, `pulumi destroy`, or the delete half of a replacement) is refused while an
 *   endpoint reports the pending secret's fingerprint, or cannot be read (it may hold it). This is read at
 *   apply time, in `delete`: `diff` runs in `pulumi preview`, which makes no call to any endpoint, so a
 *   preview of such a change cannot show the refusal; the `up` stops before the cancel.
 *
 * Only `update` (a due or requested promotion) and `delete` read endpoints: `check`, `diff` and `read`
 * never do, so `pulumi preview`, a no-change `up` and `pulumi refresh` make no request to them. Messages
 * show an endpoint as its position and its scheme and host only: a path or query may carry a token.
 */
import { isUnknown } from "./engine-values";
import { RotationConflictError } from "./errors";
import {
  fingerprintOf,
  isFingerprint,
  isRetiredFingerprint,
} from "./fingerprint";
import { isLoopbackHost } from "./credentials";
import {
  exchange,
  loadNodeFetch,
  redirectHost,
  type FetchLike,
} from "./http-exchange";
import { describeKind, shownClientId } from "./printable";

/** The input that lists the endpoints. */
export const CONSUMER_ENDPOINTS_INPUT = "consumerEndpoints";

/** How long one endpoint may take to answer, body included. */
export const ENDPOINT_TIMEOUT_MS = 2_000;

/** The largest answer read from an endpoint; a fingerprint report is about 120 bytes. */
export const ENDPOINT_MAX_BYTES = 4_096;

/** The most endpoints one rotation may list: each is a request on every promotion attempt. */
export const MAX_ENDPOINTS = 50;

/**
 * What a consumer's endpoint answers (`200`, `application/json`): the client whose secret it holds and
 * that secret's fingerprint, `""` when it holds none.
 */
export interface FingerprintReport {
  /** The id of the Stytch client whose secret the consumer uses. */
  clientId: string;
  /** `secretFingerprint(secret, clientId)` of the secret the running process uses, or `""`. */
  fingerprint: string;
}

/** What one endpoint said: the fingerprint it reports (`""` for none), or why it gave none. */
export type EndpointReading = { index: number; shown: string } & (
  { fingerprint: string } | { problem: string }
);

/** An endpoint URL as anything prints it: scheme, host and port only; never its path or query. */
export function endpointOrigin(url: unknown): string {
  if (typeof url !== "string") return "(not a URL)";
  try {
    return new URL(url).origin;
  } catch {
    return "(not a URL)";
  }
}

/** An endpoint as messages show it: `consumerEndpoints[i] (scheme://host:port)`. */
export function shownEndpoint(url: string, index: number): string {
  return `${CONSUMER_ENDPOINTS_INPUT}[${index}] (${endpointOrigin(url)})`;
}

/**
 * `check`: why `consumerEndpoints` cannot be used, or undefined. A URL is never quoted back beyond its
 * scheme and host. Unknown entries (outputs of resources not created yet) are left to apply time.
 */
export function consumerEndpointsProblem(value: unknown): string | undefined {
  if (value === undefined || isUnknown(value)) return undefined;
  if (!Array.isArray(value)) {
    return (
      `${CONSUMER_ENDPOINTS_INPUT} must be a list of URLs at which consumer services answer the fingerprint ` +
      `of the secret they use (e.g. ["https://billing.internal/stytch-fingerprint"]); got ${describeKind(value)}.`
    );
  }
  if (value.length > MAX_ENDPOINTS) {
    return `${CONSUMER_ENDPOINTS_INPUT} lists ${value.length} endpoints; at most ${MAX_ENDPOINTS}.`;
  }
  for (const [index, item] of value.entries()) {
    if (isUnknown(item)) continue;
    const problem = endpointProblem(item);
    if (problem) return `${CONSUMER_ENDPOINTS_INPUT}[${index}] ${problem}`;
  }
  return undefined;
}

function endpointProblem(item: unknown): string | undefined {
  if (typeof item !== "string") {
    return `must be a URL string; got ${describeKind(item)}.`;
  }
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return `is not a valid absolute URL (a string of ${item.length} characters, not shown); write it as https://host/path.`;
  }
  if (url.username || url.password) {
    return (
      "must not contain credentials (user:password@): the URL is stored in the state in plaintext. " +
      "An endpoint answers a fingerprint, which is not secret, so it needs none."
    );
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:") {
    return isLoopbackHost(url.hostname)
      ? undefined
      : `(${url.origin}) uses plain http:// on a non-loopback host; use https://, or http:// only for 127.0.0.1, localhost or [::1].`;
  }
  return `must start with https:// (or http:// on loopback); it starts with ${JSON.stringify(url.protocol.slice(0, 20))}.`;
}

/** Options of {@link readEndpoints}: how to send. */
export interface EndpointReadOptions {
  /** @default node-fetch */
  fetch?: FetchLike;
  /** @default {@link ENDPOINT_TIMEOUT_MS} */
  timeoutMs?: number;
}

/**
 * Reads every endpoint once, all at the same time, so that an `up` waits at most one timeout for all of
 * them. Never throws: a failure is a reading with a `problem`.
 */
export function readEndpoints(
  endpoints: readonly string[],
  clientId: string,
  options: EndpointReadOptions = {},
): Promise<EndpointReading[]> {
  return Promise.all(
    endpoints.map((url, index) => readEndpoint(url, index, clientId, options)),
  );
}

async function readEndpoint(
  url: string,
  index: number,
  clientId: string,
  options: EndpointReadOptions,
): Promise<EndpointReading> {
  const shown = shownEndpoint(url, index);
  const timeoutMs = options.timeoutMs ?? ENDPOINT_TIMEOUT_MS;
  const problem = (text: string): EndpointReading => ({
    index,
    shown,
    problem: text,
  });
  const answer = await exchange(
    options.fetch ?? loadNodeFetch,
    url,
    {
      method: "GET",
      headers: {
        Accept: "application/json",
        "User-Agent": "pulumi-stytch-client-secret-rotation",
      },
      size: ENDPOINT_MAX_BYTES,
    },
    timeoutMs,
  );
  if (!answer.answered) {
    if (answer.timedOut) {
      return problem(`did not answer within ${timeoutMs} ms`);
    }
    const { type, code } = (answer.error ?? {}) as {
      type?: unknown;
      code?: unknown;
    };
    if (type === "max-size") {
      return problem(
        `answered with more than ${ENDPOINT_MAX_BYTES} bytes, which is not a fingerprint report`,
      );
    }
    return problem(
      `could not be reached (${typeof code === "string" ? code : "connection failed"})`,
    );
  }
  const { response, text } = answer;
  if (response.status >= 300 && response.status < 400) {
    return problem(
      `answered ${response.status} with a redirect to ${redirectHost(response, url)}, which is not followed`,
    );
  }
  if (response.status !== 200) {
    return problem(
      `answered ${response.status}, not 200 with a fingerprint report`,
    );
  }
  const report = parseReport(text);
  if (typeof report === "string") return problem(report);
  if (report.clientId !== undefined && report.clientId !== clientId) {
    return problem(
      `reports the secret of another client (${shownClientId(report.clientId)}), not ${shownClientId(clientId)}`,
    );
  }
  return { index, shown, fingerprint: report.fingerprint };
}

/** A fingerprint report from an answer's body, or why the body is not one. Never quotes the body. */
function parseReport(
  text: string,
): { fingerprint: string; clientId?: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `answered 200 with ${text.length} characters that are not JSON, not a fingerprint report`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `answered 200 with JSON that is ${describeKind(value)}, not a fingerprint report object`;
  }
  const { fingerprint, clientId } = value as Record<string, unknown>;
  if (isRetiredFingerprint(fingerprint)) {
    return (
      'reports a version-1 fingerprint ("sfp1:…"), which is no longer accepted: upgrade the consumer to ' +
      "this version of the package"
    );
  }
  if (fingerprint !== "" && !isFingerprint(fingerprint)) {
    return 'answered 200 without a "fingerprint" ("sfp2:…", or "" for none), not a fingerprint report';
  }
  return typeof clientId === "string"
    ? { fingerprint, clientId }
    : { fingerprint };
}

/**
 * Why the running consumers block promotion, or undefined when every endpoint reports `newFingerprint`
 * (or none is listed, in which case no request is made).
 */
export async function endpointBlocker(
  endpoints: readonly string[] | undefined,
  clientId: string,
  newFingerprint: string,
  options: EndpointReadOptions = {},
): Promise<string | undefined> {
  if (!endpoints || endpoints.length === 0) return undefined;
  const readings = await readEndpoints(endpoints, clientId, options);
  const behind = readings.filter(
    (reading) =>
      !("fingerprint" in reading) || reading.fingerprint !== newFingerprint,
  );
  if (behind.length === 0) return undefined;
  const which = behind
    .map((reading) =>
      "problem" in reading
        ? `${reading.shown} ${reading.problem}`
        : reading.fingerprint === ""
          ? `${reading.shown} reports none`
          : `${reading.shown} reports ${reading.fingerprint}`,
    )
    .join(", ");
  return (
    `consumer endpoints have not switched: ${which}, not the new secret's ${newFingerprint} ` +
    `(${behind.length} of ${readings.length} behind)`
  );
}

/**
 * The fingerprint that running consumers report once they hold the pending secret: the stored output, or,
 * for a rotation whose outputs do not hold it (started before it had autopilot inputs), computed from the
 * secret. Never `""`: an endpoint that reports none must not match a rotation that lacks the output.
 */
export function pendingFingerprint(
  rotation: Pick<
    EndpointGuardedRotation,
    "clientId" | "newClientSecret" | "newClientSecretFingerprint"
  >,
): string {
  return isFingerprint(rotation.newClientSecretFingerprint)
    ? rotation.newClientSecretFingerprint
    : fingerprintOf(rotation.newClientSecret, rotation.clientId);
}

/** What the delete rule reads of a pending rotation's stored outputs. */
export interface EndpointGuardedRotation {
  clientId: string;
  status: string;
  newClientSecret: string;
  newClientSecretLastFour: string;
  newClientSecretFingerprint?: string;
  consumerEndpoints?: string[];
}

/**
 * Refuses a pending rotation's cancel while a running consumer reports holding its secret, or cannot be
 * read (it may hold it), before any call to Stytch. Called at apply time only (`delete`), never in
 * `diff`: a preview makes no request to an endpoint.
 *
 * @throws {@link RotationConflictError} naming each such endpoint and what to do instead.
 */
export async function assertNoEndpointHoldsPendingSecret(
  rotation: EndpointGuardedRotation,
  options: EndpointReadOptions = {},
): Promise<void> {
  const endpoints = rotation.consumerEndpoints;
  if (rotation.status !== "pending" || !endpoints || endpoints.length === 0) {
    return;
  }
  const pending = pendingFingerprint(rotation);
  const readings = await readEndpoints(endpoints, rotation.clientId, options);
  const holding = readings.filter(
    (reading) => !("fingerprint" in reading) || reading.fingerprint === pending,
  );
  if (holding.length === 0) return;
  const who = holding
    .map((reading) =>
      "problem" in reading
        ? `${reading.shown} ${reading.problem}, so it may hold it`
        : `${reading.shown} reports holding it`,
    )
    .join("; ");
  throw new RotationConflictError(
    `The rotation of ${shownClientId(rotation.clientId)} is pending and its new secret (ending ` +
      `${rotation.newClientSecretLastFour}, fingerprint ${pending}) may be in use by a running consumer: ` +
      `${who}. Removing this rotation, \`pulumi destroy\` or a change of clientId, clientKind or triggers ` +
      "cancels it, which would revoke that secret and cut the consumer off. Nothing was changed at Stytch. " +
      "Promote the rotation instead (set promoted: true, or let promoteAfter do it). To abandon it, first " +
      "move every consumer back to the current secret; an endpoint of a consumer that is gone for good is " +
      `removed from ${CONSUMER_ENDPOINTS_INPUT} with a \`pulumi up\` before the change that cancels.`,
  );
}
