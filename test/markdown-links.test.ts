/**
 * No link in the documentation is dead for a user reading it on GitHub: every relative link of every
 * Markdown file in the repository points at a file or directory that is committed, and every `#anchor`
 * at a heading that exists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  deadLinks,
  githubSlug,
  markdownAnchors,
  type RepoView,
} from "./helpers/markdown-links";
import { repoFiles, repoRoot } from "./helpers/repo-files";
import { arrayContaining } from "./helpers/matchers";

const files = repoFiles();
const markdown = files.filter((file) => file.endsWith(".md"));
const repo: RepoView = {
  files: new Set(files),
  read: (file) => fs.readFileSync(path.join(repoRoot, file), "utf8"),
};

test("the Markdown files found include every document users read", () => {
  expect(markdown).toEqual(
    arrayContaining([
      "README.md",
      "DEVELOPMENT.md",
      "CHANGELOG.md",
      "docs/emulator.md",
      "examples/gitops-rollover/README.md",
      "tools/pulumi-cli/README.md",
      "tools/actionlint/README.md",
    ]),
  );
});

test.each(markdown)("every relative link and anchor in %s resolves", (file) => {
  expect(deadLinks(file, repo)).toEqual([]);
});

describe("the link checker", () => {
  const docs = new Map([
    [
      "README.md",
      [
        "# Title",
        "See [the guide](docs/guide.md#set-up-the-cli), [a folder](docs), [code](src/a.ts#L3),",
        "[here](#usage-notes), [the site](https://example.com/x) and [mail](mailto:a@example.com).",
        "",
        "## Usage: notes",
        "",
        "```sh",
        "[not a link](missing.md)",
        "```",
        "",
        "`[not a link either](missing.md)`",
        "",
        "[ref]: docs/guide.md#options-1",
      ].join("\n"),
    ],
    [
      "docs/guide.md",
      [
        "# Set up the `CLI`",
        "## Options",
        "## Options",
        "Broken: [gone](../missing.md), [outside](../../shared/API.md),",
        "[no anchor](#nowhere), [wrong anchor](../README.md#title-1).",
      ].join("\n"),
    ],
    ["src/a.ts", "export {};\n"],
  ]);
  const view: RepoView = {
    files: new Set(docs.keys()),
    read: (file) => docs.get(file) ?? "",
  };

  test("accepts files, directories, anchors and external URLs that exist, and skips code", () => {
    expect(deadLinks("README.md", view)).toEqual([]);
  });

  test("reports a missing file, a path outside the repository and a missing anchor", () => {
    expect(deadLinks("docs/guide.md", view)).toEqual([
      "docs/guide.md:4: ../missing.md: missing.md is not in the repository",
      "docs/guide.md:4: ../../shared/API.md: points outside the repository",
      'docs/guide.md:5: #nowhere: no heading or anchor "nowhere" in docs/guide.md',
      'docs/guide.md:5: ../README.md#title-1: no heading or anchor "title-1" in README.md',
    ]);
  });

  test("slugs headings the way GitHub does, numbering repeats", () => {
    expect(
      githubSlug("Lifecycle: what each Pulumi operation does at Stytch"),
    ).toBe("lifecycle-what-each-pulumi-operation-does-at-stytch");
    expect(githubSlug("The packed package and its `exports`")).toBe(
      "the-packed-package-and-its-exports",
    );
    expect(githubSlug("`npm run pulumi:ensure` & [the CLI](x.md)")).toBe(
      "npm-run-pulumiensure--the-cli",
    );
    expect([
      ...markdownAnchors('# A\n## A\nB\n---\n<a id="here"></a>'),
    ]).toEqual(["a", "a-1", "b", "here"]);
  });
});
