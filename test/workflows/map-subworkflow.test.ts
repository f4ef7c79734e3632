import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, finish, nodeOf, start, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { InFlight, json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

describe('map and subworkflow nodes', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  /** Squares being answered now, and the most at once. */
  const squaring = new InFlight();

  beforeAll(async () => {
    upstream = await startUpstream({
      // Earlier items take longer, so they end out of order; each takes long enough to overlap the next.
      'POST /square': (req, res) => {
        const { n } = JSON.parse(req.body) as { n: number };
        squaring.enter();
        setTimeout(() => {
          squaring.leave();
          json(res, 200, { square: n * n });
        }, 100 * (7 - n));
      },
      // Holds each call past the time a test needs to cut the run short.
      'GET /hold': (_req, res) => void setTimeout(() => json(res, 200, { held: true }), 10_000),
      'GET /refuse': (_req, res) => json(res, 400, { error: 'refused' }),
    });
    world = await startWorld();
    await upload(world, {
      id: 'double', name: 'Double',
      inputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
      nodes: [{ id: 'twice', type: 'transform', config: { value: '{{ input.n * 2 }}' } }],
      output: '{{ nodes.twice.output }}',
    });
    await upload(world, {
      id: 'sleepy', name: 'Sleepy',
      nodes: [{ id: 'nap', type: 'delay', config: { duration: '1h' } }],
    });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('maps an http node over items, a few at a time, with outputs in item order', async () => {
    await upload(world, {
      id: 'squares', name: 'Squares',
      nodes: [{
        id: 'each', type: 'map',
        config: { items: '{{ input.ns }}', concurrency: 2, node: { type: 'http', config: { method: 'POST', url: `${upstream.url}/square`, body: { n: '{{ item }}' } } } },
      }],
      output: '{{ nodes.each.output.body.square }}',
    });
    squaring.peak = 0;
    const { state } = await finish(world, await start(world, 'squares', { ns: [1, 2, 3, 4, 5, 6] }));
    expect(state.output).toEqual([1, 4, 9, 16, 25, 36]);
    // Two at a time: never more, and not one by one.
    expect(squaring.peak).toBe(2);
  });

  it('ends a map cut short with its run as cancelled: by another node failing, which the run names, or by a cancel', async () => {
    const holding = { type: 'map', config: { items: '{{ [1, 2, 3] }}', concurrency: 3, node: { type: 'http', config: { method: 'GET', url: `${upstream.url}/hold` } } } };
    await upload(world, {
      id: 'map-cut', name: 'Map cut',
      nodes: [{ id: 'each', ...holding }, { id: 'refused', type: 'http', needs: ['started'], config: { method: 'GET', url: `${upstream.url}/refuse` } }, { id: 'started', type: 'delay', config: { duration: '500ms' } }],
    });
    const { state } = await finish(world, await start(world, 'map-cut'));
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ nodeId: 'refused', message: expect.stringMatching(/^node "refused" failed/) });
    expect(nodeOf(state, 'each').status).toBe('cancelled');

    await upload(world, { id: 'map-held', name: 'Map held', nodes: [{ id: 'each', ...holding }] });
    const runId = await start(world, 'map-held');
    await waitFor(world, runId, (s) => nodeOf(s, 'each').status === 'running');
    expect((await command(world, runId, 'cancel')).body.status).toBe('cancelled');
    const cancelled = await finish(world, runId);
    expect(nodeOf(cancelled.state, 'each').status).toBe('cancelled');
  });

  it('fails a map at its first failed item, cancelling the items in flight: activities, timers and child runs', async () => {
    await upload(world, {
      id: 'map-fail-fast', name: 'Map fail fast',
      nodes: [
        { id: 'timers', type: 'map', onError: 'continue', config: { items: ['1h', 'bogus'], node: { type: 'delay', config: { duration: '{{ item }}' } } } },
        { id: 'calls', type: 'map', onError: 'continue', retry: { maxAttempts: 1 }, config: { items: ['hold', 'refuse'], concurrency: 2, node: { type: 'http', config: { url: `${upstream.url}/{{ item }}` } } } },
        { id: 'runs', type: 'map', onError: 'continue', config: { items: ['1h', 'bogus'], concurrency: 2, template: 'sleepy-or-fail', input: { duration: '{{ item }}' } } },
      ],
    });
    await upload(world, { id: 'sleepy-or-fail', name: 'Sleepy or fail', nodes: [{ id: 'nap', type: 'delay', config: { duration: '{{ input.duration }}' } }] });
    const startedAt = Date.now();
    const runId = await start(world, 'map-fail-fast');
    const { state } = await finish(world, runId);
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    expect(state.status).toBe('completed');
    expect(nodeOf(state, 'timers').error).toMatchObject({ type: 'MapItemFailed', details: { index: 1, error: { type: 'InvalidDuration' } } });
    expect(nodeOf(state, 'calls').error).toMatchObject({ type: 'MapItemFailed', details: { index: 1, error: { type: 'HttpClientError' } } });
    expect(nodeOf(state, 'runs').error).toMatchObject({ type: 'MapItemFailed', details: { index: 1 } });
    // The child run that was waiting is cancelled, not left running.
    expect((await world.temporal.client.workflow.getHandle(`${runId}.runs.1.0`).describe()).status.name).toBe('CANCELLED');
  }, 30_000);

  it('fails a map of many items at its first failed item, with its index and error, in batches or not', async () => {
    const failing = (count: number) => ({
      id: `map-fail-${count}`, name: 'Map fail', maxParallel: 1000,
      nodes: [{ id: 'each', type: 'map', config: { items: `{{ [0..${count - 1}] }}`, concurrency: 1000, node: { type: 'transform', config: { value: "{{ item = 5 ? $error('boom ' & item) : item }}" } } } }],
    });
    for (const count of [6, 30, 600]) {
      await upload(world, failing(count));
      const { state } = await finish(world, await start(world, `map-fail-${count}`));
      expect(state.status).toBe('failed');
      expect(nodeOf(state, 'each').error).toMatchObject({ type: 'MapItemFailed', message: expect.stringMatching(/^item 5 failed: .*boom 5/), details: { index: 5 } });
    }
    // A failed batch cancels the others, which would otherwise wait out their timers.
    await upload(world, {
      id: 'map-fail-batches', name: 'Map fail batches', maxParallel: 1000,
      nodes: [{ id: 'each', type: 'map', onError: 'continue', config: { items: '{{ [0..599].($ = 550 ? "bogus" : "1h") }}', concurrency: 1000, node: { type: 'delay', config: { duration: '{{ item }}' } } } }],
    });
    const runId = await start(world, 'map-fail-batches');
    const { state } = await finish(world, runId);
    expect(nodeOf(state, 'each').error).toMatchObject({ type: 'MapItemFailed', details: { index: 550 } });
    expect((await world.temporal.client.workflow.getHandle(`${runId}.each.1.batch-0`).describe()).status.name).toBe('CANCELLED');
  }, 60_000);

  it('maps 10,000 items through batch child workflows with a short history', async () => {
    await upload(world, {
      id: 'big-map', name: 'Big map', maxParallel: 1000,
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..10000] }}', concurrency: 1000, node: { type: 'transform', config: { value: { i: '{{ index }}', n: '{{ item * 2 }}' } } } } }],
      output: { count: '{{ $count(nodes.each.output) }}', last: '{{ nodes.each.output[9999] }}' },
    });
    const runId = await start(world, 'big-map');
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ count: 10000, last: { i: 9999, n: 20000 } });
    const history = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    expect(history.events?.length).toBeLessThan(200);
  }, 120_000);

  it('keeps the run\'s history small for a map of many items with sizeable outputs, or a large list it built itself', async () => {
    await upload(world, {
      id: 'fat-map', name: 'Fat map', maxParallel: 1000,
      nodes: [
        // 10,000 outputs of about 500 bytes: 5 MB, which batches answered inline, 256 KB each, into the run's history.
        { id: 'fat', type: 'map', config: { items: '{{ [1..10000] }}', concurrency: 1000, node: { type: 'transform', config: { value: "{{ $pad($string(item), 480, 'x') }}" } } } },
        // A list of 2,000 items of 300 bytes built here: handed to batches in their inputs, it went into history whole.
        { id: 'built', type: 'map', config: { items: "{{ [1..2000].($pad($string($), 300, 'y')) }}", concurrency: 1000, node: { type: 'transform', config: { value: '{{ $length(item) }}' } } } },
      ],
      output: { fat: '{{ $count(nodes.fat.output) }}', last: '{{ $substring(nodes.fat.output[9999], 0, 5) }}', built: '{{ $sum(nodes.built.output) }}' },
    });
    const runId = await start(world, 'fat-map');
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ fat: 10000, last: '10000', built: 600_000 });
    const history = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    expect(JSON.stringify(history).length).toBeLessThan(600_000);
  }, 120_000);

  it('gives per-item expressions that read `nodes` as a whole every node, and the input only to those that read it', async () => {
    await upload(world, {
      id: 'whole-nodes', name: 'Whole nodes',
      nodes: [
        { id: 'a', type: 'transform', config: { value: 1 } },
        { id: 'b', type: 'transform', config: { value: 2 } },
        { id: 'each', type: 'map', needs: ['a', 'b'], config: { items: '{{ [1, 2] }}', node: { type: 'transform', config: { value: '{{ $count($keys(nodes)) + item }}' } } } },
        { id: 'tagged', type: 'map', needs: ['a'], config: { items: '{{ [1, 2] }}', node: { type: 'transform', config: { value: '{{ input.tag & $string(nodes.a.output + item) }}' } } } },
      ],
      output: { each: '{{ nodes.each.output }}', tagged: '{{ nodes.tagged.output }}' },
    });
    const { state } = await finish(world, await start(world, 'whole-nodes', { tag: 't' }));
    expect(state.output).toEqual({ each: [5, 6], tagged: ['t2', 't3'] });
  });

  it('carries into a map\'s batches only the fields of a large run input its per-item expressions read, so the run\'s history stays small', async () => {
    await upload(world, {
      id: 'input-list', name: 'Input list',
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ input.records }}', node: { type: 'transform', config: { value: '{{ item.id * input.factor }}' } } } }],
      output: '{{ $sum(nodes.each.output) }}',
    });
    // 2,400 records, 1.3 MB: five batch children, each of which carried the whole input before.
    const records = Array.from({ length: 2400 }, (_, i) => ({ id: i, text: 'r'.repeat(530) }));
    const runId = await start(world, 'input-list', { records, factor: 2 });
    const { state } = await finish(world, runId);
    expect(state.output).toBe(2399 * 2400);
    const { events } = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    const starts = events!.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.input?.payloads ?? []);
    expect(starts).toHaveLength(5);
    // Each batch carries its 480 items (about 270 KB) and a small scope: not the 1.3 MB input.
    expect(Math.max(...starts.map((p) => p.data?.length ?? 0))).toBeLessThan(400_000);
  }, 60_000);

  it('runs a sub-workflow at a pinned version and outputs its output; the child is a run of its own', async () => {
    await upload(world, {
      id: 'parent', name: 'Parent',
      nodes: [{ id: 'child', type: 'subworkflow', config: { template: 'double', version: 1, input: { n: '{{ input.n }}' } } }],
      output: '{{ nodes.child.output }}',
    });
    const runId = await start(world, 'parent', { n: 21 });
    const { state } = await finish(world, runId);
    expect(state.output).toBe(42);
    const child = await finish(world, `${runId}.child.1`);
    expect(child.state).toMatchObject({ status: 'completed', output: 42, templateId: 'double', parentRunId: runId });
    expect(state.parentRunId).toBeUndefined();
    // The parent's child runs, from the index: the one it started, which names it.
    const children = (await (await world.request('GET', `/api/v1/runs?parentRunId=${runId}`)).json()) as { items: Array<{ runId: string; parentRunId: string | null }> };
    expect(children.items).toEqual([expect.objectContaining({ runId: `${runId}.child.1`, parentRunId: runId })]);
    // The child is found in the Web UI like any run: by template, version, status and trigger.
    const { searchAttributes } = await world.temporal.client.workflow.getHandle(`${runId}.child.1`).describe();
    expect(searchAttributes).toMatchObject({ WeftTemplateId: ['double'], WeftTemplateVersion: [1], WeftStatus: ['completed'], WeftTrigger: ['subworkflow'] });
  });

  it('fails the node when the child input does not match its inputSchema', async () => {
    await upload(world, {
      id: 'bad-parent', name: 'Bad parent',
      nodes: [{ id: 'child', type: 'subworkflow', config: { template: 'double', input: { n: 'text' } } }],
    });
    const { state } = await finish(world, await start(world, 'bad-parent'));
    expect(state.status).toBe('failed');
    expect(nodeOf(state, 'child').error).toMatchObject({ type: 'InvalidInput' });
  });

  it('fails the node, and starts nothing, when the child input is past Temporal\'s payload limit', async () => {
    await upload(world, { id: 'any-child', name: 'Any child', nodes: [{ id: 'size', type: 'transform', config: { value: '{{ $length(input.text) }}' } }] });
    await upload(world, {
      id: 'huge-parent', name: 'Huge parent',
      nodes: [{ id: 'child', type: 'subworkflow', config: { template: 'any-child', input: { text: '{{ $pad("", 2200000, "q") }}' } } }],
    });
    const { state } = await finish(world, await start(world, 'huge-parent'));
    expect(state.status).toBe('failed');
    expect(nodeOf(state, 'child').error).toMatchObject({ type: 'InputTooLarge', message: expect.stringContaining('2097152') });
    const children = await world.request('GET', '/api/v1/runs?templateId=any-child');
    expect(((await children.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('fails the node whose child run was cancelled on its own, by an operator or through Temporal, so its onError applies', async () => {
    await upload(world, {
      id: 'guarded-parent', name: 'Guarded parent',
      nodes: [
        { id: 'child', type: 'subworkflow', onError: 'pause', config: { template: 'sleepy', input: {} } },
        { id: 'after', type: 'transform', needs: ['child'], config: { value: '{{ nodes.child.output }}' } },
      ],
      output: '{{ nodes.after.output }}',
    });
    const childCancelled = async (cancel: (childId: string) => Promise<unknown>) => {
      const runId = await start(world, 'guarded-parent');
      const childId = `${runId}.child.1`;
      await expect.poll(async () => (await world.request('GET', `/api/v1/runs/${childId}`)).status, { timeout: 10_000 }).toBe(200);
      await waitFor(world, childId, (s) => nodeOf(s, 'nap').status === 'waiting');
      await cancel(childId);
      const waiting = await waitFor(world, runId, (s) => s.status === 'waiting_for_operator');
      expect(nodeOf(waiting, 'child')).toMatchObject({ status: 'failed', error: { type: 'ChildRunCancelled', message: `child run ${childId} was cancelled` } });
      expect(nodeOf(waiting, 'after').status).toBe('pending');
      return runId;
    };

    // An operator's cancel, through the API: the child's workflow completes, its run cancelled.
    const byOperator = await childCancelled(async (childId) => expect((await command(world, childId, 'cancel')).body.status).toBe('cancelled'));
    expect((await command(world, byOperator, 'nodes/child/skip', { output: 'given' })).status).toBe(200);
    expect((await finish(world, byOperator)).state).toMatchObject({ status: 'completed', output: 'given' });

    // A cancel in the Web UI, through Temporal: the child's workflow ends cancelled.
    const inTemporal = await childCancelled((childId) => world.temporal.client.workflow.getHandle(childId).cancel());
    expect((await command(world, inTemporal, 'cancel')).body.status).toBe('cancelled');
    expect((await finish(world, inTemporal)).state.status).toBe('cancelled');
  }, 60_000);

  it('fails a map whose batch was cancelled in the Web UI, and ends its other batches', async () => {
    await upload(world, {
      id: 'napping-map', name: 'Napping map', maxParallel: 1000,
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..600] }}', concurrency: 1000, node: { type: 'delay', config: { duration: '1h' } } } }],
    });
    const runId = await start(world, 'napping-map');
    const batch = (b: number) => world.temporal.client.workflow.getHandle(`${runId}.each.1.batch-${b}`);
    await expect.poll(async () => (await batch(1).describe().catch(() => undefined))?.status.name, { timeout: 10_000 }).toBe('RUNNING');
    await batch(0).cancel();
    const { state } = await finish(world, runId);
    expect(state.status).toBe('failed');
    expect(nodeOf(state, 'each').error).toMatchObject({ type: 'MapItemFailed', message: 'item 0 failed: its batch (items from 0 on) was cancelled', details: { index: 0 } });
    // The other batch is cancelled with it: nothing of the map goes on running.
    expect((await batch(1).describe()).status.name).toBe('CANCELLED');
    expect((await batch(0).describe()).status.name).toBe('CANCELLED');
  }, 60_000);

  it('stops a template that starts itself without end: the run 16 levels down fails its node, and each run above fails with it', async () => {
    await upload(world, { id: 'forever', name: 'Forever', nodes: [{ id: 'again', type: 'subworkflow', config: { template: 'forever', input: {} } }] });
    const runId = await start(world, 'forever');
    const { state } = await finish(world, runId);
    expect(state.status).toBe('failed');
    const deepest = await finish(world, `${runId}${'.again.1'.repeat(16)}`);
    expect(nodeOf(deepest.state, 'again').error).toMatchObject({ type: 'RunNestingTooDeep', message: expect.stringContaining('at most 16 levels') });
    // Seventeen runs, each closed and in the index; nothing started below the deepest.
    const listed = (await (await world.request('GET', '/api/v1/runs?templateId=forever&limit=100')).json()) as { items: Array<{ runId: string; status: string }> };
    expect(listed.items).toHaveLength(17);
    expect(new Set(listed.items.map((r) => r.status))).toEqual(new Set(['failed']));
  }, 60_000);

  it('nests runs whose ids would pass Temporal\'s id length limit under shortened ids', async () => {
    const id = `deep${'x'.repeat(60)}`;
    await upload(world, {
      id: 'long-ids', name: 'Long ids',
      nodes: [{ id, type: 'subworkflow', when: '{{ input.d < 4 }}', config: { template: 'long-ids', input: { d: '{{ input.d + 1 }}' } } }],
      output: `{{ $exists(nodes.${id}.output) ? nodes.${id}.output : input.d }}`,
    });
    const runId = await start(world, 'long-ids', { d: 0 });
    const { state } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 4 });
    const listed = (await (await world.request('GET', '/api/v1/runs?templateId=long-ids&limit=100')).json()) as { items: Array<{ runId: string }> };
    const ids = listed.items.map((r) => r.runId);
    // Levels 0–3 append `.<node>.1` to their parent's id; level 4's would be 304 characters long.
    const appended = [0, 1, 2, 3].map((level) => `${runId}${`.${id}.1`.repeat(level)}`);
    expect(ids).toHaveLength(5);
    expect(ids).toEqual(expect.arrayContaining(appended));
    const shortened = ids.filter((other) => !appended.includes(other));
    expect(shortened).toEqual([expect.stringMatching(new RegExp(`^${runId}\\.${id}\\.1\\.[0-9a-f]{16}$`))]);
    expect((await finish(world, shortened[0]!)).state).toMatchObject({ status: 'completed', output: 4 });
  }, 60_000);

  it('maps a template over items as child runs', async () => {
    await upload(world, {
      id: 'map-template', name: 'Map template',
      nodes: [{ id: 'each', type: 'map', config: { items: [1, 2, 3], template: 'double', input: { n: '{{ item + index }}' } } }],
      output: '{{ nodes.each.output }}',
    });
    const runId = await start(world, 'map-template');
    const { state } = await finish(world, runId);
    expect(state.output).toEqual([2, 6, 10]);
    const children = (await (await world.request('GET', `/api/v1/runs?parentRunId=${runId}&limit=2`)).json()) as { items: Array<{ runId: string }>; nextCursor: string | null };
    const rest = (await (await world.request('GET', `/api/v1/runs?parentRunId=${runId}&cursor=${children.nextCursor}`)).json()) as { items: Array<{ runId: string }> };
    expect([...children.items, ...rest.items].map((r) => r.runId).sort()).toEqual([0, 1, 2].map((i) => `${runId}.each.1.${i}`));
    // Runs started from outside only: the parent, none of its children.
    const topLevel = (await (await world.request('GET', '/api/v1/runs?topLevel=true&limit=200')).json()) as { items: Array<{ runId: string; trigger: string }> };
    expect(topLevel.items.map((r) => r.runId)).toContain(runId);
    expect(topLevel.items.filter((r) => r.runId.startsWith(`${runId}.`) || r.trigger === 'subworkflow')).toEqual([]);
    // And the other way: child runs only, these three among them, and no run started from outside.
    const childRuns = (await (await world.request('GET', '/api/v1/runs?topLevel=false&limit=200')).json()) as { items: Array<{ runId: string; trigger: string }> };
    expect(childRuns.items.map((r) => r.runId)).toEqual(expect.arrayContaining([0, 1, 2].map((i) => `${runId}.each.1.${i}`)));
    expect(childRuns.items.filter((r) => r.trigger !== 'subworkflow')).toEqual([]);
  });

  it('cancelling the parent cancels the child run', async () => {
    await upload(world, {
      id: 'sleepy-parent', name: 'Sleepy parent',
      nodes: [{ id: 'child', type: 'subworkflow', config: { template: 'sleepy', input: {} } }],
    });
    const runId = await start(world, 'sleepy-parent');
    await waitFor(world, runId, (s) => nodeOf(s, 'child').status === 'running');
    const childId = `${runId}.child.1`;
    await expect.poll(async () => (await world.request('GET', `/api/v1/runs/${childId}`)).status, { timeout: 10_000 }).toBe(200);
    await waitFor(world, childId, (s) => nodeOf(s, 'nap').status === 'waiting');
    expect((await command(world, runId, 'cancel')).body.status).toBe('cancelled');
    const child = await finish(world, childId);
    expect(child.state.status).toBe('cancelled');
    expect((await world.temporal.client.workflow.getHandle(childId).describe()).status.name).toBe('CANCELLED');
  });
});
