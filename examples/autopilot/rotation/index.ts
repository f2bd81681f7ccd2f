// The rotation stack of a scheduled pipeline (`pulumi up` every day, no commits): it starts a rotation
// every `rotateEvery`, hands the new secret to the consumers, and promotes it once the overlap window has
// passed, the new secret authenticates, and every consumer stack reports the new secret's fingerprint.
// Credentials come from `stytch:*` config or STYTCH_* environment variables, never from here.
import * as pulumi from "@pulumi/pulumi";
import { ClientSecretRotation } from "pulumi-stytch-client-secret-rotation";

const config = new pulumi.Config();
// The stacks that use the secret, e.g. ["acme/autopilot-consumer/prod"]. Each exports the fingerprint of
// the secret it holds; one that has not exported it yet counts as holding none.
const consumerStacks = config.getObject<string[]>("consumerStacks") ?? [];
// The running consumers, e.g. ["https://billing-worker.internal/stytch-fingerprint"]: each answers the
// fingerprint of the secret its process uses (service/index.ts), so a promotion also waits for the restart.
const consumerEndpoints = config.getObject<string[]>("consumerEndpoints");

const rotation = new ClientSecretRotation("billing-worker", {
  clientId: config.require("billingWorkerClientId"), // m2m-client-test-…
  rotateEvery: config.get("rotateEvery") ?? "90d",
  promoteAfter: config.get("promoteAfter") ?? "7d",
  maxPendingAge: config.get("maxPendingAge") ?? "21d",
  consumerFingerprints: consumerStacks.map((stack) =>
    new pulumi.StackReference(stack)
      .getOutput("billingWorkerFingerprint")
      .apply((fingerprint) => String(fingerprint ?? "")),
  ),
  consumerEndpoints,
});

// The hand-off: consumer stacks read the secret with a StackReference. It stays a Pulumi secret.
export const billingWorkerSecret = rotation.newClientSecret;
// The reviewable schedule: what the next scheduled `pulumi up` will do, and what holds it back.
export const billingWorker = {
  status: rotation.status,
  lastFour: rotation.newClientSecretLastFour,
  fingerprint: rotation.newClientSecretFingerprint,
  startedAt: rotation.startedAt,
  promotedAt: rotation.promotedAt,
  promoteDueAt: rotation.promoteDueAt,
  rotateDueAt: rotation.rotateDueAt,
  promotionBlockedBy: rotation.promotionBlockedBy,
};
