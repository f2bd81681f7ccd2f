/**
 * The bench's plot as a hand-written SVG (no dependency): one small line chart per step, seconds against
 * N on linear axes (so growth faster than linear shows as a bend), ours (dynamic and native) and the floor as series with
 * their medians joined and min–max whiskers at each N, and a shared legend.
 */
import { STEPS, VARIANTS, type RunFigures, type Variant } from "./measure";
import { runsOf, sizesOf, stepSpread, type Spread } from "./report";

/** The plot's file name in the report directory. */
export const PLOT_FILE = "seconds-per-step.svg";

const SERIES: Record<Variant, { label: string; color: string; dash?: string }> =
  {
    ours: { label: "ours, dynamic (ClientSecretRotation)", color: "#c2410c" },
    native: {
      label: "ours, native (pulumi-resource-stytch)",
      color: "#15803d",
      dash: "2 3",
    },
    floor: {
      label: "floor (no-op dynamic resource)",
      color: "#1d4ed8",
      dash: "6 4",
    },
  };

/** The report's plot: one panel per step, each variant a series, seconds against N. */
export function secondsPerStepPlot(runs: RunFigures[]): string {
  const variants = VARIANTS;
  const largest = Math.max(...sizesOf(runs));
  return plotPanels(
    STEPS.map((step) => ({
      title: step,
      series: variants.map((variant) => ({
        ...SERIES[variant],
        points: sizesOf(runs).map((size) => ({
          x: size,
          ...stepSpread(runs, variant, size, step),
        })),
      })),
    })),
    {
      title:
        "ClientSecretRotation, dynamic and native, against a no-op dynamic resource: seconds per step",
      subtitle: `Median and min–max over the rounds (${sizesOf(runs)
        .map((size) => `N=${size}: ${runsOf(runs, "ours", size).length}`)
        .join(
          ", ",
        )}; one round has no whisker); one panel per step, each with its own scale.`,
      x: "N (resources in the stack)",
      y: "seconds",
      notes: [
        "dot: median over the rounds",
        "whisker: min–max over the rounds",
        "",
        `ours ÷ floor (dynamic, native), medians, N = ${largest}:`,
        ...STEPS.map((step) => {
          const ratio = (variant: Variant) =>
            (
              stepSpread(runs, variant, largest, step).median /
              stepSpread(runs, "floor", largest, step).median
            ).toFixed(2);
          return `${step}: ${ratio("ours")}×, ${ratio("native")}×`;
        }),
      ],
    },
  );
}

/** One line of a panel: a median with its min–max at each x. */
export interface Series {
  label: string;
  color: string;
  /** SVG `stroke-dasharray` of the line, if not solid. */
  dash?: string;
  points: Array<{ x: number } & Spread>;
}

/** One chart of the grid. */
export interface Panel {
  title: string;
  series: Series[];
}

const PANEL = { width: 330, height: 250 };
const INSET = { left: 58, right: 16, top: 34, bottom: 44 };
const COLUMNS = 3;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/**
 * Renders `panels` in a grid of three columns under `title` and a line of `subtitle`, with the legend
 * and the lines of `notes` below it in the first free cell (or in a row of its own).
 */
export function plotPanels(
  panels: Panel[],
  labels: {
    title: string;
    subtitle: string;
    x: string;
    y: string;
    notes: string[];
  },
): string {
  const cells = panels.length + 1;
  const rows = Math.ceil(cells / COLUMNS);
  const header = 56;
  const width = COLUMNS * PANEL.width + 20;
  // The legend's cell grows with its series and notes; the canvas takes whichever ends lower.
  const legendTop = header + Math.floor(panels.length / COLUMNS) * PANEL.height;
  const legendBottom =
    legendTop +
    legendHeight((panels[0]?.series ?? []).length, labels.notes.length);
  const height = Math.max(header + rows * PANEL.height, legendBottom) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    text(10, 24, labels.title, { size: 17, weight: "bold" }),
    text(10, 44, labels.subtitle, { size: 12, color: "#444" }),
  ];
  const origin = (cell: number) => ({
    x: 10 + (cell % COLUMNS) * PANEL.width,
    y: header + Math.floor(cell / COLUMNS) * PANEL.height,
  });
  panels.forEach((panel, cell) =>
    parts.push(renderPanel(panel, origin(cell), labels)),
  );
  parts.push(
    renderLegend(panels[0]?.series ?? [], labels.notes, origin(panels.length)),
  );
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

