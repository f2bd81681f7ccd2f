/**
 * `npm run --silent spread`: how `rotateEvery` spreads the due times of a fleet started in one `pulumi up`
 * (`provider/core/rotation-windows.ts`), for the figure the README and the issue quote. Options:
 * `--clients 100` (ids of M2M clients' shape, derived from their index so every run prints the same),
 * `--every 30d` (the policy), `--json`.
 *
 * It prints, for the next due time of each client, its offset from the fleet's start (min, quantiles,
 * max), how many fall due in the busiest day of a daily schedule, and the same without spreading.
 */
import { createHash } from "node:crypto";
import { durationMs } from "../provider/core/autopilot";
import { spreadDueAt } from "../provider/core/rotation-windows";

const DAY_MS = 86_400_000;

/** The `--name value` options of the command line, with their defaults. */
function options(argv: readonly string[]): {
  clients: number;
  every: string;
  json: boolean;
} {
  const valueOf = (name: string, fallback: string): string => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
  };
  const clients = Number(valueOf("clients", "100"));
  const every = valueOf("every", "30d");
  if (!Number.isInteger(clients) || clients < 1) {
    throw new Error(`--clients must be a whole number above 0.`);
  }
  if (durationMs(every) === undefined) {
    throw new Error(`--every must be a duration such as 30d.`);
  }
  return { clients, every, json: argv.includes("--json") };
}

/** The `index`th client id: an M2M client id's shape, from a hash of the index (the same on every run). */
function clientIdOf(index: number): string {
  const hex = createHash("sha256").update(`client ${index}`).digest("hex");
  return `m2m-client-test-${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The `q` quantile of sorted values, by the nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The most due times that fall on one day counted from the start: what one daily `pulumi up` meets. */
function busiestDay(offsetsMs: readonly number[]): number {
  const perDay = new Map<number, number>();
  for (const offset of offsetsMs) {
    const day = Math.floor(offset / DAY_MS);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  return Math.max(...perDay.values());
}

function main(): void {
  const { clients, every, json } = options(process.argv.slice(2));
  const period = durationMs(every)!;
  const started = Date.parse("2026-12-07T09:00:00Z");
  const offsets = Array.from(
    { length: clients },
    (_, i) => spreadDueAt(clientIdOf(i), started, period) - started,
  ).sort((a, b) => a - b);
  const days = (ms: number) => Number((ms / DAY_MS).toFixed(2));
  const figures = {
    clients,
    rotateEvery: every,
    offsetDays: {
      min: days(offsets[0]!),
      p10: days(quantile(offsets, 0.1)),
      p25: days(quantile(offsets, 0.25)),
      median: days(quantile(offsets, 0.5)),
      p75: days(quantile(offsets, 0.75)),
      p90: days(quantile(offsets, 0.9)),
      max: days(offsets.at(-1)!),
    },
    distinctDays: new Set(offsets.map((offset) => Math.floor(offset / DAY_MS)))
      .size,
    busiestDailyUp: busiestDay(offsets),
    busiestDailyUpWithoutSpread: clients,
  };
  if (json) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  const o = figures.offsetDays;
  console.log(
    `${clients} clients started in one up, rotateEvery ${every}: next due ` +
      `${o.min} to ${o.max} days after the start (p10 ${o.p10}, p25 ${o.p25}, median ${o.median}, ` +
      `p75 ${o.p75}, p90 ${o.p90}); ${figures.distinctDays} distinct days, at most ` +
      `${figures.busiestDailyUp} in one daily up (${clients} without spreadRotations).`,
  );
}

main();
