/**
 * What a stack's resources take in its state file, measured on the bytes the file backend wrote: its JSON
 * is indented and escapes `<`, `>` and `&` (Go's encoder), so re-serializing a parsed entry would
 * under-count. The entries are located in the raw text instead.
 */
import * as fs from "node:fs";

/** State figures of one stack, for the resources of one type. */
export interface StateFigures {
  /** The whole state file. */
  fileBytes: number;
  /** How many resources of the type the state holds. */
  resources: number;
  /** The largest entry of such a resource, as written (indentation included). */
  largestEntryBytes: number;
  /** `__provider` as text: the serialized provider's UTF-8 bytes (the largest of any resource). */
  providerTextBytes: number;
  /** What the `__provider` values of one resource take as written: in inputs and in outputs, escaped. */
  providerStoredBytes: number;
}

interface ResourceEntry {
  type: string;
  inputs?: { __provider?: string };
}

/** Measures the resources of type `type` in the state file `file`. */
export function stateFigures(file: string, type: string): StateFigures {
  const text = fs.readFileSync(file, "utf8");
  const entries = resourceEntrySpans(text)
    .map((raw) => ({ raw, entry: JSON.parse(raw) as ResourceEntry }))
    .filter(({ entry }) => entry.type === type);
  const max = (values: number[]) => Math.max(0, ...values);
  return {
    fileBytes: Buffer.byteLength(text),
    resources: entries.length,
    largestEntryBytes: max(entries.map(({ raw }) => Buffer.byteLength(raw))),
    providerTextBytes: max(
      entries.map(({ entry }) =>
        Buffer.byteLength(entry.inputs?.__provider ?? ""),
      ),
    ),
    providerStoredBytes: max(
      entries.map(({ raw }) =>
        [...raw.matchAll(/"__provider":\s*("(?:[^"\\]|\\.)*")/g)]
          .map((match) => Buffer.byteLength(match[1]!))
          .reduce((a, b) => a + b, 0),
      ),
    ),
  };
}

/**
 * The raw text of each element of `checkpoint.latest.resources`: a scan that follows strings and nesting
 * depth, and records the objects opened directly inside the array that the key `resources` opens at the
 * depth of `latest`'s fields.
 */
function resourceEntrySpans(text: string): string[] {
  const RESOURCES_DEPTH = 3; // { checkpoint: { latest: { resources: [
  const spans: string[] = [];
  let depth = 0;
  let inResources = false;
  let entryStart = -1;
  let lastString = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      lastString = text.slice(start + 1, i);
    } else if (char === "{" || char === "[") {
      if (char === "[" && depth === RESOURCES_DEPTH) {
        inResources = lastString === "resources";
      }
      if (inResources && depth === RESOURCES_DEPTH + 1) entryStart = i;
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (inResources && depth === RESOURCES_DEPTH + 1) {
        spans.push(text.slice(entryStart, i + 1));
      }
      if (depth === RESOURCES_DEPTH) inResources = false;
    }
  }
  return spans;
}
