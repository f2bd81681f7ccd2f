/**
 * `node build/scripts/ensure-tool.js <pulumi|actionlint>`: provides a tool this repository builds with Go
 * and prints the absolute path of the directory holding it as the LAST line of stdout. Everything else
 * goes to stderr, so callers can do:
 *
 *   npm run --silent pulumi:ensure | tail -n 1
 *   npm run --silent actionlint:ensure | tail -n 1
 */
import { ensureActionlint } from "./actionlint";
import { log, runEnsureCli } from "./go-tool";
import { ensurePulumi } from "./pulumi-cli";

const TOOLS: Record<string, { tag: string; ensure: () => Promise<string> }> = {
  pulumi: { tag: "pulumi:ensure", ensure: ensurePulumi },
  actionlint: { tag: "actionlint:ensure", ensure: ensureActionlint },
};

/** Runs the command line for `tool`; sets a non-zero exit code on failure. */
export async function main(tool: string | undefined): Promise<void> {
  const entry = tool === undefined ? undefined : TOOLS[tool];
  if (!entry) {
    log(
      "ensure-tool",
      `usage: ensure-tool <${Object.keys(TOOLS).join("|")}>, got ${tool ?? "nothing"}`,
    );
    process.exitCode = 2;
    return;
  }
  await runEnsureCli(entry.tag, entry.ensure);
}

if (require.main === module) void main(process.argv[2]);
