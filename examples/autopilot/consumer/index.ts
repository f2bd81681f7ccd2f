// A consumer's stack: it deploys the billing worker with the client secret and reports which secret that
// is, as a fingerprint the rotation stack compares before it promotes. A fingerprint is not secret and
// does not reveal the secret; it is salted with the client id, which the consumer knows (it sends it with
// every token request).
//
// Before it is wired to the rotation stack, it uses the secret it was configured with
// (`pulumi config set --secret billingWorkerSecret …`); once `rotationStack` is set, it takes the newest
// secret from there on every `pulumi up`.
import * as pulumi from "@pulumi/pulumi";
import { secretFingerprint } from "pulumi-stytch-client-secret-rotation";

const config = new pulumi.Config();
const clientId = config.require("billingWorkerClientId"); // m2m-client-test-…
const rotationStack = config.get("rotationStack"); // e.g. "acme/autopilot-rotation/prod"

const secret: pulumi.Output<string> = rotationStack
  ? (new pulumi.StackReference(rotationStack).requireOutput(
      "billingWorkerSecret",
    ) as pulumi.Output<string>)
  : config.requireSecret("billingWorkerSecret");

// Here a real program hands `secret` to the service: a Kubernetes secret, a vault entry, a CI variable.
// This example's deploy step reads it from this stack instead (`pulumi stack output billingWorkerSecret
// --show-secrets`), writes it where the service reads it, and restarts the service (service/index.ts).
export const billingWorkerSecret = secret;

// What this deployment was given; the running service reports what it uses (`consumerEndpoints`).
export const billingWorkerFingerprint = secretFingerprint(secret, clientId);
