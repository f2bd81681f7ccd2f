/**
 * One HTTP exchange with a hard deadline and no redirect followed: what every request of the core is made
 * of, whether it goes to Stytch (`stytch-client.ts`) or to a consumer's fingerprint endpoint
 * (`consumer-endpoints.ts`). The caller decides what an answer means and how a failure is reported; this
 * module only guarantees that the exchange ends by the deadline, body included, and that a redirect comes
 * back as an answer instead of being followed to the host it names.
 */
import type { RequestInit, Response } from "node-fetch";

/** The fetch signature the core needs (node-fetch's); injectable so tests can observe calls. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** What {@link exchange} got: a whole answer, or why there is none. */
export type Exchange =
  | { answered: true; response: Response; text: string }
  | {
      answered: false;
      /** True when the deadline cut the exchange short (before or during the body). */
      timedOut: boolean;
      /** What fetch threw; never printed whole (its message holds the URL). */
      error: unknown;
    };

/**
 * Sends one request and reads the whole answer within `timeoutMs`. Never retries, never follows a
 * redirect (`redirect: "manual"`: a 3xx is returned as it came). A body over `init.size` bytes fails the
 * exchange (node-fetch's `max-size`).
 */
export async function exchange(
  fetchImpl: FetchLike,
  url: string,
  init: Omit<RequestInit, "redirect" | "signal">,
  timeoutMs: number,
): Promise<Exchange> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url, {
      ...init,
      // A redirect would carry whatever the request carries (credentials, a client secret) to the host it
      // names, or make a consumer's answer come from somewhere else: it is reported, never followed.
      redirect: "manual",
      signal: controller.signal as RequestInit["signal"],
    });
    const text = await response.text();
    return { answered: true, response, text };
  } catch (error) {
    return { answered: false, timedOut: controller.signal.aborted, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * node-fetch, loaded on the first request rather than with this module: `check` and `diff` never make a
 * request, and loading it is most of what the provider process spends on modules (about 17 ms, measured
 * with `--cpu-prof`), which every preview and no-change `up` would otherwise pay.
 */
export const loadNodeFetch: FetchLike = (url, init) =>
  (require("node-fetch") as typeof import("node-fetch")).default(url, init);

/** The host a redirect names (never its path or query, which could carry anything), or why there is none. */
export function redirectHost(response: Response, requestUrl: string): string {
  const location = response.headers.get("location");
  if (!location) return "no address (no Location header)";
  try {
    return `host ${new URL(location, requestUrl).host}`;
  } catch {
    return "an address that is not a valid URL";
  }
}
