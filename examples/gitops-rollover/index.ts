// A pipeline's program: each commit may bump `quarter` (starts a rotation) or set `promoted`
// (completes it once every consumer has the new secret). Credentials come from `stytch:*` config
// or STYTCH_* environment variables, never from here.
import * as pulumi from "@pulumi/pulumi";
import { ClientSecretRotation } from "pulumi-stytch-client-secret-rotation";

const config = new pulumi.Config();
const quarter = config.require("quarter"); // e.g. "2026-Q4": a new value starts a fresh rotation

const billingWorker = new ClientSecretRotation("billing-worker", {
  clientId: config.require("billingWorkerClientId"), // m2m-client-test-…
  promoted: config.getBoolean("billingWorkerPromoted") ?? false,
  triggers: { quarter },
});

const partnerPortal = new ClientSecretRotation("partner-portal", {
  clientId: config.require("partnerPortalClientId"), // connected-app-test-…
  promoted: config.getBoolean("partnerPortalPromoted") ?? false,
  triggers: { quarter },
});

// Hand-off: downstream stacks read these with a StackReference, or a pipeline step runs
// `pulumi stack output billingWorkerSecret --show-secrets` into a vault. Both stay Pulumi secrets.
export const billingWorkerSecret = billingWorker.newClientSecret;
export const partnerPortalSecret = partnerPortal.newClientSecret;
export const rotationStatus = {
  billingWorker: pulumi.interpolate`${billingWorker.status} (****${billingWorker.newClientSecretLastFour})`,
  partnerPortal: pulumi.interpolate`${partnerPortal.status} (****${partnerPortal.newClientSecretLastFour})`,
};
