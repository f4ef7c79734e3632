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
  /** Unmeasured runs per side and shape before measuring. */
  warmup: number;
}

type Env = Record<string, string | undefined>;

function positive(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${key} must be a positive integer, got "${raw}"`);
  return value;
}

/** Reads BENCH_RUNS, BENCH_LARGE_RUNS, BENCH_WIDTH, BENCH_BURST, BENCH_BURST_ROUNDS and BENCH_WARMUP. */
export function readBenchConfig(env: Env = process.env): BenchConfig {
  return {
    runs: positive(env, 'BENCH_RUNS', 30),
    largeRuns: positive(env, 'BENCH_LARGE_RUNS', 10),
    width: positive(env, 'BENCH_WIDTH', 50),
    burst: positive(env, 'BENCH_BURST', 200),
    burstRounds: positive(env, 'BENCH_BURST_ROUNDS', 2),
    warmup: positive(env, 'BENCH_WARMUP', 3),
  };
}
