/** Sizes of the bench, from the environment: explicit value > env > default. */
export interface BenchConfig {
  /** Sequential runs per side of the 3-step chain (latency). */
  runs: number;
  /** Sequential runs per side of the 50-node chain and the 50-wide fan-out. */
  largeRuns: number;
  /** Nodes in the long chain and branches in the fan-out. */
  width: number;
  /** 3-step runs started at once (throughput). */
  burst: number;
  /** Bursts per side, alternating which side goes first. */
  burstRounds: number;
  /** Unmeasured runs per side and shape before measuring, at least. */
  warmup: number;
  /**
   * Warm-up goes on for at least this long per shape: the worker's JIT settles over the first few hundred short
   * runs (CPU per 3-step interpreter run falls by a third over the first 200), and a bench measures what a
   * long-lived worker does.
   */
  warmupSeconds: number;
}

export type Env = Record<string, string | undefined>;

/** A positive integer from `env[key]`, or `fallback` when unset; anything else is a TypeError naming the key. */
export function positive(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${key} must be a positive integer, got "${raw}"`);
  return value;
}

/** Reads BENCH_RUNS, BENCH_LARGE_RUNS, BENCH_WIDTH, BENCH_BURST, BENCH_BURST_ROUNDS, BENCH_WARMUP and BENCH_WARMUP_SECONDS. */
export function readBenchConfig(env: Env = process.env): BenchConfig {
  return {
    runs: positive(env, 'BENCH_RUNS', 100),
    largeRuns: positive(env, 'BENCH_LARGE_RUNS', 100),
    width: positive(env, 'BENCH_WIDTH', 50),
    burst: positive(env, 'BENCH_BURST', 200),
    burstRounds: positive(env, 'BENCH_BURST_ROUNDS', 5),
    warmup: positive(env, 'BENCH_WARMUP', 3),
    warmupSeconds: positive(env, 'BENCH_WARMUP_SECONDS', 10),
  };
}

/** The parts of the bench `npm run bench` can run. */
export const benchParts = ['interpreter', 'fanout'] as const;
export type BenchPart = (typeof benchParts)[number];

/** Reads BENCH_ONLY (`interpreter`, `fanout`, or both comma-separated); unset runs every part. */
export function readBenchOnly(env: Env = process.env): BenchPart[] {
  const raw = env.BENCH_ONLY?.trim();
  if (!raw) return [...benchParts];
  const parts = raw.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(benchParts as readonly string[]).includes(p));
  if (unknown.length > 0) throw new TypeError(`BENCH_ONLY must name ${benchParts.join(' or ')}, got "${unknown.join(', ')}"`);
  return benchParts.filter((p) => parts.includes(p));
}
