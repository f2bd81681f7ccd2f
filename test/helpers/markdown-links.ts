/**
 * Finds the relative links of a Markdown file that are dead on GitHub: a file or directory that is not
 * in the repository, a path that leaves it, or a `#anchor` that no heading of the target produces.
 * Absolute URLs (`https:`, `mailto:`) are not fetched: only links into the repository are checked.
 *
 * Covered: inline links and images `[text](target "title")`, reference definitions `[id]: target`, and
 * `href`/`src` of HTML `<a>`/`<img>`; ATX (`## …`) and setext headings, `id`/`name` HTML anchors.
 * Links inside fenced code blocks and code spans are text, not links, and are skipped.
 */
import * as path from "node:path";

/** The repository as the checker sees it: its files (relative, `/`-separated) and their contents. */
export interface RepoView {
  files: ReadonlySet<string>;
  read(file: string): string;
}

/** One link target and the line it is on. */
export interface MarkdownLink {
  line: number;
  target: string;
}

const INLINE_LINK =
  /!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)/gm;
const HTML_LINK = /<(?:a|img)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']+)["']/gi;
const HTML_ANCHOR = /<[a-z][^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The text's lines with those of fenced code blocks emptied, so that line numbers stay as they were. */
function linesOutsideFences(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const marker = FENCE.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      return "";
    }
    if (fence !== undefined) {
      if (
        marker !== undefined &&
        marker[0] === fence[0] &&
        marker.length >= fence.length &&
        line.trim() === marker
      ) {
        fence = undefined;
      }
      return "";
    }
    return line;
  });
}

/** The text without fenced code blocks and code spans (replaced by blanks, so offsets stay the same). */
function withoutCode(text: string): string {
  return linesOutsideFences(text)
    .map((line) =>
      line.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => " ".repeat(span.length)),
    )
    .join("\n");
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** Every link target in a Markdown text, with its line number. */
export function markdownLinks(text: string): MarkdownLink[] {
  const prose = withoutCode(text);
  const links: MarkdownLink[] = [];
  for (const pattern of [INLINE_LINK, REFERENCE_DEFINITION, HTML_LINK]) {
    for (const match of prose.matchAll(pattern)) {
      const target = (match[1] ?? "").replace(/^<(.*)>$/, "$1");
      links.push({ line: lineAt(prose, match.index), target });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

/**
 * The anchor GitHub gives a heading: its text as rendered, lower-cased, without punctuation other than
 * `-` and `_`, spaces turned into `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/[`*]/g, "") // code and emphasis markers
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Every `#anchor` a Markdown text provides: its headings' slugs (numbered when repeated) and HTML ids. */
export function markdownAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const addHeading = (heading: string): void => {
    const slug = githubSlug(heading.trim());
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  };
  const lines = linesOutsideFences(text);
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      addHeading(atx[1] ?? "");
      return;
    }
    const previous = lines[index - 1] ?? "";
    if (
      /^ {0,3}(=+|-+)[ \t]*$/.test(line) &&
      previous.trim() !== "" &&
      !/^ {0,3}#/.test(previous)
    ) {
      addHeading(previous);
    }
  });
  for (const match of text.matchAll(HTML_ANCHOR)) anchors.add(match[1] ?? "");
  return anchors;
}

/** Whether a link leaves the repository by scheme (`https:`, `mailto:`) or as a protocol-relative URL. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every problem with the relative links of `file`, as `file:line: target: what is wrong`. */
export function deadLinks(file: string, repo: RepoView): string[] {
  const problems: string[] = [];
  for (const { line, target } of markdownLinks(repo.read(file))) {
    if (isExternal(target)) continue;
    const report = (what: string): void => {
      problems.push(`${file}:${line}: ${target}: ${what}`);
    };
    const hash = target.indexOf("#");
    const pathPart = decode(
      (hash < 0 ? target : target.slice(0, hash)).replace(/\?.*$/, ""),
    );
    const anchor = hash < 0 ? undefined : decode(target.slice(hash + 1));
    const resolved =
      pathPart === ""
        ? file
        : path.posix.normalize(
            pathPart.startsWith("/")
              ? pathPart.slice(1)
              : path.posix.join(path.posix.dirname(file), pathPart),
          );
    const relative = resolved.replace(/\/$/, "");
    if (relative === ".." || relative.startsWith("../")) {
      report("points outside the repository");
      continue;
    }
    const isFile = repo.files.has(relative);
    const isDirectory =
      relative === "." ||
      [...repo.files].some((f) => f.startsWith(`${relative}/`));
    if (!isFile && !isDirectory) {
      report(`${relative} is not in the repository`);
      continue;
    }
    if (
      anchor !== undefined &&
      isFile &&
      relative.endsWith(".md") &&
      !markdownAnchors(repo.read(relative)).has(anchor)
    ) {
      report(`no heading or anchor "${anchor}" in ${relative}`);
    }
  }
  return problems;
}