function renderPanel(
  panel: Panel,
  at: { x: number; y: number },
  labels: { x: string; y: string },
): string {
  const plot = {
    left: at.x + INSET.left,
    right: at.x + PANEL.width - INSET.right,
    top: at.y + INSET.top,
    bottom: at.y + PANEL.height - INSET.bottom,
  };
  const points = panel.series.flatMap((series) => series.points);
  const xTicks = [...new Set(points.map((point) => point.x))].sort(
    (a, b) => a - b,
  );
  const xMax = Math.max(...xTicks) * 1.04;
  const yTicks = niceTicks(Math.max(...points.map((point) => point.max)));
  const yMax = yTicks[yTicks.length - 1]!;
  const sx = (x: number) => plot.left + (x / xMax) * (plot.right - plot.left);
  const sy = (y: number) => plot.bottom - (y / yMax) * (plot.bottom - plot.top);

  const parts = [
    text(at.x + INSET.left, at.y + 20, panel.title, {
      size: 14,
      weight: "bold",
    }),
  ];
  for (const tick of yTicks) {
    const y = round(sy(tick));
    parts.push(
      `<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#e4e4e4"/>`,
      text(plot.left - 6, y + 4, formatTick(tick), {
        size: 11,
        anchor: "end",
      }),
    );
  }
  for (const tick of xTicks) {
    const x = round(sx(tick));
    parts.push(
      `<line x1="${x}" y1="${plot.bottom}" x2="${x}" y2="${plot.bottom + 5}" stroke="#333"/>`,
      text(x, plot.bottom + 18, String(tick), { size: 11, anchor: "middle" }),
    );
  }
  parts.push(
    `<polyline points="${plot.left},${plot.top} ${plot.left},${plot.bottom} ${plot.right},${plot.bottom}" fill="none" stroke="#333"/>`,
    text((plot.left + plot.right) / 2, plot.bottom + 36, labels.x, {
      size: 12,
      anchor: "middle",
    }),
    text(at.x + 14, (plot.top + plot.bottom) / 2, labels.y, {
      size: 12,
      anchor: "middle",
      rotate: true,
    }),
  );
  panel.series.forEach((series, index) => {
    // Each series is moved a few pixels sideways, so that whiskers at the same N do not hide each other.
    const dodge = (index - (panel.series.length - 1) / 2) * 6;
    const line = series.points
      .map(
        (point) => `${round(sx(point.x) + dodge)},${round(sy(point.median))}`,
      )
      .join(" ");
    parts.push(
      `<polyline points="${line}" fill="none" stroke="${series.color}" stroke-width="2"${dashAttribute(series)}/>`,
    );
    for (const point of series.points) {
      const x = round(sx(point.x) + dodge);
      const [low, high] = [round(sy(point.min)), round(sy(point.max))];
      parts.push(
        `<line x1="${x}" y1="${low}" x2="${x}" y2="${high}" stroke="${series.color}" stroke-width="1.5"/>`,
        `<line x1="${x - 4}" y1="${low}" x2="${x + 4}" y2="${low}" stroke="${series.color}" stroke-width="1.5"/>`,
        `<line x1="${x - 4}" y1="${high}" x2="${x + 4}" y2="${high}" stroke="${series.color}" stroke-width="1.5"/>`,
        `<circle cx="${x}" cy="${round(sy(point.median))}" r="3.5" fill="${series.color}"/>`,
      );
    }
  });
  return parts.join("\n");
}

/** How far below its cell's top the legend ends, with this many series and lines of notes. */
function legendHeight(series: number, notes: number): number {
  return INSET.top + 20 + series * 26 + notes * 16;
}

function renderLegend(
  series: Series[],
  notes: string[],
  at: { x: number; y: number },
): string {
  const parts = [
    text(at.x + INSET.left, at.y + 20, "Legend", { size: 14, weight: "bold" }),
  ];
  series.forEach((entry, index) => {
    const y = at.y + INSET.top + 20 + index * 26;
    const x = at.x + INSET.left;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 36}" y2="${y}" stroke="${entry.color}" stroke-width="2"${dashAttribute(entry)}/>`,
      `<circle cx="${x + 18}" cy="${y}" r="3.5" fill="${entry.color}"/>`,
      text(x + 46, y + 4, entry.label, { size: 12 }),
    );
  });
  const y = at.y + legendHeight(series.length, 0);
  notes.forEach((note, index) =>
    parts.push(
      text(at.x + INSET.left, y + index * 16, note, {
        size: 11,
        color: "#444",
      }),
    ),
  );
  return parts.join("\n");
}

/** Round tick values from 0 that cover `max`: steps of 1, 2, 2.5 or 5 times a power of ten. */
export function niceTicks(max: number, wanted = 5): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / wanted;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10]
    .map((factor) => factor * magnitude)
    .find((candidate) => candidate >= raw)!;
  const count = Math.ceil(top / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}

function formatTick(value: number): string {
  return String(Number(value.toFixed(2)));
}

function dashAttribute(series: Series): string {
  return series.dash ? ` stroke-dasharray="${series.dash}"` : "";
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function text(
  x: number,
  y: number,
  content: string,
  style: {
    size: number;
    weight?: "bold";
    color?: string;
    anchor?: "middle" | "end";
    rotate?: boolean;
  },
): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${style.size}"`,
    style.weight ? `font-weight="${style.weight}"` : "",
    `fill="${style.color ?? "#111"}"`,
    style.anchor ? `text-anchor="${style.anchor}"` : "",
    style.rotate ? `transform="rotate(-90 ${round(x)} ${round(y)})"` : "",
  ].filter(Boolean);
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}
