// A user's program written against the package's public API. The end-to-end tests compile it with
// `tsc --noEmit --strict` against the packed package's declarations (test/e2e/consumer-types.test.ts);
// it is never run. Each `@ts-expect-error` proves that a type is really checked: a declaration that
// degraded to `any` would make that line compile, and the unused directive would then fail the build.
import * as pulumi from "@pulumi/pulumi";
import {
  ClientSecretRotation,
  ClientSecretRotationError,
  ConfigurationError,
  RotationConflictError,
  isStytchApiError,
  isStytchRequestError,
  type ClientKind,
  type ClientSecretRotationArgs,
  type ClientSecretRotationOutputs,
  type RotationStatus,
  type StytchRequestErrorCode,
} from "pulumi-stytch-client-secret-rotation";
import {
  ROUTE_TEMPLATES,
  startEmulator,
  type JWK,
  type RunningEmulator,
} from "pulumi-stytch-client-secret-rotation/emulator";
import * as http from "node:http";
import {
  fingerprintHandler,
  fingerprintReport,
  type FingerprintReport,
} from "pulumi-stytch-client-secret-rotation/consumer";

const config = new pulumi.Config();

const args: ClientSecretRotationArgs = {
  clientId: config.require("billingWorkerClientId"),
  clientKind: "m2m",
  promoted: config.getBoolean("billingWorkerPromoted") ?? false,
  triggers: { quarter: config.require("quarter") },
};
const rotation = new ClientSecretRotation("billing-worker", args);
new ClientSecretRotation("watched", {
  clientId: "m2m-client-test-…",
  consumerEndpoints: ["https://billing-worker.internal/stytch-fingerprint"],
});
new ClientSecretRotation("watched-wrong", {
  clientId: "m2m-client-test-…",
  // @ts-expect-error consumerEndpoints is a list of URLs, not one
  consumerEndpoints: "https://billing-worker.internal/stytch-fingerprint",
});

// @ts-expect-error clientId is required
new ClientSecretRotation("no-client", { promoted: false });
new ClientSecretRotation("bad-kind", {
  clientId: "x",
  // @ts-expect-error clientKind is a closed set
  clientKind: "m2m_client",
});

const secret: pulumi.Output<string> = rotation.newClientSecret;
const lastFour: pulumi.Output<string> = rotation.newClientSecretLastFour;
const previousLastFour: pulumi.Output<string> =
  rotation.previousClientSecretLastFour;
const status: pulumi.Output<RotationStatus> = rotation.status;
const kind: pulumi.Output<ClientKind> = rotation.clientKind;

export const billingWorkerSecret = secret;
export const billingWorkerRotation = pulumi.interpolate`${status} ${kind} (****${lastFour}, was ****${previousLastFour})`;

/** Outputs are typed, not `any`. */
export function typedOutputs(): void {
  // @ts-expect-error the secret is a string output, not a number
  const wrong: pulumi.Output<number> = rotation.newClientSecret;
  void wrong;
}

/** A rotation's outputs as a downstream tool would read them from `pulumi stack output --json`. */
export function describeOutputs(outputs: ClientSecretRotationOutputs): string {
  const done: boolean = outputs.status === "promoted";
  return `${outputs.clientId}: ${outputs.status}${done ? "" : " (pending)"}`;
}

/** Error handling as the README's "Handling errors" describes it. */
export function explain(error: unknown): string {
  if (isStytchApiError(error)) {
    const fields: [number, string, string, string] = [
      error.statusCode,
      error.errorType,
      error.errorMessage,
      error.requestId,
    ];
    return fields.join(" ");
  }
  if (isStytchRequestError(error)) {
    const code: StytchRequestErrorCode = error.code;
    return code;
  }
  if (error instanceof RotationConflictError)
    return `conflict: ${error.message}`;
  if (error instanceof ConfigurationError) return `config: ${error.message}`;
  if (error instanceof ClientSecretRotationError) return error.name;
  return String(error);
}

/** The emulator's options are typed, not `any`. */
export const emulatorOptions: Parameters<typeof startEmulator>[0] = {
  // @ts-expect-error a port is a number
  port: "8787",
};

/** The key ids of a key set as the emulator's JWKS routes serve it. */
export function keyIds(keys: JWK[]): string[] {
  return keys.filter((key) => key.alg === "RS256").map((key) => key.kid);
}

/** The emulator, as a pipeline rehearsal would start it. */
export async function rehearse(): Promise<string> {
  const emulator: RunningEmulator = await startEmulator({ port: 0 });
  try {
    emulator.faults.inject({
      route: ROUTE_TEMPLATES.m2m.rotateStart,
      dropResponse: true,
    });
    const clientId: string = emulator.seeded?.m2m.clientId ?? "";
    const kid: string = await emulator.rotateSigningKey();
    return `${emulator.url} ${emulator.projectId} ${clientId} ${kid}`;
  } finally {
    await emulator.close();
  }
}

/** A consumer service serving the fingerprint of the secret it uses, on `node:http`. */
export function serveFingerprint(secret: string): http.Server {
  const handler = fingerprintHandler({
    clientId: "m2m-client-test-…",
    secret: () => secret,
  });
  // @ts-expect-error the secret is read through a function, so that a reloaded one is seen
  fingerprintHandler({ clientId: "m2m-client-test-…", secret });
  const report: FingerprintReport = fingerprintReport({
    clientId: "m2m-client-test-…",
    secret: () => undefined,
  });
  void report.fingerprint.startsWith("sfp2:");
  return http.createServer((req, res) =>
    req.url === "/stytch-fingerprint" ? handler(req, res) : res.end(),
  );
}
