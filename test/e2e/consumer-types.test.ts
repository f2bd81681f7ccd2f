/**
 * The packed package's declarations, as a user's TypeScript program sees them: `test/e2e/consumer`
 * (the resource, its args and outputs, the error classes and guards, the emulator entry point) compiled
 * with `tsc --noEmit --strict` in a program that has only the tarball, `@pulumi/pulumi`, `typescript` and
 * `@types/node` installed. No `skipLibCheck`: the package's own `.d.ts` files are checked too.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { e2eContext } from "../helpers/pulumi-harness";

test.each([
  // What Pulumi's TypeScript template uses; it ignores package.json `exports`.
  { moduleResolution: "node", module: "commonjs" },
  // What Node.js itself does.
  { moduleResolution: "node16", module: "node16" },
])(
  "a strict program compiles against the packed types with moduleResolution $moduleResolution",
  ({ moduleResolution, module }) => {
    const dir = e2eContext().programs.consumer;
    const result = spawnSync(
      process.execPath,
      [
        path.join(dir, "node_modules", "typescript", "bin", "tsc"),
        "-p",
        dir,
        "--noEmit",
        "--strict",
        "--moduleResolution",
        moduleResolution,
        "--module",
        module,
      ],
      { cwd: dir, encoding: "utf8" },
    );
    expect({
      status: result.status,
      output: `${result.stdout}${result.stderr}`.trim(),
    }).toEqual({ status: 0, output: "" });
  },
);
