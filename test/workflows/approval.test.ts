import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, finish, nodeOf, start, stateOf, trace, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

describe('approval nodes', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
    await upload(world, {
      id: 'review', name: 'Review',
      nodes: [
        {
          id: 'review', type: 'approval',
          config: { prompt: 'Publish {{ input.topic }}?', assignees: ['editors'], formSchema: { type: 'object', properties: { headline: { type: 'string' } }, required: ['headline'] } },
        },
        { id: 'publish', type: 'transform', needs: ['review'], when: "{{ nodes.review.output.decision = 'approve' }}", config: { value: '{{ nodes.review.output.data.headline }}' } },
      ],
      output: { decision: '{{ nodes.review.output.decision }}', published: '{{ nodes.publish.output }}' },
    });
    for (const onTimeout of ['approve', 'reject', 'fail']) {
      await upload(world, {
        id: `timeout-${onTimeout}`, name: 'Timeout',
        nodes: [{ id: 'review', type: 'approval', config: { prompt: 'OK?', timeout: '200ms', onTimeout } }],
        output: '{{ nodes.review.output }}',
      });
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  it('waits for a decision and outputs it; form data is checked against formSchema first', async () => {
    const runId = await start(world, 'review', { topic: 'tides' });
    const waiting = await waitFor(world, runId, (s) => nodeOf(s, 'review').status === 'waiting');
    expect(nodeOf(waiting, 'review').waitingFor).toMatchObject({ kind: 'approval', prompt: 'Publish tides?', assignees: ['editors'] });
    expect(waiting.status).toBe('running');

    const bad = await command(world, runId, 'nodes/review/approve', { decision: 'approve', data: { headline: 7 } });
    expect(bad.status).toBe(422);
    expect((await command(world, runId, 'nodes/publish/approve', { decision: 'approve' })).status).toBe(409);
    expect((await command(world, runId, 'nodes/nope/approve', { decision: 'approve' })).status).toBe(404);
    // The room records a decision as it is sent: text the store cannot hold is refused before it is taken.
    const nul = await command(world, runId, 'nodes/review/approve', { decision: 'approve', comment: 'a\u0000b', data: { headline: 'T' } });
    expect(nul.status).toBe(422);
    expect(JSON.stringify(nul.body)).toMatch(/comment.*U\+0000|U\+0000.*comment/);
    expect(nodeOf((await stateOf(world, runId)), 'review').status).toBe('waiting');

    const approved = await command(world, runId, 'nodes/review/approve', { decision: 'approve', by: 'ada', comment: 'good', data: { headline: 'Tides' } });
    expect(approved.status).toBe(200);
    expect(nodeOf(approved.body, 'review')).toMatchObject({ status: 'completed', output: { decision: 'approve', by: 'ada', comment: 'good', data: { headline: 'Tides' } } });
    expect((await command(world, runId, 'nodes/review/approve', { decision: 'reject' })).status).toBe(409);
    const { state, events } = await finish(world, runId);
    expect(state.output).toEqual({ decision: 'approve', published: 'Tides' });
    expect(trace(events)).toEqual(['run.started', 'node.started:review', 'node.waiting:review', 'node.completed:review', 'node.started:publish', 'node.completed:publish', 'run.completed']);
  });

  it('a rejection is an output: the branch that needs approval is skipped', async () => {
    const runId = await start(world, 'review', { topic: 'tides' });
    await waitFor(world, runId, (s) => nodeOf(s, 'review').status === 'waiting');
    // The form's required headline is what an approval goes on with: a rejection need not fill it in, but data
    // sent with one is checked all the same.
    expect((await command(world, runId, 'nodes/review/approve', { decision: 'reject', data: { headline: 7 } })).status).toBe(422);
    expect((await command(world, runId, 'nodes/review/approve', { decision: 'approve' })).status).toBe(422);
    expect((await command(world, runId, 'nodes/review/approve', { decision: 'reject', comment: 'not now' })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(nodeOf(state, 'publish').status).toBe('skipped');
    expect(nodeOf(state, 'review').output).toMatchObject({ decision: 'reject', by: 'anonymous', comment: 'not now' });
  });

  it('on timeout, decides as onTimeout says: approve, reject, or fail', async () => {
    const [approve, reject, fail] = await Promise.all(['approve', 'reject', 'fail'].map(async (t) => finish(world, await start(world, `timeout-${t}`))));
    expect(approve!.state.output).toMatchObject({ decision: 'approve', by: 'timeout' });
    expect(reject!.state.output).toMatchObject({ decision: 'reject', by: 'timeout' });
    expect(fail!.state.status).toBe('failed');
    expect(nodeOf(fail!.state, 'review').error).toMatchObject({ type: 'ApprovalTimedOut' });
  });
});
