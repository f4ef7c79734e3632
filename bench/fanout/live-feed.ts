import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import type { FanoutConfig } from './config.js';
import { Follower } from './follower.js';
import { percentile } from '../percentile.js';
import { mapLimit, sleep } from './pool.js';
import { mainThreadTimes, type ThreadTimes } from './scheduler.js';
import type { FanoutStack } from './stack.js';
import { streamingTemplate } from './template.js';

/** What the live phase measured. */
export interface LiveFeedResult {
  runIds: string[];
  clients: number;
  /** Time from the subscribe frame to the snapshot, per client (ms). */
  snapshotMs: number[];
  windowMs: number;
  /** Worker-to-client latency of every event published inside the window, per client that received it (ms). */
  latencies: Float64Array;
  /** Run events the worker published inside the window, and event frames clients received inside it. */
  published: number;
  delivered: number;
  gaps: number;
  duplicates: number;
  /** Clients that did not see their run's final event in time, or whose socket closed early. */
  unfinished: number;
  errors: string[];
  /** This process's CPU time over the window (s) and its event-loop delay p99 (ms). */
  cpuSeconds: number;
  loopDelayP99Ms: number;
  /** The main thread's time on a core and waiting for one over the window (Linux only). */
  mainThread: ThreadTimes | undefined;
  /** Run events the worker published in the busiest 100 ms of the window, and in a median 100 ms. */
  peakPer100Ms: number;
  medianPer100Ms: number;
}

const drainTimeoutMs = 60_000;

/**
 * Starts `runs` streaming runs, has `clientsPerRun` WebSocket clients follow each from a snapshot, measures
 * for `windowSeconds` once every client has its snapshot, cancels the runs, and checks each client's feed
 * against what the worker published.
 */
export async function measureLiveFeed(stack: FanoutStack, config: FanoutConfig, progress: (line: string) => void): Promise<LiveFeedResult> {
  const template = streamingTemplate(config.branches);
  await stack.request('POST', '/api/v1/templates', template);
  progress(`fanout: starting ${config.runs} runs of ${template.nodes.length} delay nodes (${config.branches} chains each)`);
  const runIds = await mapLimit(Array.from({ length: config.runs }), 10, async () =>
    (await stack.request<{ runId: string }>('POST', `/api/v1/templates/${template.id}/runs`, { input: {} })).runId);

  let windowStart = Infinity;
  let windowEnd = Infinity;
  const latencies: number[] = [];
  let delivered = 0;
  const onArrival = (runId: string, seq: number, arrivedAt: number) => {
    if (arrivedAt >= windowStart && arrivedAt < windowEnd) delivered++;
    const publishedAt = stack.clock.publishedAt(runId, seq);
    if (publishedAt !== undefined && publishedAt >= windowStart && publishedAt < windowEnd) latencies.push(arrivedAt - publishedAt);
  };

  const clients = config.runs * config.clientsPerRun;
  progress(`fanout: ${clients} clients subscribe (${config.clientsPerRun} a run), each answered with a snapshot`);
  const snapshotMs: number[] = [];
  const followers = await mapLimit(Array.from({ length: clients }, (_, i) => runIds[i % runIds.length] as string), 50, async (runId) => {
    const follower = await Follower.open(stack.wsUrl, runId, onArrival);
    if (!(await follower.until(() => follower.snapshotAt !== undefined, 60_000))) throw new Error(`no snapshot for ${runId} within 60 s: ${follower.errors.join('; ')}`);
    snapshotMs.push((follower.snapshotAt as number) - follower.subscribedAt);
    return follower;
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  const cpuBefore = process.cpuUsage();
  const threadBefore = mainThreadTimes();
  loop.enable();
  windowStart = performance.now();
  progress(`fanout: every client has its snapshot; measuring for ${config.windowSeconds} s`);
  for (let left = config.windowSeconds; left > 0; left -= 10) {
    await sleep(Math.min(10, left) * 1000);
    progress(`fanout:   ${delivered} event frames delivered so far`);
  }
  windowEnd = performance.now();
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const threadAfter = mainThreadTimes();
  const mainThread = threadBefore && threadAfter
    ? { onCpu: threadAfter.onCpu - threadBefore.onCpu, waiting: threadAfter.waiting - threadBefore.waiting }
    : undefined;

  progress('fanout: cancelling the runs; every client must then see its run end');
  await mapLimit(runIds, 25, (runId) => stack.request('POST', `/api/v1/runs/${runId}/cancel`, {}));
  await Promise.all(followers.map((f) => f.until(() => f.ended, drainTimeoutMs)));
  // The runs are closed (and in the run index) once their workflows have returned.
  await mapLimit(runIds, 25, (runId) => stack.request('GET', `/api/v1/runs/${runId}/result?wait=60`));

  let published = 0;
  const slots = new Array<number>(Math.ceil((windowEnd - windowStart) / 100)).fill(0);
  for (const runId of runIds) {
    for (let seq = 1; seq <= stack.clock.lastSeq(runId); seq++) {
      const at = stack.clock.publishedAt(runId, seq);
      if (at === undefined || at < windowStart || at >= windowEnd) continue;
      published++;
      slots[Math.floor((at - windowStart) / 100)]! += 1;
    }
  }
  let gaps = 0;
  let duplicates = 0;
  let unfinished = 0;
  const errors: string[] = [];
  for (const f of followers) {
    // Whatever the worker published after the client's last event never reached it: a gap at the end.
    gaps += f.gaps + Math.max(0, stack.clock.lastSeq(f.runId) - f.lastSeq);
    duplicates += f.duplicates;
    if (!f.ended) unfinished++;
    errors.push(...f.errors);
    f.close();
  }
  return {
    runIds, clients, snapshotMs, windowMs: windowEnd - windowStart, latencies: Float64Array.from(latencies), published, delivered,
    gaps, duplicates, unfinished, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopDelayP99Ms: loop.percentile(99) / 1e6,
    mainThread, peakPer100Ms: Math.max(...slots), medianPer100Ms: percentile(slots, 50),
  };
}
