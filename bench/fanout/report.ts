import type { IdleResult } from './idle-connections.js';
import type { LiveFeedResult } from './live-feed.js';
import { percentile } from '../percentile.js';

/** Targets from issue 5. */
export const fanoutTargets = { p99Ms: 100, idleBytes: 50 * 1024 } as const;


const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Growth per connection from the baseline, in bytes: V8 heap, memory outside it (buffers), and RSS. */
function perConnection(idle: IdleResult, step: keyof IdleResult['memory']) {
  const [from, to] = [idle.memory.baseline, idle.memory[step]];
  const per = (key: 'heapUsed' | 'external' | 'rss') => (to[key] - from[key]) / idle.connections;
  return { heap: per('heapUsed'), external: per('external'), rss: per('rss') };
}

/** Prints the fan-out figures and the verdict on each of issue 5's targets. */
export function printFanoutReport(live: LiveFeedResult, idle: IdleResult, runs: number, print: (line: string) => void = console.log): void {
  const seconds = live.windowMs / 1000;
  const p99 = percentile(live.latencies, 99);
  print('');
  print(`realtime fan-out: ${live.clients} WebSocket clients over ${runs} running runs (${live.clients / runs} a run), one Weft process`);
  print(`  subscribe       snapshot in p50 ${ms(percentile(live.snapshotMs, 50))}, p99 ${ms(percentile(live.snapshotMs, 99))} (from the subscribe frame, while clients joined)`);
  print(`  window          ${seconds.toFixed(1)} s once every client had its snapshot`);
  print(`  worker          ${live.published} run events published, ${(live.published / seconds).toFixed(0)}/s`);
  print(`  delivered       ${live.delivered} event frames to clients, ${(live.delivered / seconds).toFixed(0)} messages/s`);
  print(`  latency         worker -> client: p50 ${ms(percentile(live.latencies, 50))}, p90 ${ms(percentile(live.latencies, 90))}, p99 ${ms(p99)}, max ${ms(percentile(live.latencies, 100))} (${live.latencies.length} deliveries)`);
  print(`  feed check      ${live.gaps} gaps, ${live.duplicates} duplicates, ${live.unfinished} clients without their run's final event, ${live.errors.length} error frames`);
  print(`  bursts          ${live.peakPer100Ms} run events in the busiest 100 ms, ${live.medianPer100Ms} in a median 100 ms (the dev server fires timers on whole seconds)`);
  print(`  this process    ${live.cpuSeconds.toFixed(1)} s CPU in the window (${((live.cpuSeconds / seconds) * 100).toFixed(0)}% of one core, all threads); event-loop delay p99 ${ms(live.loopDelayP99Ms)}`);
  if (live.mainThread) {
    print(`  main thread     ${live.mainThread.onCpu.toFixed(1)} s on a core, ${live.mainThread.waiting.toFixed(1)} s runnable but waiting for one (the dev server, the worker's threads, other processes)`);
  }
  print('');
  print(`idle connections: ${idle.connections} to a separate API process, growth per connection from its baseline after full GCs`);
  print(`  ${'step'.padEnd(28)} ${'heap'.padStart(9)} ${'external'.padStart(9)} ${'rss'.padStart(9)}`);
  for (const [step, label] of [['connected', 'connected, pinged once'], ['subscribed', 'subscribed to a closed run'], ['closed', 'after all closed']] as const) {
    const p = perConnection(idle, step);
    print(`  ${label.padEnd(28)} ${kb(p.heap).padStart(9)} ${kb(p.external).padStart(9)} ${kb(p.rss).padStart(9)}`);
  }
  print(`  frames after subscribing: ${idle.unexpectedFrames} (none expected); socket errors: ${idle.errors}`);
  // RSS moves in pages and V8 may keep freed ones; the larger of the two growths is the figure judged.
  const subscribed = perConnection(idle, 'subscribed');
  const idleBytes = Math.max(subscribed.rss, subscribed.heap + subscribed.external);
  const exact = live.gaps === 0 && live.duplicates === 0 && live.unfinished === 0;
  print('');
  print('targets (issue 5):');
  print(`  p99 <= ${fanoutTargets.p99Ms} ms at ${live.clients} clients      ${ms(p99).padStart(10)}  ${verdict(p99 <= fanoutTargets.p99Ms)}`);
  print(`  < ${fanoutTargets.idleBytes / 1024} KB per idle connection        ${kb(idleBytes).padStart(10)}  ${verdict(idleBytes < fanoutTargets.idleBytes)}`);
  print(`  every event, in order, exactly once   ${`${live.gaps}/${live.duplicates}`.padStart(10)}  ${verdict(exact)}  (gaps/duplicates)`);
}
