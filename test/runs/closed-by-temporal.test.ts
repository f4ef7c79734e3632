import { describe, expect, it } from 'vitest';
import { endClosedRun } from '../../src/runs/closed-by-temporal.js';
import type { RunState } from '../../src/workflows/state.js';

const open: RunState = {
  runId: 'r', templateId: 't', templateVersion: 1, status: 'running', progress: 50, startedAt: '2026-11-25T00:00:00.000Z', seq: 3, inFlight: ['b'],
  nodes: [
    { id: 'a', type: 'transform', status: 'completed', attempts: 1, output: 1 },
    { id: 'b', type: 'map', status: 'running', attempts: 1 },
  ],
};
const closedAt = new Date('2026-11-25T01:00:00.000Z');

describe('a run Temporal closed from outside', () => {
  it('ends cancelled when an operator terminated it, and failed when the server did for passing a limit', () => {
    const byOperator = endClosedRun(open, [], { status: 'TERMINATED', closedAt, reason: 'cleanup' });
    expect(byOperator.state).toMatchObject({ status: 'cancelled', error: { type: 'Terminated' } });
    expect(byOperator.events.map((e) => e.type)).toEqual(['node.cancelled', 'run.cancelled']);
    for (const reason of ['Workflow history size exceeds limit.', 'Workflow history count exceeds limit.']) {
      const byServer = endClosedRun(open, [], { status: 'TERMINATED', closedAt, reason });
      expect(byServer.state).toMatchObject({ status: 'failed', seq: 5, error: { type: 'LimitExceeded', message: expect.stringContaining(reason) } });
      expect(byServer.events.map((e) => [e.seq, e.type])).toEqual([[4, 'node.cancelled'], [5, 'run.failed']]);
    }
  });
});
