/**
 * `node build/scripts/ensure-tool.js <pulumi|sdkgen|actionlint|all>`: provides a tool this repository
 * builds with Go and prints the absolute path of the directory holding it as the LAST line of stdout
 * (`all`: every tool in turn, one directory per line). Everything else goes to stderr, so callers can do:
 *
 *   npm run --silent pulumi:ensure | tail -n 1
 *   npm run --silent actionlint:ensure | tail -n 1
 */
import { ensureActionlint } from "./actionlint";
import { log, runEnsureCli } from "./go-tool";
import { ensurePulumi } from "./pulumi-cli";
import { ensureSdkGenerators } from "./sdk-generate";

const TOOLS: Record<string, { tag: string; ensure: () => Promise<string> }> = {
  pulumi: { tag: "pulumi:ensure", ensure: ensurePulumi },
  sdkgen: { tag: "sdkgen:ensure", ensure: ensureSdkGenerators },
  actionlint: { tag: "actionlint:ensure", ensure: ensureActionlint },
};

/**
 * Every tool, one after the other: `.ci/run` starts this beside the lint and the TypeScript build, so
 * a machine that has never built them spends that time building. In turn, not at once, because the
 * later builds reuse the Go build cache the Pulumi CLI's build fills (the same `pkg/v3` packages).
 */
async function ensureAll(): Promise<string> {
  const dirs: string[] = [];
  for (const entry of Object.values(TOOLS)) dirs.push(await entry.ensure());
  return dirs.join("\n");
}

/** Runs the command line for `tool`; sets a non-zero exit code on failure. */
export async function main(tool: string | undefined): Promise<void> {
  const entry =
    tool === "all"
      ? { tag: "tools:ensure", ensure: ensureAll }
      : tool === undefined
        ? undefined
        : TOOLS[tool];
  if (!entry) {
    log(
      "ensure-tool",
      `usage: ensure-tool <${[...Object.keys(TOOLS), "all"].join("|")}>, got ${tool ?? "nothing"}`,
    );
    process.exitCode = 2;
    return;
  }
  await runEnsureCli(entry.tag, entry.ensure);
}

if (require.main === module) void main(process.argv[2]);
