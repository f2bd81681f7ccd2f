// The billing worker as it runs: a long-lived process that reads its client secret once, when it starts
// (as a service reads a mounted Kubernetes secret or its environment), and answers the fingerprint of that
// secret at /stytch-fingerprint. The rotation stack lists this URL in `consumerEndpoints`, so a promotion
// waits until the process that is running holds the new secret: a deployment that was handed the new
// secret but never restarted keeps the old one alive.
//
//   BILLING_WORKER_CLIENT_ID=m2m-client-test-… BILLING_WORKER_SECRET_FILE=billing-worker.secret \
//     PORT=8080 node service/index.ts
//
// Node.js 22.18 or later runs this TypeScript as it is; on an older Node.js, compile it with tsc first.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { fingerprintHandler } from "pulumi-stytch-client-secret-rotation/consumer";

const clientId = required("BILLING_WORKER_CLIENT_ID");
// Read once: the process uses this secret until it is restarted, which is what the endpoint reports.
const secret = fs
  .readFileSync(required("BILLING_WORKER_SECRET_FILE"), "utf8")
  .trim();

// Here the worker would use `clientId` and `secret`: get M2M access tokens and call its APIs.

const fingerprint = fingerprintHandler({ clientId, secret: () => secret });
const server = http.createServer((req, res) => {
  if (req.url === "/stytch-fingerprint") {
    fingerprint(req, res);
    return;
  }
  res.writeHead(404).end();
});
server.listen(Number(process.env["PORT"] ?? 8080), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  // The address only: nothing of the secret is ever printed.
  console.log(`billing worker listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}
