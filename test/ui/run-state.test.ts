import { describe, expect, it } from 'vitest';
import type { EventFrame } from '../../src/ui/client/feed.js';
import { applyEvent } from '../../src/ui/client/run-state.js';
import type { RunEvent, RunState } from '../../src/workflows/state.js';

const at = '2026-01-01T00:00:00.000Z';

function fresh(): RunState {
  return {
    runId: 'r', templateId: 't', templateVersion: 1, status: 'running', progress: 0, startedAt: at, seq: 0, inFlight: [],
    nodes: [
      { id: 'a', type: 'http', status: 'pending', attempts: 0 },
      { id: 'b', type: 'approval', status: 'pending', attempts: 0 },
    ],
  };
}

/** Applies events as the bridge frames them; `seq` counts up unless an event is live-only (`sub`). */
function play(state: RunState, events: Array<Omit<RunEvent, 'seq' | 'at'>>, holdsOnFailure?: ReadonlySet<string>): RunState {
  let seq = state.seq;
  for (const e of events) {
    const frame: EventFrame = { type: 'event', runId: state.runId, seq: e.sub === undefined ? ++seq : seq, sub: e.sub, event: e.type, nodeId: e.nodeId, at, data: e.data };
    applyEvent(state, frame, holdsOnFailure);
  }
  return state;
}

const node = (state: RunState, id: string) => state.nodes.find((n) => n.id === id)!;

describe('the page\'s run state, kept current by events', () => {
  it('follows nodes through running, waiting and completed, with outputs, progress and the run\'s end', () => {
    const state = play(fresh(), [
      { type: 'run.started' },
      { type: 'node.started', nodeId: 'a' },
      { type: 'node.progress', nodeId: 'a', sub: 1, data: { percent: 40 } },
      { type: 'node.completed', nodeId: 'a', data: { output: { ok: true } } },
      { type: 'node.started', nodeId: 'b' },
      { type: 'node.waiting', nodeId: 'b', data: { prompt: 'Ship it?' } },
    ]);
    expect(state).toMatchObject({ seq: 5, progress: 50, status: 'running' });
    expect(node(state, 'a')).toMatchObject({ status: 'completed', attempts: 1, output: { ok: true }, endedAt: at });
    expect(node(state, 'a')).not.toHaveProperty('progress');
    expect(node(state, 'b')).toMatchObject({ status: 'waiting', waitingFor: { prompt: 'Ship it?' } });
    play(state, [{ type: 'node.completed', nodeId: 'b', data: { output: { decision: 'approve' } } }, { type: 'run.completed', data: { output: 7 } }]);
    expect(state).toMatchObject({ seq: 7, progress: 100, status: 'completed', output: 7, endedAt: at });
    expect(node(state, 'b')).not.toHaveProperty('waitingFor');
  });

  it('tells Temporal\'s own retries (the node keeps running) from an operator\'s retry (the node goes back in line)', () => {
    const state = play(fresh(), [
      { type: 'node.started', nodeId: 'a' },
      { type: 'node.retrying', nodeId: 'a', sub: 1, data: { attempt: 2, error: { message: 'timeout' } } },
    ]);
    expect(node(state, 'a')).toMatchObject({ status: 'running', attempts: 2, error: { message: 'timeout' } });
    play(state, [
      { type: 'node.failed', nodeId: 'a', data: { error: { message: 'gone' }, onError: 'pause' } },
      { type: 'run.paused', data: { reason: 'node-failed', nodeIds: ['a'] } },
    ], new Set(['a']));
    expect(state.status).toBe('waiting_for_operator');
    expect(node(state, 'a')).toMatchObject({ status: 'failed', error: { message: 'gone' } });
    // `a` holds the run (the page knows from the template): its failure is no end, as a retry or skip is to come.
    expect(state.progress).toBe(0);
    play(state, [{ type: 'node.retrying', nodeId: 'a', data: { attempt: 3, error: { message: 'gone' } } }, { type: 'run.resumed' }, { type: 'node.started', nodeId: 'a', data: { attempt: 3 } }]);
    expect(state.status).toBe('running');
    expect(node(state, 'a')).toMatchObject({ status: 'running', attempts: 3 });
    expect(node(state, 'a')).not.toHaveProperty('error');
  });

  it('marks an operator\'s skip and an operator\'s pause', () => {
    const state = play(fresh(), [
      { type: 'run.pausing', data: { inFlight: ['a'] } },
      { type: 'run.paused', data: { reason: 'operator' } },
      { type: 'node.skipped', nodeId: 'b', data: { output: null, by: 'operator' } },
    ]);
    expect(state.status).toBe('paused');
    expect(node(state, 'b')).toMatchObject({ status: 'skipped', skippedBy: 'operator', output: null });
  });
});
