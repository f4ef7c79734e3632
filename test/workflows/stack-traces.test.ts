import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, finish, nodeOf, start, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

const waiting = {
  id: 'waits-for-a-decision', name: 'Waits for a decision',
  nodes: [
    { id: 'decide', type: 'approval', config: { prompt: 'Go on?' } },
    // An error the interpreter's own code throws: its message must come through without a stack.
    { id: 'after', type: 'transform', needs: ['decide'], config: { value: '{{ $error("stopped here") }}' } },
  ],
};

/** The Web UI's Stack Trace tab: the SDK's stack trace query of a run waiting for a decision. */
async function stackTraceOf(world: World): Promise<{ trace: string; runId: string }> {
  await upload(world, waiting);
  const runId = await start(world, waiting.id);
  await waitFor(world, runId, (s) => nodeOf(s, 'decide').status === 'waiting');
  const trace = await world.temporal.client.workflow.getHandle(runId).query<string>('__stack_trace');
  return { trace, runId };
}

describe('stack traces in the workflow sandbox', () => {
  describe('by default', () => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld();
    });
    afterAll(async () => world?.close());

    it('are off: the stack trace query answers without frames, and errors keep their messages', async () => {
      const { trace, runId } = await stackTraceOf(world);
      expect(trace).not.toMatch(/\bat\b/);
      expect((await command(world, runId, 'nodes/decide/approve', { decision: 'approve' })).status).toBe(200);
      const { state } = await finish(world, runId);
      expect(nodeOf(state, 'after').error?.message).toContain('stopped here');
    });
  });

  describe('with WEFT_WORKFLOW_STACK_TRACES', () => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld('pglite', { stackTraces: true });
    }, 60_000);
    afterAll(async () => world?.close());

    it('are on: the stack trace query shows where the interpreter waits', async () => {
      const { trace } = await stackTraceOf(world);
      expect(trace).toMatch(/src\/workflows\/[\w-]+\.ts/);
    });
  });
});
