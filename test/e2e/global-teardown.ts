/** Removes the throw-away programs and states made by the end-to-end global setup. */
import * as fs from "node:fs";
import { E2E_CONTEXT_ENV, type E2EContext } from "../helpers/pulumi-harness";

export default async function globalTeardown(): Promise<void> {
  const contextFile = process.env[E2E_CONTEXT_ENV];
  if (!contextFile || !fs.existsSync(contextFile)) return;
  const context = JSON.parse(
    fs.readFileSync(contextFile, "utf8"),
  ) as E2EContext;
  if (!process.env["KEEP_E2E_WORKDIR"])
    fs.rmSync(context.workRoot, { recursive: true, force: true });
}
