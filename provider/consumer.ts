/**
 * `pulumi-stytch-client-secret-rotation/consumer`: what a consumer service needs to tell a rotation which
 * secret its running process uses, for the rotation's `consumerEndpoints`. It imports nothing from Pulumi,
 * so a service installs the package without running any Pulumi program.
 *
 * ## Example
 *
 * ```ts
 * import * as http from "node:http";
 * import { fingerprintHandler } from "pulumi-stytch-client-secret-rotation/consumer";
 *
 * const secret = process.env["BILLING_WORKER_SECRET"]!; // read once, at start: a new secret needs a restart
 * const fingerprint = fingerprintHandler({
 *   clientId: "m2m-client-test-…",
 *   secret: () => secret,
 * });
 * http
 *   .createServer((req, res) =>
 *     req.url === "/stytch-fingerprint" ? fingerprint(req, res) : res.writeHead(404).end(),
 *   )
 *   .listen(8080);
 * ```
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FingerprintReport } from "./core/consumer-endpoints";
import { fingerprintOf } from "./core/fingerprint";

export type { FingerprintReport } from "./core/consumer-endpoints";

/** Options of {@link fingerprintHandler} and {@link fingerprintReport}. */
export interface FingerprintHandlerOptions {
  /** The id of the Stytch client whose secret the service uses (the rotation's `clientId`). */
  clientId: string;
  /**
   * Returns the client secret the running process uses now, or `undefined` (or `""`) while it has none.
   * Called on every request, so it reflects a secret reloaded without a restart. Its value never leaves
   * the process: only its fingerprint is answered.
   */
  secret: () => string | undefined;
}

/**
 * The report a consumer's endpoint answers: the client id and the fingerprint of the secret in use (`""`
 * when there is none), for a service whose framework is not `node:http` (serialize it as JSON, status 200).
 * The fingerprint costs about 0.1 s and 32 MiB of scrypt once per secret; it is kept for the last secret
 * seen, so repeated calls are cheap.
 */
export function fingerprintReport(
  options: FingerprintHandlerOptions,
): FingerprintReport {
  return reporter(options)();
}

/**
 * A `node:http` request handler (`(req, res) => void`, also usable as an Express or Connect route) that
 * answers `GET` (and `HEAD`) with the {@link fingerprintReport} as JSON: what a rotation's
 * `consumerEndpoints` reads. Mount it on a path of your service's internal port; it needs no
 * authentication (a fingerprint is not secret, though it does let whoever reads it test guesses at a weak
 * custom secret offline). Any other method gets `405`; a `secret()` that throws gets `500` with a message
 * that holds none of the error's text.
 */
export function fingerprintHandler(
  options: FingerprintHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const report = reporter(options);
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      answer(res, 405, { error: "only GET and HEAD" }, { Allow: "GET, HEAD" });
      return;
    }
    let body: FingerprintReport;
    try {
      body = report();
    } catch {
      // The error's text is not answered: it could quote the secret or where it is kept.
      answer(res, 500, { error: "the secret in use could not be read" });
      return;
    }
    answer(res, 200, body, {}, req.method === "HEAD");
  };
}

/** A report function that computes the fingerprint once per secret. */
function reporter(options: FingerprintHandlerOptions): () => FingerprintReport {
  if (typeof options.clientId !== "string" || options.clientId === "") {
    throw new TypeError(
      "fingerprintHandler: clientId must be the id of the Stytch client whose secret the service uses.",
    );
  }
  let last: { secret: string; fingerprint: string } | undefined;
  return () => {
    const secret = options.secret() ?? "";
    if (secret === "") return { clientId: options.clientId, fingerprint: "" };
    if (last?.secret !== secret) {
      last = { secret, fingerprint: fingerprintOf(secret, options.clientId) };
    }
    return { clientId: options.clientId, fingerprint: last.fingerprint };
  };
}

function answer(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
  headOnly = false,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    // A proxy must not answer an old fingerprint after the process restarted onto a new secret.
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(headOnly ? undefined : text);
}
