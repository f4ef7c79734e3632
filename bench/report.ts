import type { CpuUse } from './cpu.js';
import type { Phases } from './histories.js';
import { percentile } from './percentile.js';

/** Targets from issue 4. */
export const targets = { wallRatio: 1.1, extraEvents: 3 } as const;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The 95th percentile, nearest rank. */
export const p95 = (values: number[]): number => percentile(values, 95);

/**
 * A 95% interval for the ratio of medians `median(a) / median(b)`: the 2.5th and 97.5th percentiles of the
 * ratio over `resamples` bootstrap resamples. The two sides ran in alternating pairs, so a resample draws pairs
 * (the k-th run of each side), which keeps a slow stretch of the machine on both sides of the ratio. The
 * generator is seeded, so the same samples print the same interval. `undefined` when the sides differ in length.
 */
export function ratioInterval(a: number[], b: number[], resamples = 2000, seed = 1): [number, number] | undefined {
  if (a.length === 0 || a.length !== b.length) return undefined;
  // mulberry32: small, seeded, and good enough to pick indices.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ratios: number[] = [];
  const [ra, rb] = [new Array<number>(a.length), new Array<number>(b.length)];
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < a.length; k++) {
      const pick = Math.floor(random() * a.length);
      ra[k] = a[pick] as number;
      rb[k] = b[pick] as number;
    }
    ratios.push(median(ra) / median(rb));
  }
  return [percentile(ratios, 2.5), percentile(ratios, 97.5)];
}

/** One side of a row: wall times in ms and history event counts per run. */
export interface SideStats {
  ms: number[];
  events: number[];
  /** CPU the side used over all its measured runs (`bench/cpu.ts`). */
  cpu?: CpuUse;
  /** Burst rows: wall time of the whole burst, per round. */
  burstWallMs?: number[];
  /** Where each run's time went, from its history (`bench/histories.ts`). */
  phases?: Phases[];
}

/** One line of the table: a scenario measured on both sides. */
export interface Row {
  name: string;
  interpreter: SideStats;
  handWritten: SideStats;
}

const pad = (text: string, width: number) => text.padStart(width);
const ms = (value: number) => value.toFixed(1);
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** The wall-time ratio the target applies to: whole bursts for throughput rows, the median run otherwise. */
function wallRatio(row: Row): number {
  const { interpreter: i, handWritten: h } = row;
  return i.burstWallMs && h.burstWallMs ? median(i.burstWallMs) / median(h.burstWallMs) : median(i.ms) / median(h.ms);
}

