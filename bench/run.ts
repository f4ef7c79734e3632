import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { readBenchConfig, readBenchOnly } from './config.js';
import { runFanoutBench } from './fanout/index.js';
import { eventCount, fetchHistories, phasesOf, scheduledActivities, type Phases } from './histories.js';
import { burst, chargeCpu, noCpu, sequential, sides, type Sample, type Side } from './measure.js';
import { printReport, type Row } from './report.js';
import { chain, fanOut, orderDigest, type Scenario } from './scenarios.js';
import { startBenchStack, type BenchStack } from './stack.js';

/**
 * `npm run bench`: the interpreter against hand-written workflows calling the same activities with the same
 * options, on one in-memory dev server and one worker; then the realtime fan-out (bench/fanout). A
 * measurement, not a test: it exits 0 whatever the targets say, and non-zero only when a run fails or returns
 * a wrong result. `BENCH_ONLY=interpreter` or `BENCH_ONLY=fanout` runs one part.
 */
const only = readBenchOnly();
const config = readBenchConfig();
const began = performance.now();
const progress = (line: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}`);

/** Event counts and phases per run, and a warning unless both sides scheduled the very same activities. */
async function histories(stack: BenchStack, scenario: Scenario, samples: Record<Side, Sample[]>): Promise<Record<Side, { events: number[]; phases: Phases[] }>> {
  const fetch = (side: Side) => fetchHistories(stack.temporal.client, samples[side].map((s) => s.id));
  const [interpreter, handWritten] = await Promise.all([fetch('interpreter'), fetch('hand-written')]);
  const [a, b] = [interpreter, handWritten].map((h) => (h[0] ? scheduledActivities(h[0]) : [])) as [string[], string[]];
  const differ = a.findIndex((entry, i) => entry !== b[i]);
  if (differ >= 0 || a.length !== b.length) {
    progress(`WARNING ${scenario.name}: the two sides do not schedule the same activities; the comparison is not like for like`);
    progress(`  interpreter:  ${a[Math.max(differ, 0)] ?? '(none)'}`);
    progress(`  hand-written: ${b[Math.max(differ, 0)] ?? '(none)'}`);
  } else {
    progress(`${scenario.name}: both sides schedule the same ${a.length} activities (type, timeouts, retry, summary, input)`);
  }
  const read = (side: Side, fetched: typeof interpreter) => ({ events: fetched.map(eventCount), phases: fetched.map((h, i) => phasesOf(h, samples[side][i]!.ms)) });
  return { interpreter: read('interpreter', interpreter), 'hand-written': read('hand-written', handWritten) };
}

async function latencyRow(stack: BenchStack, scenario: Scenario, runs: number): Promise<Row> {
  progress(`${scenario.name}: warm-up (at least ${config.warmup} runs per side and ${config.warmupSeconds} s), then ${runs} sequential runs per side`);
  const { samples, cpu, warmupRounds } = await sequential(stack, scenario, runs, { rounds: config.warmup, seconds: config.warmupSeconds });
  progress(`${scenario.name}: measured after ${warmupRounds} warm-up runs per side`);
  const read = await histories(stack, scenario, samples);
  return {
    name: scenario.name,
    interpreter: { ms: samples.interpreter.map((s) => s.ms), ...read.interpreter, cpu: cpu.interpreter },
    handWritten: { ms: samples['hand-written'].map((s) => s.ms), ...read['hand-written'], cpu: cpu['hand-written'] },
  };
}

async function throughputRow(stack: BenchStack, scenario: Scenario): Promise<Row> {
  const samples: Record<Side, Sample[]> = { interpreter: [], 'hand-written': [] };
  const walls: Record<Side, number[]> = { interpreter: [], 'hand-written': [] };
  const cpu = noCpu();
  for (let round = 0; round < config.burstRounds; round++) {
    for (const side of round % 2 === 0 ? [...sides].reverse() : sides) {
      progress(`${scenario.name}: burst ${round + 1}/${config.burstRounds}, ${config.burst} ${side} runs at once`);
      const result = await burst(stack, scenario, side, config.burst);
      samples[side].push(...result.samples);
      walls[side].push(result.wallMs);
      chargeCpu(cpu, side, result.cpu);
    }
  }
  const read = await histories(stack, scenario, samples);
  return {
    name: `${scenario.name}, ${config.burst} at once`,
    interpreter: { ms: samples.interpreter.map((s) => s.ms), ...read.interpreter, burstWallMs: walls.interpreter, cpu: cpu.interpreter },
    handWritten: { ms: samples['hand-written'].map((s) => s.ms), ...read['hand-written'], burstWallMs: walls['hand-written'], cpu: cpu['hand-written'] },
  };
}

/** The interpreter against hand-written workflows (issue 4). */
async function interpreterBench(): Promise<void> {
  progress(`interpreter: BENCH_RUNS=${config.runs} BENCH_LARGE_RUNS=${config.largeRuns} BENCH_WIDTH=${config.width} BENCH_BURST=${config.burst} BENCH_BURST_ROUNDS=${config.burstRounds} BENCH_WARMUP=${config.warmup} BENCH_WARMUP_SECONDS=${config.warmupSeconds}`);
  const stack = await startBenchStack(progress);
  try {
    const digest = orderDigest(stack.base);
    const rows = [
      await latencyRow(stack, digest, config.runs),
      await throughputRow(stack, digest),
      await latencyRow(stack, chain(stack.base, config.width), config.largeRuns),
      await latencyRow(stack, fanOut(stack.base, config.width), config.largeRuns),
    ];
    printReport(rows);
  } finally {
    await stack.stop();
  }
}

progress(`starting: ${os.cpus().length} CPUs; BENCH_ONLY=${only.join(',')}`);
if (only.includes('interpreter')) await interpreterBench();
if (only.includes('fanout')) await runFanoutBench(progress);
progress('done');
