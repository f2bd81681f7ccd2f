/**
 * The YAML language host that `npm run pulumi:ensure` provides next to the CLI (built from
 * tools/pulumi-yaml) runs a YAML program through the real engine, offline: `pulumi preview` and
 * `pulumi up` of a program with a config value and an output, and no resources.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  createOfflineStack,
  removeOfflineStack,
} from "../../demo/offline-pulumi";
import { e2eContext } from "../helpers/pulumi-harness";
import { repoRoot } from "../helpers/repo-files";

test(
  "a YAML program previews and deploys: config in, output out",
  async () => {
    const context = e2eContext();
    // A copy, because the workspace writes the stack's settings file into the program's directory.
    const dir = fs.mkdtempSync(path.join(context.workRoot, "yaml-"));
    const programDir = path.join(dir, "program");
    fs.cpSync(path.join(repoRoot, "test/e2e/yaml"), programDir, {
      recursive: true,
    });
    const stateDir = path.join(dir, "state");
    const stack = await createOfflineStack({
      cliDir: context.cliDir,
      programDir,
      stateDir,
      passphrase: "e2e-only-passphrase",
    });
    try {
      await stack.setConfig("greeting", { value: "world" });

      const preview = await stack.preview();
      // The stack itself is the one resource a program without resources creates.
      expect(preview.changeSummary).toEqual({ create: 1 });

      const up = await stack.up();
      expect(up.summary.result).toBe("succeeded");
      expect(up.outputs).toEqual({
        message: { value: "Hello, world!", secret: false },
      });
    } finally {
      await removeOfflineStack(stack, stateDir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // A guard against a hang, as for every end-to-end test (test/helpers/pulumi-harness.ts), not a bound.
  },
  10 * 60_000,
);
