import { readFanoutConfig } from './config.js';
import { measureIdleConnections } from './idle-connections.js';
import { measureLiveFeed } from './live-feed.js';
import { printFanoutReport } from './report.js';
import { startFanoutStack } from './stack.js';

/**
 * The realtime fan-out scenario of issue 5: many WebSocket clients following running runs through one Weft
 * process (latency from the worker to the client, messages a second, every event once and in order), then the
 * memory one idle connection costs a separate API process.
 */
export async function runFanoutBench(progress: (line: string) => void): Promise<void> {
  const config = readFanoutConfig();
  progress(`fanout: BENCH_FANOUT_RUNS=${config.runs} BENCH_FANOUT_CLIENTS=${config.clientsPerRun} BENCH_FANOUT_BRANCHES=${config.branches} BENCH_FANOUT_SECONDS=${config.windowSeconds} BENCH_IDLE_CONNECTIONS=${config.idleConnections}`);
  const stack = await startFanoutStack(progress);
  try {
    const live = await measureLiveFeed(stack, config, progress);
    const idle = await measureIdleConnections(stack, live.runIds, config.idleConnections, progress);
    printFanoutReport(live, idle, config.runs);
  } finally {
    await stack.stop();
  }
}
