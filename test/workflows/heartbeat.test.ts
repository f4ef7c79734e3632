import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveEveryMs, nodeActivity } from '../../src/activities/node-activity.js';
import { maxTimerMs } from '../../src/template/duration.js';
import type { NodeActivityInput, NodeActivityResult } from '../../src/activities/node-input.js';
import type { Template } from '../../src/template/model.js';
import { activityOptionsFor, defaultHeartbeatTimeout } from '../../src/workflows/activity-options.js';
import { interpreterWorkflowType } from '../../src/workflows/definitions.js';
import type { RunInput } from '../../src/workflows/input.js';
import type { RunState } from '../../src/workflows/state.js';
import { startWorld, type World } from '../support/world.js';

describe('activity nodes heartbeat on their own', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld('pglite', {
      extraActivities: (db) => ({
        // Works for 2.5 s without reporting any progress.
        quiet: nodeActivity('quiet', { db }, async () => {
          await sleep(2500);
          return { done: true };
        }),
        // The same work outside the wrapper: nothing heartbeats for it.
        silent: async (_input: NodeActivityInput): Promise<NodeActivityResult> => {
          await sleep(2500);
          return { output: { done: true }, attempt: 1 };
        },
      }),
    });
  });
  afterAll(async () => world?.close());

  const run = async (type: string): Promise<RunState> => {
    const runId = `heartbeat-${randomUUID()}`;
    const template: Template = {
      id: 'heartbeat', name: 'Heartbeat',
      nodes: [{ id: 'work', type, heartbeatTimeout: '1s', retry: { maxAttempts: 1 }, config: {} }],
      output: '{{ nodes.work.output.done }}',
    };
    const input: RunInput = { runId, templateId: 'heartbeat', templateVersion: 1, template, input: {}, trigger: 'api', startedAt: new Date().toISOString() };
    const handle = await world.temporal.client.workflow.start(interpreterWorkflowType, { workflowId: runId, taskQueue: world.taskQueue, args: [input] });
    await handle.result().catch(() => undefined);
    return (await handle.query<RunState>('weft.state'));
  };

  it('completes a node that works longer than its heartbeat timeout without reporting progress', async () => {
    const state = await run('quiet');
    expect(state.status).toBe('completed');
    expect(state.output).toBe(true);
    expect(state.nodes[0]).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('times out the same work when nothing heartbeats for it (what a dead worker looks like)', async () => {
    const state = await run('silent');
    expect(state.status).toBe('failed');
    expect(JSON.stringify(state.nodes[0]?.error)).toMatch(/heartbeat/i);
  });

  it('beats a third of the heartbeat timeout apart, never faster than 100 ms, nor slower than a timer can wait', () => {
    expect(keepAliveEveryMs(30_000)).toBe(10_000);
    expect(keepAliveEveryMs(150)).toBe(100);
    // A 90-day timeout: a third is past a Node timer's reach, where Node would fire every millisecond.
    expect(keepAliveEveryMs(90 * 86_400_000)).toBe(maxTimerMs);
  });

  it('gives activity nodes a heartbeat timeout by default, and a node may set its own', () => {
    const template: Template = { id: 't', name: 'T', nodes: [] };
    expect(activityOptionsFor(template, { id: 'a', type: 'http', config: {} }).heartbeatTimeout).toBe(30_000);
    expect(defaultHeartbeatTimeout).toBe('30s');
    expect(activityOptionsFor(template, { id: 'a', type: 'http', heartbeatTimeout: '5s', config: {} }).heartbeatTimeout).toBe(5_000);
    // Never beyond the node's own timeout.
    expect(activityOptionsFor(template, { id: 'a', type: 'http', timeout: '10s', config: {} }).heartbeatTimeout).toBe(10_000);
  });
});
