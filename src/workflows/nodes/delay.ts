import { sleep } from '@temporalio/workflow';
import { maxDurationMs, parseDuration } from '../../template/duration.js';
import type { DelayConfig, DelayOutput } from '../../template/node-types/delay.js';
import { parseTimestamp } from '../../template/timestamp.js';
import { nodeFailure } from '../failures.js';
import { change, hasChange } from '../revision.js';
import type { NodeExecutor, NodeResumeContext } from './types.js';

/**
 * Since this change an `until` an expression gives must name its zone, as a written one must at upload; before
 * it, a date and time without a zone were read in the worker's own time zone, so workers in different zones
 * waited for different moments. Asked for only by such a value.
 */
export const zonedUntilChange = change('weft-zoned-until', 17);

/**
 * Since this change a `duration` an expression gives is held to the bound a written one is held to at upload,
 * 100 years. Before it, a longer one was waited for, and one past the last moment a date can hold failed its
 * node with nothing but "Invalid time value". Asked for only by such a value.
 */
export const boundedDurationChange = change('weft-bounded-duration', 21);

/** Milliseconds until the moment a `delay` config names (evaluated already); never negative. */
function waitMs(config: DelayConfig, now: number): number {
  if (config.duration !== undefined) {
    const ms = parseDuration(String(config.duration));
    if (ms === undefined) throw nodeFailure('InvalidDuration', `duration "${String(config.duration)}" is not a duration such as 30s, 5m or 2h`);
    if (ms > maxDurationMs && hasChange(boundedDurationChange)) throw nodeFailure('InvalidDuration', `duration "${String(config.duration)}" is longer than 100 years (36525d), the longest a delay waits`);
    return ms;
  }
  const text = String(config.until);
  const at = parseTimestamp(text);
  if (at === undefined) {
    // Before the change, anything `Date.parse` took was waited for: a time without a zone in the worker's own.
    const loose = Date.parse(text);
    if (!Number.isNaN(loose) && !hasChange(zonedUntilChange)) return Math.max(0, loose - now);
    throw nodeFailure('InvalidTimestamp', `until "${text}" is not an ISO timestamp with a zone, such as 2025-01-31T09:00:00Z`);
  }
  return Math.max(0, at - now);
}

/**
 * A `delay` node waits on a durable Temporal timer whose summary names the node, so the Web UI shows what it
 * waits for. The node is `waiting` meanwhile: a pause does not wait for it to end.
 */
export const runDelayNode: NodeExecutor = async ({ node, config, wait }) => {
  const now = Date.now();
  const ms = waitMs(config as DelayConfig, now);
  if (ms > 0) wait({ kind: 'delay', until: new Date(now + ms).toISOString() });
  return waitOut(node.id, ms);
};

/** Takes up a delay handed over by the previous execution: a new timer for what is left until `until`. */
export function resumeDelayNode({ node, waitingFor }: NodeResumeContext): Promise<DelayOutput> {
  return waitOut(node.id, Date.parse(String(waitingFor.until)) - Date.now());
}

/** Waits `ms` on the node's timer (none when nothing is left), then answers with when the wait ended. */
async function waitOut(nodeId: string, ms: number): Promise<DelayOutput> {
  if (ms > 0) await sleep(ms, { summary: `${nodeId}: delay` });
  return { waitedUntil: new Date().toISOString() };
}
