/**
 * Every GitHub Actions workflow file the repository ships passes actionlint (the pinned build from
 * tools/actionlint, see `scripts/actionlint.ts`), and a broken one would not.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureActionlint, runActionlint } from "../scripts/actionlint";
import { repoFiles, repoRoot } from "./helpers/repo-files";
import { arrayContaining } from "./helpers/matchers";

const workflows = repoFiles().filter((file) =>
  /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(file),
);
const read = (file: string): string =>
  fs.readFileSync(path.join(repoRoot, file), "utf8");

let actionlintDir: string;
// A cold build takes a minute or two; afterwards this is a cache lookup.
beforeAll(
  async () => {
    actionlintDir = await ensureActionlint();
  },
  20 * 60 * 1000,
);

test("the workflow files found include the example's", () => {
  expect(workflows).toEqual(
    arrayContaining([
      "examples/gitops-rollover/.github/workflows/pulumi-preview.yml",
      "examples/gitops-rollover/.github/workflows/pulumi-up.yml",
    ]),
  );
});

test.each(workflows)("actionlint reports nothing in %s", (file) => {
  expect(runActionlint(actionlintDir, [path.join(repoRoot, file)])).toEqual({
    exitCode: 0,
    output: "",
  });
});

// actionlint cannot know that a cancelled or overlapping `pulumi up` strands a rotation; these lines can.
test.each(
  workflows.filter((file) => /^\s*command:\s*up\s*$/m.test(read(file))),
)(
  "%s runs one pulumi up per stack at a time and never cancels a running one",
  (file) => {
    const text = read(file);
    expect(text).toMatch(/^\s*group:\s*\S*\$\{\{\s*matrix\.stack\s*\}\}\s*$/m);
    expect(text).toMatch(/^\s*cancel-in-progress:\s*false\s*$/m);
    expect(text).not.toMatch(/cancel-in-progress:\s*true/);
    expect(text).toMatch(/^\s*fail-fast:\s*false\s*$/m);
  },
);

describe("a broken workflow fails the lint", () => {
  const source = "examples/gitops-rollover/.github/workflows/pulumi-up.yml";
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-broken-"));
    fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    {
      what: "a misspelt context",
      from: "${{ secrets.STYTCH_SECRET }}",
      to: "${{ secret.STYTCH_SECRET }}",
      rule: "[expression]",
    },
    {
      what: "an unknown permission scope",
      from: "  contents: read",
      to: "  content: read",
      rule: "[permissions]",
    },
    {
      what: "a non-boolean cancel-in-progress",
      from: "cancel-in-progress: false",
      to: "cancel-in-progress: maybe",
      rule: "[syntax-check]",
    },
    {
      what: "a concurrency group on a matrix key that does not exist",
      from: "pulumi-up-${{ matrix.stack }}",
      to: "pulumi-up-${{ matrix.stacks }}",
      rule: "[expression]",
    },
  ])("$what", ({ from, to, rule }) => {
    const original = read(source);
    expect(original).toContain(from);
    const broken = path.join(dir, ".github", "workflows", "pulumi-up.yml");
    fs.writeFileSync(broken, original.replace(from, to));

    const result = runActionlint(actionlintDir, [broken]);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(rule);
    expect(result.output).toContain(to.trim());
  });
});

// A job that runs a pull request's program with the stack's passphrase hands that program every secret
// in the state; actionlint cannot know which secrets those are.
describe("pull request workflows", () => {
  const pullRequestWorkflows = workflows.filter((file) =>
    /^on:\s*\n\s+pull_request(_target)?:/m.test(read(file)),
  );

  test("the example's preview workflow is one of them", () => {
    expect(pullRequestWorkflows).toContain(
      "examples/gitops-rollover/.github/workflows/pulumi-preview.yml",
    );
  });

  test.each(pullRequestWorkflows)(
    "%s never runs a fork's code with a secret, and releases secrets only through a reviewed environment",
    (file) => {
      // The workflow itself, without its comments (which may name what it avoids).
      const text = read(file).replace(/^\s*#.*$/gm, "");
      expect(text).not.toMatch(/pull_request_target/);
      const jobs = text.split(/\n(?= {2}[\w-]+:\n)/).slice(1);
      const holdingSecrets = jobs.filter((job) => job.includes("secrets."));
      expect(holdingSecrets.length).toBeGreaterThan(0);
      for (const job of holdingSecrets) {
        expect(job).toMatch(
          /^\s+if: github\.event\.pull_request\.head\.repo\.full_name == github\.repository$/m,
        );
        expect(job).toMatch(/^\s+environment: preview$/m);
        expect(job).toMatch(/^\s+package-manager-cache: false$/m);
      }
    },
  );
});
