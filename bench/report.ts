/**
 * The bench's figures as Markdown tables: seconds per step (ours, dynamic and native, against the floor, medians with min–max
 * over the rounds), state bytes and `__provider` bytes per resource, Stytch calls per resource, and what
 * the engine did in each step. The same text goes to stdout and to the report file; the columns are
 * padded so that it reads in a terminal as it does rendered.
 */
import {
  STEPS,
  VARIANTS,
  type RunFigures,
  type Step,
  type Variant,
} from "./measure";

/** The variants measured against the floor. */
const MEASURED = VARIANTS.filter((variant) => variant !== "floor");

/** Median, least and greatest of some numbers. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? sorted[Math.floor(middle)]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** The runs of one variant at one size. */
export function runsOf(
  runs: RunFigures[],
  variant: Variant,
  size: number,
): RunFigures[] {
  return runs.filter((run) => run.variant === variant && run.size === size);
}

/** The sizes measured, ascending. */
export function sizesOf(runs: RunFigures[]): number[] {
  return [...new Set(runs.map((run) => run.size))].sort((a, b) => a - b);
}

/** Seconds of one step over the runs of one variant at one size. */
export function stepSpread(
  runs: RunFigures[],
  variant: Variant,
  size: number,
  step: Step,
): Spread {
  return spread(runsOf(runs, variant, size).map((run) => run.seconds[step]));
}

/** The timing table: one row per step and size, each variant side by side, and each one's ratio to the floor. */
export function timingTable(runs: RunFigures[]): string {
  const rows = STEPS.flatMap((step) =>
    sizesOf(runs).map((size) => {
      const floor = stepSpread(runs, "floor", size, step);
      const measured = MEASURED.map((variant) =>
        stepSpread(runs, variant, size, step),
      );
      return [
        step,
        String(size),
        String(runsOf(runs, "ours", size).length),
        ...measured.map(formatSpread),
        formatSpread(floor),
        ...measured.map(
          (each) => `${(each.median / floor.median).toFixed(2)}×`,
        ),
      ];
    }),
  );
  return markdownTable(
    [
      "step",
      "N",
      "rounds",
      ...VARIANTS.map((variant) => `${variant} s, median [min–max]`),
      ...MEASURED.map((variant) => `${variant} / floor`),
    ],
    rows,
    [
      false,
      ...Array<boolean>(2 + VARIANTS.length + MEASURED.length).fill(true),
    ],
  );
}

/** State and `__provider` bytes per resource, right after `create`, medians over the rounds. */
export function stateTable(runs: RunFigures[]): string {
  const rows = sizesOf(runs).map((size) => {
    const figure = (
      variant: Variant,
      pick: (run: RunFigures) => number,
    ): number =>
      Math.round(spread(runsOf(runs, variant, size).map(pick)).median);
    const each = (pick: (run: RunFigures) => number) => {
      const floor = figure("floor", pick);
      const measured = MEASURED.map((variant) => {
        const value = figure(variant, pick);
        return floor === 0
          ? bytes(value)
          : `${bytes(value)} (${(value / floor).toFixed(2)}×)`;
      });
      return `${measured.join(" / ")} / ${bytes(floor)}`;
    };
    return [
      String(size),
      each((run) => run.state.fileBytes / size),
      each((run) => run.state.largestEntryBytes),
      each((run) => run.state.providerTextBytes),
      each((run) => run.state.providerStoredBytes),
    ];
  });
  const order = VARIANTS.join(" / ");
  return markdownTable(
    [
      "N",
      `state file ÷ N, ${order}`,
      "largest resource entry",
      "`__provider` as text",
      "`__provider` as stored (inputs + outputs)",
    ],
    rows,
    [true, true, true, true, true],
  );
}

/**
 * Stytch requests per resource in each step (medians over the rounds), for each measured variant, with the
 * routes behind them;
 * and, below the table, the floor's total, which is zero unless something is wrong with it.
 */
export function callsTable(runs: RunFigures[]): string {
  const sizes = sizesOf(runs);
  const columns = MEASURED.flatMap((variant) =>
    sizes.map((size) => ({ variant, size })),
  );
  const rows = STEPS.map((step) => [
    step,
    ...columns.map(({ variant, size }) => {
      const measured = runsOf(runs, variant, size);
      const routes = new Set(
        measured.flatMap((run) => Object.keys(run.calls[step])),
      );
      const perResource = (count: (run: RunFigures) => number) =>
        (spread(measured.map(count)).median / size).toFixed(2);
      const total = perResource((run) =>
        Object.values(run.calls[step]).reduce((a, b) => a + b, 0),
      );
      const parts = [...routes]
        .sort()
        .map(
          (route) =>
            `${shortRoute(route)} ${perResource((run) => run.calls[step][route] ?? 0)}`,
        );
      return parts.length > 0 ? `${total} (${parts.join(", ")})` : total;
    }),
  ]);
  const floorCalls = runs
    .filter((run) => run.variant === "floor")
    .flatMap((run) =>
      Object.values(run.calls).flatMap((perRoute) => Object.values(perRoute)),
    )
    .reduce((a, b) => a + b, 0);
  return (
    markdownTable(
      ["step", ...columns.map(({ variant, size }) => `${variant}, N=${size}`)],
      rows,
      [false, ...columns.map(() => false)],
    ) +
    `\nThe floor made ${floorCalls} Stytch request(s) in all its runs (it is given the same emulator).\n`
  );
}

/** The CLI's `Resources:` summary of each step, from the last run of each variant at `size`. */
export function engineTable(runs: RunFigures[], size: number): string {
  const last = (variant: Variant) => runsOf(runs, variant, size).at(-1)!;
  return markdownTable(
    ["step", ...VARIANTS.map((variant) => `${variant}, N=${size}`)],
    STEPS.map((step) => [
      step,
      ...VARIANTS.map((variant) => last(variant).engineSummary[step]),
    ]),
    [false, ...VARIANTS.map(() => false)],
  );
}

function formatSpread({ median, min, max }: Spread): string {
  return `${median.toFixed(2)} [${min.toFixed(2)}–${max.toFixed(2)}]`;
}

function bytes(value: number): string {
  return `${value.toLocaleString("en-US")} B`;
}

/**
 * `POST /v1/m2m/clients/:client_id/secrets/rotate/start` → `POST rotate/start`,
 * `GET /v1/m2m/clients/:client_id` → `GET client`.
 */
function shortRoute(route: string): string {
  const [method = "", template = ""] = route.split(" ");
  const [, tail] = template.split("/clients/:client_id");
  if (tail === undefined) return route;
  return `${method} ${tail.replace(/^\/(secrets\/)?/, "") || "client"}`;
}

/** A Markdown table with padded columns; `right[i]` aligns column `i` to the right. */
export function markdownTable(
  header: string[],
  rows: string[][],
  right: boolean[],
): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) =>
        right[column]
          ? cell.padStart(widths[column]!)
          : cell.padEnd(widths[column]!),
      )
      .join(" | ")} |`;
  const rule = `| ${widths
    .map((width, column) =>
      right[column] ? `${"-".repeat(width - 1)}:` : "-".repeat(width),
    )
    .join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n") + "\n";
}
