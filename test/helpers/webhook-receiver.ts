/**
 * A webhook receiver on loopback, as a team's would be: it records every delivery, checks each one with
 * the Standard Webhooks reference library (`standardwebhooks`, by the specification's authors) and reads
 * it with the CloudEvents SDK (`cloudevents`), so the tests judge the events by implementations other than
 * the provider's own. It can be made to answer 500, to answer too late, or to be down.
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudEvent, HTTP, type CloudEventV1 } from "cloudevents";
import { Webhook } from "standardwebhooks";

/** How the receiver answers. */
export type ReceiverMode =
  /** 204 at once. */
  | { kind: "ok" }
  /** 500 at once, every time. */
  | { kind: "error" }
  /** 204 after `delayMs`: slower than the provider waits when that is longer than its deadline. */
  | { kind: "slow"; delayMs: number }
  /** Nothing listens at its address. */
  | { kind: "down" };

/** One delivery, as received. */
export interface Delivery {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether the signature verified with the receiver's secret (`standardwebhooks`). */
  verified: boolean;
  /** The event as the CloudEvents SDK reads it (structured mode), or why it could not. */
  event: CloudEventV1<Record<string, string>> | { invalid: string };
}

/** A running receiver. */
export interface WebhookReceiver {
  /** Its URL, `http://127.0.0.1:<port>/hooks/rotations`. */
  url: string;
  /** The signing secret it verifies with, `whsec_…`. */
  secret: string;
  /** Every delivery, in order (a live array). */
  deliveries: Delivery[];
  /** The deliveries' events that verified and parsed, one per webhook-id, in order. */
  events(): Array<CloudEventV1<Record<string, string>>>;
  close(): Promise<void>;
}

/** A fresh signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** Starts a receiver on an ephemeral loopback port. */
export async function startReceiver(
  mode: ReceiverMode = { kind: "ok" },
  secret: string = newSigningSecret(),
): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const webhook = new Webhook(secret);
  const answers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      deliveries.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        verified: verifies(webhook, req.headers, body),
        event: parsed(req.headers, body),
      });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(mode.kind === "error" ? 500 : 204);
        res.end();
      };
      if (mode.kind === "slow") {
        const timer = setTimeout(() => {
          answers.delete(timer);
          answer();
        }, mode.delayMs);
        answers.add(timer);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const timer of answers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  if (mode.kind === "down") await close();
  return {
    url: `http://127.0.0.1:${port}/hooks/rotations`,
    secret,
    deliveries,
    events: () => {
      const seen = new Set<string>();
      const events: Array<CloudEventV1<Record<string, string>>> = [];
      for (const delivery of deliveries) {
        if (!delivery.verified || "invalid" in delivery.event) continue;
        if (seen.has(delivery.event.id)) continue;
        seen.add(delivery.event.id);
        events.push(delivery.event);
      }
      return events;
    },
    close: mode.kind === "down" ? async () => undefined : close,
  };
}

function verifies(
  webhook: Webhook,
  headers: http.IncomingHttpHeaders,
  body: string,
): boolean {
  try {
    webhook.verify(body, {
      "webhook-id": String(headers["webhook-id"]),
      "webhook-timestamp": String(headers["webhook-timestamp"]),
      "webhook-signature": String(headers["webhook-signature"]),
    });
    return true;
  } catch {
    return false;
  }
}

function parsed(
  headers: http.IncomingHttpHeaders,
  body: string,
): Delivery["event"] {
  try {
    const event = HTTP.toEvent<Record<string, string>>({
      headers: headers as Record<string, string>,
      body,
    });
    const one = Array.isArray(event) ? event[0] : event;
    if (!one) return { invalid: "no event" };
    // The SDK's constructor checks every attribute against the specification (strict mode).
    return new CloudEvent<Record<string, string>>({ ...one }, true);
  } catch (error) {
    return { invalid: error instanceof Error ? error.message : String(error) };
  }
}
