import { positive, type Env } from '../config.js';

/** Sizes of the realtime fan-out scenario. */
export interface FanoutConfig {
  /** Runs followed at once. */
  runs: number;
  /** WebSocket clients per run. */
  clientsPerRun: number;
  /** Parallel chains of delay nodes in each run (more chains, more events a second). */
  branches: number;
  /** How long latency and throughput are measured once every client has its snapshot. */
  windowSeconds: number;
  /** Idle connections opened against a separate server process to weigh one. */
  idleConnections: number;
}

/** Reads BENCH_FANOUT_RUNS, BENCH_FANOUT_CLIENTS, BENCH_FANOUT_BRANCHES, BENCH_FANOUT_SECONDS and BENCH_IDLE_CONNECTIONS. */
export function readFanoutConfig(env: Env = process.env): FanoutConfig {
  return {
    runs: positive(env, 'BENCH_FANOUT_RUNS', 100),
    clientsPerRun: positive(env, 'BENCH_FANOUT_CLIENTS', 10),
    branches: positive(env, 'BENCH_FANOUT_BRANCHES', 4),
    windowSeconds: positive(env, 'BENCH_FANOUT_SECONDS', 30),
    idleConnections: positive(env, 'BENCH_IDLE_CONNECTIONS', 10_000),
  };
}
