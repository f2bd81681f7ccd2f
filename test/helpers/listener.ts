/**
 * A plain loopback HTTP server that records every request it receives and answers 404: the "other host"
 * a redirect points at, which must receive nothing. Given a handler, it answers with that instead (a
 * consumer's fingerprint endpoint, or one that misbehaves), still recording every request.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the listener received, with everything a leak could ride on. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A running listener. */
export interface Listener {
  /** Its base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** Every request received, in order (a live array). */
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Starts a listener on an ephemeral loopback port, answering with `handler` if given. */
export async function startListener(
  handler?: http.RequestListener,
): Promise<Listener> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
      });
      if (handler) {
        handler(req, res);
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
