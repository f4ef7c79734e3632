import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobsTable } from '../../src/db/schema.js';
import { command, finish, nodeOf, start, trace, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

describe('onError: pause holds the run for an operator, who retries or skips the node', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /bad': (_req, res) => json(res, 400, { error: 'bad' }),
      'GET /good': (_req, res) => json(res, 200, { value: 'fixed' }),
    });
    world = await startWorld();
    await upload(world, {
      id: 'held', name: 'Held',
      nodes: [
        { id: 'call', type: 'http', onError: 'pause', config: { url: `${upstream.url}/{{ input.path }}` } },
        { id: 'other', type: 'transform', config: { value: 'independent' } },
        { id: 'use', type: 'transform', needs: ['call'], config: { value: '{{ nodes.call.output.body.value }}' } },
      ],
      output: '{{ nodes.use.output }}',
    });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('waits for an operator after the failure, then retries the node with a changed config', async () => {
    const runId = await start(world, 'held', { path: 'bad' });
    const waiting = await waitFor(world, runId, (s) => s.status === 'waiting_for_operator' && nodeOf(s, 'other').status === 'completed');
    expect(nodeOf(waiting, 'call')).toMatchObject({ status: 'failed', error: { type: 'HttpClientError' } });
    expect(nodeOf(waiting, 'use').status).toBe('pending');
    // The held node has not ended: a retry or a skip is to come. Only `other` has.
    expect(waiting.progress).toBe(33);
    // Only a node that completed (or was skipped) has an output to read: an answer of null is always one.
    const outputOf = async (nodeId: string): Promise<[number, unknown]> => {
      const res = await world.request('GET', `/api/v1/runs/${runId}/nodes/${nodeId}/output`);
      const body = (await res.json()) as unknown;
      return [res.status, res.status === 200 ? body : (body as { title: string }).title];
    };
    expect(await outputOf('other')).toEqual([200, 'independent']);
    expect(await outputOf('call')).toEqual([409, 'node "call" is failed: it has no output']);
    expect(await outputOf('use')).toEqual([409, 'node "use" is pending: it has no output yet']);
    const attributes = async () => (await world.temporal.client.workflow.getHandle(runId).describe()).searchAttributes;
    expect((await attributes()).WeftStatus).toEqual(['waiting_for_operator']);
    const listed = (await (await world.request('GET', '/api/v1/runs?status=waiting_for_operator&limit=100')).json()) as { items: Array<{ runId: string }> };
    expect(listed.items.map((r) => r.runId)).toContain(runId);

    const wrong = await command(world, runId, 'nodes/call/retry', { config: { url: 42 } });
    expect(wrong.status).toBe(422);
    expect((await command(world, runId, 'nodes/use/retry')).status).toBe(409);
    const retried = await command(world, runId, 'nodes/call/retry', { config: { url: `${upstream.url}/good` } });
    expect(retried.status).toBe(200);
    expect((retried.body as unknown as { progress: number }).progress).toBeGreaterThanOrEqual(33);
    const { state, events } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 'fixed' });
    expect((await attributes()).WeftStatus).toEqual(['completed']);
    expect(nodeOf(state, 'call').attempts).toBe(2);
    const order = trace(events);
    expect(order).toContain('node.retrying:call');
    expect(order.slice(order.indexOf('node.failed:call'), order.indexOf('node.failed:call') + 2)).toEqual(['node.failed:call', 'run.paused']);
    expect(events.find((e) => e.type === 'node.retrying')?.data).toMatchObject({ attempt: 2, error: { type: 'HttpClientError' } });
  });

  it('checks a retry\'s config as an upload checks the node\'s, and runs it with its defaults filled in', async () => {
    const runId = await start(world, 'held', { path: 'bad' });
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
    const refused: Array<[unknown, string]> = [
      [{ url: `${upstream.url}/{{ $sum( }}` }, 'config.url'],
      [{ url: `${upstream.url}/{{ inputs.path }}` }, 'config.url'],
      [{ url: `${upstream.url}/{{ nodes.use.output }}` }, 'config.url'],
      [{ url: 'ftp://127.0.0.1/x' }, 'config.url'],
    ];
    for (const [config, at] of refused) {
      const res = await command(world, runId, 'nodes/call/retry', { config });
      expect([config, res.status]).toEqual([config, 422]);
      expect((res.body as unknown as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual([at]);
    }
    expect(nodeOf((await waitFor(world, runId, (s) => s.status === 'waiting_for_operator')), 'call').attempts).toBe(1);
    // The template's own config, sent back with a body and no method: a GET, as the upload made it, sends no body.
    expect((await command(world, runId, 'nodes/call/retry', { config: { url: `${upstream.url}/good`, body: { q: 1 } } })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 'fixed' });
    expect(nodeOf(state, 'call')).toMatchObject({ attempts: 2, output: { status: 200 } });
  });

  it('runs a retried node at once while another failed node still holds the run, and nothing else', async () => {
    await upload(world, {
      id: 'held-twice', name: 'Held twice', maxParallel: 2,
      nodes: [
        { id: 'a', type: 'http', onError: 'pause', config: { url: `${upstream.url}/bad` } },
        { id: 'b', type: 'http', onError: 'pause', config: { url: `${upstream.url}/bad` } },
        { id: 'later', type: 'transform', needs: ['a'], config: { value: '{{ nodes.a.output.body.value }}' } },
      ],
      output: '{{ nodes.later.output }}',
    });
    const runId = await start(world, 'held-twice');
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator' && nodeOf(s, 'a').status === 'failed' && nodeOf(s, 'b').status === 'failed');
    expect((await command(world, runId, 'nodes/a/retry', { config: { url: `${upstream.url}/good` } })).status).toBe(200);
    const retried = await waitFor(world, runId, (s) => nodeOf(s, 'a').status === 'completed');
    expect(retried.status).toBe('waiting_for_operator');
    expect(nodeOf(retried, 'a')).toMatchObject({ attempts: 2, output: { body: { value: 'fixed' } } });
    // b still holds the run: what a leads to waits.
    expect(nodeOf(retried, 'later').status).toBe('pending');
    expect((await command(world, runId, 'nodes/b/skip', { output: null })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 'fixed' });
  });

  it('skips the failed node with an output its dependents read instead', async () => {
    const runId = await start(world, 'held', { path: 'bad' });
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
    const skipped = await command(world, runId, 'nodes/call/skip', { output: { body: { value: 'given' } } });
    expect(skipped.status).toBe(200);
    expect(nodeOf(skipped.body, 'call')).toMatchObject({ status: 'skipped', skippedBy: 'operator' });
    const { state, events } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 'given' });
    expect(trace(events)).toContain('run.resumed');
  });

  it('retries the failed node after an operator skipped its dependent ahead, which keeps the output it was given', async () => {
    const runId = await start(world, 'held', { path: 'bad' });
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
    const ahead = await command(world, runId, 'nodes/use/skip', { output: 'given ahead' });
    expect(nodeOf(ahead.body, 'use')).toMatchObject({ status: 'skipped', skippedBy: 'operator' });
    expect((await command(world, runId, 'nodes/call/retry', { config: { url: `${upstream.url}/good` } })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 'given ahead' });
    expect(nodeOf(state, 'call')).toMatchObject({ status: 'completed', attempts: 2, output: { body: { value: 'fixed' } } });
  });

  it('takes a skip output too large for history by reference (none left behind when refused), and refuses a retry config past the payload limit', async () => {
    const runId = await start(world, 'held', { path: 'bad' });
    await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
    const tooLarge = await command(world, runId, 'nodes/call/retry', { config: { url: `${upstream.url}/good`, headers: { x: 'h'.repeat(2_200_000) } } });
    expect(tooLarge.status).toBe(413);
    expect((tooLarge.body as unknown as { errors: Array<{ path: string }> }).errors).toEqual([{ path: 'config', message: expect.stringContaining('bytes') }]);
    const value = 'v'.repeat(2_500_000);
    // A skip the run refuses (its node completed) leaves no stored output behind.
    const stored = () => world.database.db.select({ id: blobsTable.id }).from(blobsTable).where(eq(blobsTable.runId, runId));
    const before = await stored();
    await waitFor(world, runId, (s) => nodeOf(s, 'other').status === 'completed');
    expect((await command(world, runId, 'nodes/other/skip', { output: { body: { value } } })).status).toBe(409);
    expect(await stored()).toEqual(before);
    const skipped = await command(world, runId, 'nodes/call/skip', { output: { body: { value } } });
    expect(skipped.status).toBe(200);
    expect(nodeOf(skipped.body, 'call').output).toMatchObject({ $ref: expect.stringMatching(/^blob:/) });
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    const output = await world.request('GET', `/api/v1/runs/${runId}/output`);
    expect(await output.json()).toBe(value);
  });
});
