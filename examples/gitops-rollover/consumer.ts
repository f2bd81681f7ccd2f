/**
 * The other side of the hand-off, as two programs do it after each `pulumi up`:
 *
 * - the **billing worker** (the consumer) exchanges the client secret it was handed for an M2M access
 *   token: a plain OAuth 2.0 client-credentials request, which needs nothing but its client id and secret;
 * - the **billing API** (a service the worker calls) verifies that token with the official Stytch Node
 *   SDK (`m2m.authenticateToken`: the signature against the project's key set, the expiry, the scopes).
 *
 * While a rotation is pending both secrets get tokens; after promotion only the new one does, and a token
 * issued before stays valid until it expires (an hour), as at Stytch. Run it after each step of the README
 * with Node.js 22, which runs this TypeScript file as it is:
 *
 * ```sh
 * BILLING_WORKER_CLIENT_ID=m2m-client-test-… \
 * BILLING_WORKER_SECRET="$(pulumi stack output billingWorkerSecret --show-secrets)" \
 * node consumer.ts    # with STYTCH_PROJECT_ID, STYTCH_SECRET and STYTCH_BASE_URL set for the billing API
 * ```
 *
 * It prints whether a token was issued and what the billing API verified; never a secret or a token.
 */
import { Client } from "stytch";

/** The Stytch project the billing API belongs to. */
export interface StytchProject {
  projectId: string;
  /** The project secret: the billing API's, never the worker's. */
  secret: string;
  /** `https://test.stytch.com`, `https://api.stytch.com`, or the emulator's `http://127.0.0.1:…`. */
  baseUrl: string;
}

/** What the token endpoint answered the worker. */
export type TokenResult =
  { issued: true; accessToken: string } | { issued: false; refusal: string };

/** The billing worker: asks Stytch for an access token with its client credentials. */
export async function requestAccessToken(
  project: Pick<StytchProject, "projectId" | "baseUrl">,
  clientId: string,
  clientSecret: string,
): Promise<TokenResult> {
  const url = `${project.baseUrl.replace(/\/$/, "")}/v1/public/${encodeURIComponent(project.projectId)}/oauth2/token`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.ok && typeof body["access_token"] === "string") {
    return { issued: true, accessToken: body["access_token"] };
  }
  // OAuth errors carry `error`, Stytch's own `error_type`; anything else is not shown.
  const reason = [body["error"], body["error_type"]].find(
    (value): value is string => typeof value === "string",
  );
  return {
    issued: false,
    refusal: reason ? `${response.status} ${reason}` : `${response.status}`,
  };
}

/** The billing API: verifies the access tokens its callers present, with the official Stytch SDK. */
export class BillingApi {
  private readonly stytch: Client;

  constructor(project: StytchProject) {
    const hosted = ["https://test.stytch.com", "https://api.stytch.com"];
    const baseUrl = project.baseUrl.replace(/\/$/, "");
    // For hosted Stytch the SDK picks its URL from the project id. Any other URL (the emulator) goes in
    // `env`, which the SDK accepts with a warning, since `custom_base_url` must be https.
    this.stytch = new Client({
      project_id: project.projectId,
      secret: project.secret,
      ...(hosted.includes(baseUrl) ? {} : { env: `${baseUrl}/` }),
    });
  }

  /**
   * The client the token was issued to, and its scopes.
   * @throws the SDK's `StytchError` when the token is not valid (e.g. `jwt_invalid`, `jwt_expired`).
   */
  async authenticate(
    accessToken: string,
  ): Promise<{ clientId: string; scopes: string[] }> {
    const verified = await this.stytch.m2m.authenticateToken({
      access_token: accessToken,
    });
    return { clientId: verified.client_id, scopes: verified.scopes };
  }
}

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name} (see the top of consumer.ts)`);
    return value;
  };
  const project = {
    projectId: env("STYTCH_PROJECT_ID"),
    secret: env("STYTCH_SECRET"),
    baseUrl: process.env["STYTCH_BASE_URL"] ?? "https://test.stytch.com",
  };
  const clientId = env("BILLING_WORKER_CLIENT_ID");
  const token = await requestAccessToken(
    project,
    clientId,
    env("BILLING_WORKER_SECRET"),
  );
  if (!token.issued) {
    console.log(
      `billing worker: no access token for ${clientId} (${token.refusal})`,
    );
    process.exitCode = 1;
    return;
  }
  const verified = await new BillingApi(project).authenticate(
    token.accessToken,
  );
  console.log(
    `billing worker: got an access token; billing API: verified it for ${verified.clientId} ` +
      `(scopes: ${verified.scopes.join(" ")})`,
  );
}

// Run as a program (`node consumer.ts`), not when the demo or the tests import it.
if (/consumer\.[jt]s$/.test(process.argv[1] ?? "")) {
  main().catch((error: unknown) => {
    console.error(
      `consumer: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  });
}