/** Prints the latency table, the throughput lines and the verdict on each target. */
export function printReport(rows: Row[], print: (line: string) => void = console.log): void {
  print('');
  print(`${'scenario'.padEnd(26)} ${pad('runs', 5)} | ${pad('interpreter ms', 17)} | ${pad('hand-written ms', 17)} | ${pad('ratio i/h', 13)} | history events/run`);
  print(`${''.padEnd(26)} ${pad('', 5)} | ${pad('median', 8)} ${pad('p95', 8)} | ${pad('median', 8)} ${pad('p95', 8)} | ${pad('median', 6)} ${pad('p95', 6)} | ${pad('interp', 6)} ${pad('hand', 5)} ${pad('extra', 5)}`);
  for (const { name, interpreter: i, handWritten: h } of rows) {
    const extra = median(i.events) - median(h.events);
    print(`${name.padEnd(26)} ${pad(String(i.ms.length), 5)} | ${pad(ms(median(i.ms)), 8)} ${pad(ms(p95(i.ms)), 8)} | ${pad(ms(median(h.ms)), 8)} ${pad(ms(p95(h.ms)), 8)} | `
      + `${pad(ratio(median(i.ms), median(h.ms)), 6)} ${pad(ratio(p95(i.ms), p95(h.ms)), 6)} | ${pad(String(median(i.events)), 6)} ${pad(String(median(h.events)), 5)} ${pad(`${extra >= 0 ? '+' : ''}${extra}`, 5)}`);
  }
  for (const { name, interpreter: i, handWritten: h } of rows) {
    if (!i.burstWallMs || !h.burstWallMs) continue;
    const [iw, hw] = [median(i.burstWallMs), median(h.burstWallMs)];
    const perRound = i.ms.length / i.burstWallMs.length;
    print('');
    print(`throughput, ${name} (median of ${i.burstWallMs.length} burst(s) per side):`);
    print(`  interpreter   wall ${(iw / 1000).toFixed(2)} s  ${(perRound / (iw / 1000)).toFixed(1)} runs/s   (bursts: ${i.burstWallMs.map((w) => (w / 1000).toFixed(2)).join(', ')} s)`);
    print(`  hand-written  wall ${(hw / 1000).toFixed(2)} s  ${(perRound / (hw / 1000)).toFixed(1)} runs/s   (bursts: ${h.burstWallMs.map((w) => (w / 1000).toFixed(2)).join(', ')} s)`);
    print(`  wall ratio i/h ${ratio(iw, hw)}`);
  }
  const withCpu = rows.filter((r) => r.interpreter.cpu && r.handWritten.cpu);
  if (withCpu.length > 0) {
    print('');
    print('CPU per run, ms (bench process: worker, client and upstream; dev server: its whole process tree):');
    print(`${'scenario'.padEnd(26)} | ${pad('bench process', 22)} | ${pad('dev server', 22)} | ${pad('both', 6)}`);
    print(`${''.padEnd(26)} | ${pad('interp', 6)} ${pad('hand', 6)} ${pad('i/h', 6)}  | ${pad('interp', 6)} ${pad('hand', 6)} ${pad('i/h', 6)}  | ${pad('i/h', 6)}`);
    for (const { name, interpreter: i, handWritten: h } of withCpu) {
      const [ic, hc] = [i.cpu!, h.cpu!];
      const per = (c: CpuUse, field: keyof CpuUse, runs: number) => c[field] / runs;
      const [ib, hb, is, hs] = [per(ic, 'benchMs', i.ms.length), per(hc, 'benchMs', h.ms.length), per(ic, 'serverMs', i.ms.length), per(hc, 'serverMs', h.ms.length)];
      print(`${name.padEnd(26)} | ${pad(ms(ib), 6)} ${pad(ms(hb), 6)} ${pad(ratio(ib, hb), 6)}  | ${pad(ms(is), 6)} ${pad(ms(hs), 6)} ${pad(hs > 0 ? ratio(is, hs) : '-', 6)}  | ${pad(ratio(ib + is, hb + hs), 6)}`);
    }
  }
  const withPhases = rows.filter((r) => r.interpreter.phases && r.handWritten.phases);
  if (withPhases.length > 0) {
    print('');
    print('where a run\'s time goes, median ms per run (from history event times; workflow tasks are the worker\'s, the closing one');
    print('includes the run index\'s write; the rest of the history is activities, task queues and the server):');
    const phaseNames: Array<[keyof Phases, string]> = [['workflowTasks', 'workflow tasks'], ['closingTask', 'closing task'], ['restOfHistory', 'rest of history'], ['outsideHistory', 'outside history']];
    print(`${'scenario'.padEnd(26)} | ${phaseNames.map(([, label]) => pad(label, 22)).join(' | ')}`);
    print(`${''.padEnd(26)} | ${phaseNames.map(() => `${pad('interp', 7)} ${pad('hand', 7)} ${pad('+', 6)}`).join(' | ')}`);
    for (const { name, interpreter: i, handWritten: h } of withPhases) {
      const cells = phaseNames.map(([key]) => {
        const [a, b] = [median(i.phases!.map((p) => p[key])), median(h.phases!.map((p) => p[key]))];
        return `${pad(ms(a), 7)} ${pad(ms(b), 7)} ${pad(`${a - b >= 0 ? '+' : ''}${ms(a - b)}`, 6)}`;
      });
      print(`${name.padEnd(26)} | ${cells.join(' | ')}`);
    }
  }
  print('');
  print(`targets (issue 4): wall-time ratio <= ${targets.wallRatio.toFixed(2)}, at most ${targets.extraEvents} extra history events per run`);
  for (const row of rows) {
    const r = wallRatio(row);
    const extra = median(row.interpreter.events) - median(row.handWritten.events);
    // Bursts are too few for an interval; a latency row's runs are many.
    const interval = row.interpreter.burstWallMs ? undefined : ratioInterval(row.interpreter.ms, row.handWritten.ms);
    const spread = interval ? ` (95% interval ${interval[0].toFixed(2)}-${interval[1].toFixed(2)})` : '';
    print(`  ${row.name.padEnd(26)} wall ${r.toFixed(2)}${spread} ${verdict(r <= targets.wallRatio)}   events ${extra >= 0 ? '+' : ''}${extra} ${verdict(extra <= targets.extraEvents)}`);
  }
}
