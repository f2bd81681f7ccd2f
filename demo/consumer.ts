/**
 * What a consumer of a rotated secret does with it, shared by the demo and the tests: exchange it for an
 * M2M access token at Stytch's token endpoint, over real HTTP.
 */
import type { RunningEmulator } from "../emulator";

/** Whether the M2M token endpoint accepts this client id and secret (client_credentials grant). */
export async function m2mSecretWorks(
  emulator: RunningEmulator,
  clientId: string,
  secret: string,
): Promise<boolean> {
  const response = await fetch(
    `${emulator.url}/v1/public/${emulator.projectId}/oauth2/token`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: secret,
      }),
    },
  );
  return response.status === 200;
}
