import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplateVersion } from '../../src/db/templates.js';
import { insertRun } from '../../src/db/runs.js';
import { problemOf } from '../support/problem.js';
import { finish } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/** A start that names its run id can be sent again: it starts the run once, whatever happened to the first. */
describe('starting a run again under the same run id', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await upload(world, { id: 'greet', name: 'Greet', nodes: [{ id: 'say', type: 'transform', config: { value: 'hello {{ input.name }}' } }], output: '{{ nodes.say.output }}' });
  });
  afterAll(async () => world?.close());

  const startAs = (runId: string, input: unknown) => world.request('POST', '/api/v1/templates/greet/runs', { runId, input });
  const runsOf = async () => ((await (await world.request('GET', '/api/v1/runs?templateId=greet&limit=100')).json()) as { items: Array<{ runId: string }> }).items.map((r) => r.runId);
  const executions = async (runId: string) => {
    let count = 0;
    for await (const _ of world.temporal.client.workflow.list({ query: `WorkflowId = '${runId}'` })) count++;
    return count;
  };

  it('answers a start sent again with the run the first one started, and starts nothing new, even once it has ended', async () => {
    const first = await startAs('order-42', { name: 'Ada' });
    expect(first.status).toBe(201);
    const again = await startAs('order-42', { name: 'Ada' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ runId: 'order-42', templateId: 'greet', templateVersion: 1 });
    const { state } = await finish(world, 'order-42');
    expect(state.output).toBe('hello Ada');
    const late = await startAs('order-42', { name: 'Ada' });
    expect([late.status, ((await late.json()) as { status: string }).status]).toEqual([200, 'completed']);
    expect((await runsOf()).filter((id) => id === 'order-42')).toHaveLength(1);
    await expect.poll(() => executions('order-42')).toBe(1);
  });

  it('refuses the same run id for another input, and a run id that is no plain name', async () => {
    expect((await startAs('order-43', { name: 'Ada' })).status).toBe(201);
    const other = await startAs('order-43', { name: 'Grace' });
    expect(other.status).toBe(409);
    expect((await problemOf(other)).title).toContain('started already');
    const bad = await startAs('a.b', {});
    expect(bad.status).toBe(422);
    expect((await problemOf(bad)).errors?.map((e) => e.path)).toEqual(['runId']);
  });

  it('starts in Temporal a run whose first start wrote its row but never got there, and one start of two sent at once', async () => {
    // What an API that stopped between writing the row and starting the workflow leaves behind.
    const stored = await getTemplateVersion(world.database.db, 'greet');
    await insertRun(world.database.db, { id: 'lost-1', templateId: 'greet', templateVersion: stored!.version, trigger: 'api', input: { name: 'Lin' }, startedAt: new Date() });
    const resent = await startAs('lost-1', { name: 'Lin' });
    expect(resent.status).toBe(200);
    expect((await finish(world, 'lost-1')).state.output).toBe('hello Lin');

    const both = await Promise.all([startAs('twice', { name: 'Kay' }), startAs('twice', { name: 'Kay' })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect((await finish(world, 'twice')).state.output).toBe('hello Kay');
    expect(await executions('twice')).toBe(1);
  });
});
