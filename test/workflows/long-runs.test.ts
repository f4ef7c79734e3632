import { QueryNotRegisteredError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobsTable } from '../../src/db/schema.js';
import { everyEvent, readAllRunEvents, readRunEvents } from '../../src/runs/read-run.js';
import { startRun } from '../../src/runs/start-run.js';
import { eventPageQuery, eventsQuery } from '../../src/workflows/definitions.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../support/ports.js';
import { command, eventsOf, eventsPage, finish, nodeOf, start, stateOf, waitFor } from '../support/run-control.js';
import { expectGapless, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** How many workflows Temporal's visibility lists for a query (executions of a run, batches of a map). */
async function countListed(world: World, query: string): Promise<number> {
  let count = 0;
  for await (const _ of world.temporal.client.workflow.list({ query })) count += 1;
  return count;
}

/** `length` http nodes in a line, each asking `/n` for one more than the previous one answered. */
function httpChain(url: string, length: number) {
  return Array.from({ length }, (_, i) => ({
    id: `s${i}`, type: 'http', needs: i === 0 ? undefined : [`s${i - 1}`],
    config: { url: `${url}/n`, query: { n: i === 0 ? 1 : `{{ nodes.s${i - 1}.output.body.n + 1 }}` } },
  }));
}

describe('long runs: continue-as-new and large outputs', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const big = { items: Array.from({ length: 6000 }, (_, i) => ({ i, text: 'x'.repeat(40) })) };

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /big': (_req, res) => json(res, 200, big),
      'GET /big-refusal': (_req, res) => json(res, 400, { error: 'too big', ...big }),
      'POST /echo': (req, res) => json(res, 200, { length: req.body.length }),
      'POST /item': (req, res) => json(res, 200, JSON.parse(req.body) as unknown),
      'GET /pages': (_req, res) => json(res, 200, { pages: Array.from({ length: 300 }, (_, i) => ({ i, text: 'p'.repeat(1000 + i) })) }),
      'GET /chunk': (req, res) => json(res, 200, { n: Number(new URL(req.path, 'http://x').searchParams.get('n')), text: 'c'.repeat(5000) }),
      'GET /n': (req, res) => json(res, 200, { n: Number(new URL(req.path, 'http://x').searchParams.get('n')) }),
      'GET /page': (req, res) => json(res, 200, { n: Number(new URL(req.path, 'http://x').searchParams.get('n')), text: 'p'.repeat(20_000) }),
    });
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('continues as new with the same run id and an unbroken event sequence', async () => {
    const chain = httpChain(upstream.url, 6);
    await upload(world, {
      id: 'chain', name: 'Chain',
      nodes: [...chain, { id: 'gate', type: 'approval', needs: ['s5'], config: { prompt: 'go on?' } }],
      output: '{{ nodes.s5.output.body.n }}',
    });
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'chain', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 4 } });
    const waiting = await waitFor(world, runId, (s) => s.nodes.some((n) => n.status === 'waiting'));
    // While open, older events come from the index (flushed before each continue-as-new), newer from the workflow.
    expectGapless(await eventsOf(world, runId), waiting.seq);
    expect(nodeOf(waiting, 's5').output).toMatchObject({ body: { n: 6 } });
    expect((await command(world, runId, 'nodes/gate/approve', { decision: 'approve' })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state.output).toBe(6);
    expect(state.nodes.every((n) => n.attempts === 1)).toBe(true);
    await expect.poll(() => countListed(world, `WorkflowId = '${runId}'`), { timeout: 5000 }).toBeGreaterThan(2);
    // Each node ran once across all executions.
    expect(upstream.received.filter((r) => r.path.startsWith('/n')).length).toBe(6);
  });

  it('hands nodes waiting on a timer or a decision over to the next execution, so the rest of the run goes on', async () => {
    await upload(world, {
      id: 'waits', name: 'Waits',
      nodes: [
        { id: 'gate', type: 'approval', config: { prompt: 'ship?', timeout: '1h', onTimeout: 'reject' } },
        // Longer than the chain takes, though each execution it goes through starts a second after the last
        // (Temporal holds back a new execution of a run whose last one lasted under a second).
        { id: 'nap', type: 'delay', config: { duration: '8s' } },
        ...httpChain(upstream.url, 4),
        { id: 'done', type: 'transform', needs: ['gate', 'nap', 's3'], config: { value: '{{ nodes.gate.output.decision & " " & $string(nodes.s3.output.body.n) }}' } },
      ],
      output: '{{ nodes.done.output }}',
    });
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'waits', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 4 } });
    // The chain goes on through new executions while the approval and the timer wait.
    const chained = await waitFor(world, runId, (s) => nodeOf(s, 's3').status === 'completed');
    expect([nodeOf(chained, 'gate').status, nodeOf(chained, 'nap').status]).toEqual(['waiting', 'waiting']);
    expect(await countListed(world, `WorkflowId = '${runId}'`)).toBeGreaterThan(2);
    // The approval is decided in a later execution than the one it began to wait in.
    expect((await command(world, runId, 'nodes/gate/approve', { decision: 'approve', by: 'ops' })).status).toBe(200);
    const { state, events } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toBe('approve 4');
    expect(nodeOf(state, 'gate').output).toMatchObject({ decision: 'approve', by: 'ops' });
    // The timer kept its deadline: it ended no earlier than it said it would when it began to wait.
    const waiting = events.find((e) => e.type === 'node.waiting' && e.nodeId === 'nap')!;
    const waitedUntil = (nodeOf(state, 'nap').output as { waitedUntil: string }).waitedUntil;
    expect(Date.parse(waitedUntil)).toBeGreaterThanOrEqual(Date.parse((waiting.data as { until: string }).until));
    expectGapless(events, state.seq);
    // Each node began once and waited once, whichever execution it ended in.
    for (const id of ['gate', 'nap']) {
      expect(events.filter((e) => e.nodeId === id).map((e) => e.type)).toEqual(['node.started', 'node.waiting', 'node.completed']);
    }
  });

  it('pages an open run\'s events without a gap when the index holds more than a page of older executions\' events', async () => {
    await upload(world, {
      id: 'paged', name: 'Paged',
      nodes: [
        { id: 'gate', type: 'approval', config: { prompt: 'go?', timeout: '1h', onTimeout: 'reject' } },
        { id: 'again', type: 'approval', needs: ['gate'], config: { prompt: 'again?', timeout: '1h', onTimeout: 'reject' } },
        ...httpChain(upstream.url, 4),
      ],
    });
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'paged', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 8 } });
    await waitFor(world, runId, (s) => nodeOf(s, 's3').status === 'completed');
    expect((await command(world, runId, 'nodes/gate/approve', { decision: 'approve', by: 'ops' })).status).toBe(200);
    const open = await waitFor(world, runId, (s) => nodeOf(s, 'again').status === 'waiting');
    // The newest events are held by the current execution, the older ones by the index (pages of 3 here): a
    // page from the index ends where the index does not go on to the first event the workflow holds.
    const readers = { db: world.database.db, client: world.temporal.client };
    const held = await world.temporal.client.workflow.getHandle(runId).query(eventsQuery, 0);
    expect(held[0]!.seq).toBeGreaterThan(4);
    const first = await readRunEvents(readers, runId, 0, 3);
    expect(first.items.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.more).toBe(true);
    const paged = await everyEvent((after) => readRunEvents(readers, runId, after, 3));
    expectGapless(paged, open.seq);
    expect(paged).toEqual(await eventsOf(world, runId));
    expect(paged.slice(-3).map((e) => `${e.type}:${e.nodeId}`)).toEqual(['node.completed:gate', 'node.started:again', 'node.waiting:again']);
    expect(await readRunEvents(readers, runId, open.seq - 1, 3)).toEqual({ items: paged.slice(-1), more: false });
    // Read through, events held by the workflow cost one query: no second one to find the end.
    let queries = 0;
    const counting = { ...readers, client: { withDeadline: world.temporal.client.withDeadline.bind(world.temporal.client), workflow: { getHandle: (id: string) => {
      const handle = world.temporal.client.workflow.getHandle(id);
      return { query: ((...args: Parameters<typeof handle.query>) => (queries++, handle.query(...args))) as typeof handle.query, describe: () => handle.describe() };
    } } } as unknown as typeof readers.client };
    expect(await readAllRunEvents(counting, runId, 0, 3)).toEqual(paged);
    queries = 0;
    expect(await readAllRunEvents(counting, runId, open.seq - 2)).toEqual(paged.slice(-2));
    expect(queries).toBe(1);
    // A worker whose workflow code predates the page query answers the plain one: read on until a page is empty.
    const older = { ...readers, client: { withDeadline: world.temporal.client.withDeadline.bind(world.temporal.client), workflow: { getHandle: (id: string) => {
      const handle = world.temporal.client.workflow.getHandle(id);
      return { query: ((query: Parameters<typeof handle.query>[0], ...args: unknown[]) => query === eventPageQuery
        ? Promise.reject(new QueryNotRegisteredError('Workflow did not register a handler for weft.eventPage', 3))
        : handle.query(query, ...args)) as typeof handle.query, describe: () => handle.describe() };
    } } } as unknown as typeof readers.client };
    expect(await readAllRunEvents(older, runId, 0, 3)).toEqual(paged);
    expect((await command(world, runId, 'cancel')).status).toBe(200);
  });

  it('times an approval handed over from its first deadline', async () => {
    await upload(world, {
      id: 'short-gate', name: 'Short gate',
      nodes: [
        { id: 'gate', type: 'approval', config: { prompt: 'ship?', timeout: '2s', onTimeout: 'approve' } },
        ...httpChain(upstream.url, 4),
      ],
      output: '{{ nodes.gate.output }}',
    });
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'short-gate', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 4 } });
    const { state, events } = await finish(world, runId);
    expect(state.output).toMatchObject({ decision: 'approve', by: 'timeout' });
    const deadline = (events.find((e) => e.type === 'node.waiting' && e.nodeId === 'gate')!.data as { deadline: string }).deadline;
    expect(Date.parse((state.output as { at: string }).at)).toBeGreaterThanOrEqual(Date.parse(deadline));
    // The first execution handed the approval over before its timer fired; a later one timed it out.
    const executions: Array<{ runId: string; startTime: Date }> = [];
    for await (const execution of world.temporal.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(execution);
    expect(executions.length).toBeGreaterThan(1);
    const first = executions.sort((a, b) => a.startTime.getTime() - b.startTime.getTime())[0]!;
    const { events: firstHistory } = await world.temporal.client.workflow.getHandle(runId, first.runId).fetchHistory();
    expect(firstHistory!.some((e) => e.timerStartedEventAttributes)).toBe(true);
    expect(firstHistory!.some((e) => e.timerFiredEventAttributes)).toBe(false);
    expectGapless(events, state.seq);
  });

  it('stores an output too large for history as a blob, resolved where it is read', async () => {
    await upload(world, {
      id: 'big', name: 'Big',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/big` } },
        // Expressions reading inside the stored output see the value, in a `when`, a config and the run's output.
        { id: 'count', type: 'transform', needs: ['fetch'], when: '{{ nodes.fetch.output.status = 200 }}', config: { value: '{{ $count(nodes.fetch.output.body.items) }}' } },
        { id: 'last', type: 'transform', needs: ['fetch'], config: { value: { i: '{{ nodes.fetch.output.body.items[-1].i }}' } } },
        // A result too large for history is stored in turn, and read the same way downstream.
        { id: 'all', type: 'transform', needs: ['fetch'], config: { value: '{{ nodes.fetch.output.body.items }}' } },
        // A value reading inside one stored output and handing on another whole keeps the other's reference.
        { id: 'pair', type: 'transform', needs: ['fetch', 'all'], config: { value: { count: '{{ $count(nodes.fetch.output.body.items) }}', all: '{{ nodes.all.output }}' } } },
        // And one reading inside a stored output and handing that same output on whole keeps its reference too.
        { id: 'both', type: 'transform', needs: ['all'], config: { value: { count: '{{ $count(nodes.all.output) }}', all: '{{ nodes.all.output }}' } } },
        { id: 'pick', type: 'map', needs: ['fetch'], config: { items: '{{ [0, 1, 2] }}', node: { type: 'transform', config: { value: '{{ nodes.fetch.output.body.items[$$.item].i * 10 }}' } } } },
        // So does the per-item config of a map's http node, read as each item's request goes out.
        { id: 'post', type: 'map', needs: ['fetch'], config: { items: '{{ [3, 4] }}', node: { type: 'http', config: { method: 'POST', url: `${upstream.url}/item`, body: { i: '{{ nodes.fetch.output.body.items[$$.item].i }}', of: '{{ $count(nodes.fetch.output.body.items) }}' } } } } },
        { id: 'send', type: 'http', needs: ['fetch'], config: { method: 'POST', url: `${upstream.url}/echo`, body: '{{ nodes.fetch.output }}' } },
        // Each item's output is stored on its own: the map's output is a list of references.
        { id: 'bigs', type: 'map', config: { items: '{{ [1, 2] }}', node: { type: 'http', config: { url: `${upstream.url}/big` } } } },
      ],
      output: { size: '{{ nodes.count.output }}', last: '{{ nodes.last.output.i }}', all: '{{ $count(nodes.all.output) }}', picked: '{{ nodes.pick.output }}', posted: '{{ nodes.post.output.body }}', sent: '{{ nodes.send.output.body.length }}' },
    });
    const started = await world.request('POST', '/api/v1/templates/big/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    const fetched = nodeOf(state, 'fetch').output as { $ref: string; size: number; preview: string };
    expect(fetched.$ref).toMatch(/^blob:/);
    expect(fetched.size).toBeGreaterThan(256 * 1024);
    expect(nodeOf(state, 'all').output).toMatchObject({ $ref: expect.stringMatching(/^blob:/) });
    expect(nodeOf(state, 'pair').output).toEqual({ count: 6000, all: nodeOf(state, 'all').output });
    expect(nodeOf(state, 'both').output).toEqual({ count: 6000, all: nodeOf(state, 'all').output });
    // The consuming activity received the whole value, not the reference.
    expect(state.output).toEqual({ size: 6000, last: 5999, all: 6000, picked: [0, 10, 20], posted: [{ i: 3, of: 6000 }, { i: 4, of: 6000 }], sent: expect.any(Number) });
    expect((state.output as { sent: number }).sent).toBeGreaterThan(256 * 1024);
    const whole = await world.request('GET', `/api/v1/runs/${runId}/nodes/fetch/output`);
    expect(((await whole.json()) as { body: typeof big }).body).toEqual(big);
    expect(nodeOf(state, 'bigs').output).toEqual([expect.objectContaining({ $ref: expect.stringMatching(/^blob:/) }), expect.objectContaining({ $ref: expect.stringMatching(/^blob:/) })]);
    const items = await world.request('GET', `/api/v1/runs/${runId}/nodes/bigs/output`);
    expect(((await items.json()) as Array<{ body: typeof big }>).map((item) => item.body)).toEqual([big, big]);
    expect((await world.request('GET', `/api/v1/runs/${runId}/nodes/nope/output`)).status).toBe(404);
    expect((await stateOf(world, runId)).status).toBe('completed');
  });

  it('reads inside an error whose answer is stored as a blob, as inside an output', async () => {
    await upload(world, {
      id: 'big-error', name: 'Big error',
      nodes: [
        { id: 'call', type: 'http', onError: 'continue', retry: { maxAttempts: 1 }, config: { url: `${upstream.url}/big-refusal` } },
        { id: 'count', type: 'transform', needs: ['call'], when: "{{ nodes.call.error.details.body.error = 'too big' }}", config: { value: '{{ $count(nodes.call.error.details.body.items) }}' } },
      ],
      output: { count: '{{ nodes.count.output }}', last: '{{ nodes.call.error.details.body.items[-1].i }}', type: '{{ nodes.call.error.type }}' },
    });
    const { state } = await finish(world, await start(world, 'big-error'));
    expect(state.status).toBe('completed');
    // The error's answer is held by reference: history keeps it small.
    expect(JSON.stringify(nodeOf(state, 'call').error)).toContain('"$ref":"blob:');
    expect(state.output).toEqual({ count: 6000, last: 5999, type: 'HttpClientError' });
  });

  it('maps over a list stored as a blob, in batches that each read their slice, or here when it fits in one', async () => {
    await upload(world, {
      id: 'map-stored', name: 'Map stored',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/big` } },
        { id: 'pages', type: 'http', config: { url: `${upstream.url}/pages` } },
        // 6,000 items: 12 batch child workflows of 500.
        { id: 'each', type: 'map', needs: ['fetch'], config: { items: '{{ nodes.fetch.output.body.items }}', node: { type: 'transform', config: { value: '{{ item.i * 2 }}' } } } },
        // 300 items, 300 KB: one slice, run in the run itself.
        { id: 'sizes', type: 'map', needs: ['pages'], config: { items: '{{ nodes.pages.output.body.pages }}', node: { type: 'transform', config: { value: '{{ $length(item.text) }}' } } } },
      ],
      output: { sum: '{{ $sum(nodes.each.output) }}', count: '{{ $count(nodes.each.output) }}', sizes: '{{ $sum(nodes.sizes.output) }}' },
    });
    const runId = await start(world, 'map-stored');
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ sum: 2 * ((5999 * 6000) / 2), count: 6000, sizes: 300 * 1000 + (299 * 300) / 2 });
    await expect.poll(() => countListed(world, `WorkflowType = 'runMapBatch' AND WorkflowId STARTS_WITH '${runId}.each.'`), { timeout: 5000 }).toBe(12);
  });

  it('cuts a list the run built itself into batches by size too, so that no batch passes Temporal\'s payload limit', async () => {
    await upload(world, {
      id: 'map-wide', name: 'Map wide',
      // 1,000 items of 4.5 KB: in batches of 500, each batch's input would weigh 2.25 MB.
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..1000].$pad($string($), 4500, "z") }}', node: { type: 'transform', config: { value: '{{ $length(item) }}' } } } }],
      output: { sum: '{{ $sum(nodes.each.output) }}', count: '{{ $count(nodes.each.output) }}' },
    });
    const runId = await start(world, 'map-wide');
    const { state } = await finish(world, runId);
    expect(state.error).toBeUndefined();
    expect(state.output).toEqual({ sum: 1000 * 4500, count: 1000 });
    // An item weighs 4,503 characters with its quotes and comma: 101 fit in one slice's 448 KB.
    const batches = Math.ceil(1000 / Math.floor((448 * 1024) / 4503));
    await expect.poll(() => countListed(world, `WorkflowType = 'runMapBatch' AND WorkflowId STARTS_WITH '${runId}.each.'`), { timeout: 5000 }).toBe(batches);
  });

  it('stores each map item\'s output past 8 KB as a blob, so that a map of large answers keeps its history small', async () => {
    await upload(world, {
      id: 'page-child', name: 'Page child',
      nodes: [{ id: 'get', type: 'http', config: { url: `${upstream.url}/page`, query: { n: '{{ input }}' } } }],
      output: '{{ nodes.get.output.body }}',
    });
    await upload(world, {
      id: 'pages-map', name: 'Pages map',
      nodes: [
        { id: 'each', type: 'map', config: { items: '{{ [1..40] }}', concurrency: 10, node: { type: 'http', config: { url: `${upstream.url}/page`, query: { n: '{{ item }}' } } } } },
        { id: 'children', type: 'map', config: { items: '{{ [1, 2] }}', template: 'page-child', input: '{{ item }}' } },
      ],
      output: { sum: '{{ $sum(nodes.each.output.body.n) }}', texts: '{{ $sum(nodes.each.output.body.text.$length($)) }}', children: '{{ nodes.children.output.n }}' },
    });
    const runId = await start(world, 'pages-map');
    const { state } = await finish(world, runId);
    expect(state.error).toBeUndefined();
    expect(state.status).toBe('completed');
    // Expressions read inside the stored items as inside any stored output.
    expect(state.output).toEqual({ sum: 820, texts: 40 * 20_000, children: [1, 2] });
    const isRef = (value: unknown) => typeof (value as { $ref?: unknown } | null)?.$ref === 'string';
    expect((nodeOf(state, 'each').output as unknown[]).every(isRef)).toBe(true);
    expect((nodeOf(state, 'children').output as unknown[]).every(isRef)).toBe(true);
    // What came back into the run's history for the items: references, not 20 KB answers.
    const { events } = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    const payloads = events!.flatMap((e) => [...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []), ...(e.childWorkflowExecutionCompletedEventAttributes?.result?.payloads ?? [])]);
    const itemAnswers = payloads.map((p) => p.data!.length).filter((size) => size > 200);
    expect(itemAnswers.length).toBeGreaterThanOrEqual(42);
    expect(Math.max(...itemAnswers)).toBeLessThan(2_000);
    const whole = await world.request('GET', `/api/v1/runs/${runId}/nodes/each/output`);
    const items = (await whole.json()) as Array<{ body: { n: number; text: string } }>;
    expect(items.map((item) => [item.body.n, item.body.text.length])).toEqual(Array.from({ length: 40 }, (_, i) => [i + 1, 20_000]));
  });

  it('joins a map\'s outputs into one stored list when a batch\'s outputs are too large for history', async () => {
    await upload(world, {
      id: 'map-large-outputs', name: 'Map large outputs', maxParallel: 50,
      nodes: [
        // 1,200 transforms of 5,000 characters: each batch's slice of outputs (2.5 MB) comes back stored.
        { id: 'each', type: 'map', config: { items: '{{ [1..1200] }}', node: { type: 'transform', config: { value: '{{ $pad($string(item), 5000, "w") }}' } } } },
        // 600 responses of 5 KB: each batch's outputs are stored by the batch.
        { id: 'fetched', type: 'map', config: { items: '{{ [1..600] }}', node: { type: 'http', config: { url: `${upstream.url}/chunk`, query: { n: '{{ item }}' } } } } },
      ],
      output: { count: '{{ $count(nodes.each.output) }}', last: '{{ $substring(nodes.each.output[1199], 0, 5) }}', fetched: '{{ $count(nodes.fetched.output) }}', n: '{{ nodes.fetched.output[599].body.n }}' },
    });
    const { state } = await finish(world, await start(world, 'map-large-outputs'));
    expect(state.status).toBe('completed');
    expect(state.output).toEqual({ count: 1200, last: '1200w', fetched: 600, n: 600 });
    expect(nodeOf(state, 'each').output).toMatchObject({ $ref: expect.stringMatching(/^blob:/) });
  });

  it('stores a run output made too large inside the workflow as a blob as the run settles', async () => {
    await upload(world, {
      id: 'big-output', name: 'Big output',
      nodes: [{ id: 'echo', type: 'transform', config: { value: '{{ $length(input.text) }}' } }],
      output: { text: '{{ input.text }}', length: '{{ nodes.echo.output }}' },
    });
    const text = 'x'.repeat(300 * 1024);
    const started = await world.request('POST', '/api/v1/templates/big-output/runs', { input: { text } });
    expect(started.status).toBe(201);
    const { state } = await finish(world, ((await started.json()) as { runId: string }).runId);
    expect(state.status).toBe('completed');
    const output = state.output as { $ref: string; size: number; preview: string };
    expect(output.$ref).toMatch(/^blob:/);
    expect(output.size).toBeGreaterThan(300 * 1024);
    expect(output.preview.startsWith('{"text":"xxx')).toBe(true);
  });

  it('keeps every answer inside Temporal\'s payload limit when many nodes have large outputs', async () => {
    // 80 outputs of 30,000 characters: each below the cut of a state answer, 2.4 MB together.
    const wide = Array.from({ length: 80 }, (_, i) => ({ id: `t${i}`, type: 'transform', config: { value: `{{ $pad("${i}", 30000, "x") }}` } }));
    await upload(world, {
      id: 'wide-outputs', name: 'Wide outputs', maxParallel: 80,
      nodes: [...wide, { id: 'gate', type: 'approval', needs: wide.map((n) => n.id), config: { prompt: 'go on?' } }],
      output: '{{ $length(nodes.t79.output) }}',
    });
    const runId = await start(world, 'wide-outputs');
    const open = await waitFor(world, runId, (s) => nodeOf(s, 'gate').status === 'waiting');
    expect(JSON.stringify(open).length).toBeLessThan(1024 * 1024);
    const cut = open.nodes.filter((n) => (n.output as { $truncated?: boolean } | undefined)?.$truncated);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut[0]!.output).toMatchObject({ size: 30002, preview: expect.stringMatching(/^"\d+x+/) });
    const whole = await world.request('GET', `/api/v1/runs/${runId}/nodes/${cut[0]!.id}/output`);
    expect(((await whole.json()) as string).length).toBe(30000);
    // Events come in pages while the run is open; a page cut for size says so, and read page by page they are
    // all there, up to the approval waiting at the end.
    const firstPage = await eventsPage(world, runId);
    expect(firstPage.items.length).toBeLessThan(open.seq);
    expect(firstPage.more).toBe(true);
    const all = await eventsOf(world, runId);
    expectGapless(all, open.seq);
    expect(all.at(-1)).toMatchObject({ type: 'node.waiting', nodeId: 'gate' });
    expect((await eventsPage(world, runId, all.at(-2)!.seq)).more).toBe(false);
    // The realtime catch-up reads the same way.
    expect(await readAllRunEvents({ db: world.database.db, client: world.temporal.client }, runId, 0)).toEqual(all);
    // Operator commands answer with the run's state: it fits too.
    expect((await command(world, runId, 'pause')).status).toBe(200);
    expect((await command(world, runId, 'resume')).status).toBe(200);
    expect((await command(world, runId, 'nodes/gate/approve', { decision: 'approve' })).status).toBe(200);
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toBe(30000);
    // Closed, the run's events come from the index, in pages of the same size (`finish` read them all).
    const closedPage = await eventsPage(world, runId);
    expect(JSON.stringify(closedPage).length).toBeLessThan(512 * 1024);
    expect(closedPage.more).toBe(true);
    // The workflow's result is the run's id, status and output, whatever the size of the state.
    expect(await world.temporal.client.workflow.getHandle(runId).result()).toEqual({ runId, status: 'completed', output: 30000 });
  });

  it('hands a node activity a config too large for history by reference', async () => {
    // Twelve outputs of 200,000 characters: each small enough to keep, 2.4 MB together in one request body.
    const parts = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, type: 'transform', config: { value: `{{ $pad("${i}", 200000, "y") }}` } }));
    await upload(world, {
      id: 'large-config', name: 'Large config', maxParallel: 12,
      nodes: [...parts, { id: 'send', type: 'http', needs: parts.map((p) => p.id), config: { method: 'POST', url: `${upstream.url}/echo`, body: `{{ [${parts.map((p) => `nodes.${p.id}.output`).join(', ')}] }}` } }],
      output: '{{ nodes.send.output.body.length }}',
    });
    const { state } = await finish(world, await start(world, 'large-config'));
    expect(state.status).toBe('completed');
    expect(state.output).toBe(JSON.stringify(Array.from({ length: 12 }, (_, i) => `${i}`.padEnd(200000, 'y'))).length);
  });

  it('hands a child run a stored output whole, and the child reads the value, not the reference', async () => {
    await upload(world, {
      id: 'measure', name: 'Measure', inputSchema: { type: 'object', required: ['s'], properties: { s: { type: 'string' } } },
      nodes: [{ id: 'length', type: 'transform', config: { value: '{{ $length(input.s) }}' } }],
      output: '{{ nodes.length.output }}',
    });
    await upload(world, {
      id: 'hand-whole', name: 'Hand whole',
      nodes: [
        { id: 'big', type: 'transform', config: { value: "{{ { 's': $pad('', 300000, 'q') } }}" } },
        { id: 'child', type: 'subworkflow', needs: ['big'], config: { template: 'measure', input: '{{ nodes.big.output }}' } },
      ],
      output: '{{ nodes.child.output }}',
    });
    const runId = await start(world, 'hand-whole');
    const { state } = await finish(world, runId);
    expect(state.status, JSON.stringify(state.error)).toBe('completed');
    expect(state.output).toBe(300000);
    // The parent handed the reference: its history never holds the value.
    const largest = async (id: string) => {
      const { events } = await world.temporal.client.workflow.getHandle(id).fetchHistory();
      return Math.max(...events!.flatMap((e) => Object.values(e).flatMap((attrs) => (attrs as { input?: { payloads?: Array<{ data?: Uint8Array }> } } | null)?.input?.payloads ?? []).map((p) => p.data?.length ?? 0)));
    };
    expect(await largest(runId)).toBeLessThan(10_000);
    // The child's own run read the value: its output is the length of the string, not of a reference.
    const child = (await (await world.request('GET', `/api/v1/runs/${runId}.child.1`)).json()) as { output?: unknown };
    expect(child.output).toBe(300000);
  });

  it('carries a map\'s large per-item scope by reference, so that no batch and no slice evaluation passes Temporal\'s payload limit', async () => {
    // Ten outputs of 230,000 characters, each kept inline, 2.3 MB together: what each item reads inside.
    const parts = Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, type: 'transform', config: { value: `{{ { 'k': ${i}, 'pad': $pad('', 230000, '${i}') } }}` } }));
    const sum = parts.map((p) => `nodes.${p.id}.output.k`).join(' + ');
    const mapOver = (id: string, count: number) => ({
      id, name: id, maxParallel: 10,
      nodes: [...parts, { id: 'each', type: 'map', needs: parts.map((p) => p.id), config: { items: `{{ [1..${count}] }}`, node: { type: 'transform', config: { value: `{{ ${sum} + item }}` } } } }],
      output: { count: '{{ $count(nodes.each.output) }}', last: `{{ nodes.each.output[${count - 1}] }}` },
    });
    // 30 items, evaluated here in one activity; 600 items, in two batch children.
    for (const [id, count] of [['scope-here', 30], ['scope-batches', 600]] as const) {
      await upload(world, mapOver(id, count));
      const runId = await start(world, id);
      const { state } = await finish(world, runId);
      expect(state.status, JSON.stringify(state.error)).toBe('completed');
      expect(state.output).toEqual({ count, last: 45 + count });
      const { events } = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
      const inputs = events!.flatMap((e) => [e.activityTaskScheduledEventAttributes?.input, e.startChildWorkflowExecutionInitiatedEventAttributes?.input]).flatMap((p) => p?.payloads ?? []);
      expect(inputs.length).toBeGreaterThan(0);
      // The scope each input carries fits in 64 KB; the ten outputs went in as references.
      expect(Math.max(...inputs.map((p) => p.data?.length ?? 0))).toBeLessThan(100_000);
    }
  }, 60_000);

  it('evaluates per-item configs that read inside stored outputs without a copy of any of them per item, in history or stored', async () => {
    // Stored, 300 KB each: `settings` is read inside (its `path`), `payload` handed on whole, and `doc` both read
    // inside and handed on whole. Before, each item's config came back from the slice's evaluation with the payload
    // in it, 2.4 MB for eight items; later, each item stored its own copy of `doc`'s text: eight more blobs.
    await upload(world, {
      id: 'item-configs', name: 'Item configs',
      nodes: [
        { id: 'settings', type: 'transform', config: { value: "{{ { 'path': '/echo', 'pad': $pad('', 300000, 's') } }}" } },
        { id: 'payload', type: 'transform', config: { value: "{{ $pad('', 300000, 'p') }}" } },
        { id: 'doc', type: 'transform', config: { value: "{{ { 'name': 'doc', 'text': $pad('', 300000, 'd') } }}" } },
        { id: 'each', type: 'map', needs: ['settings', 'payload', 'doc'], config: { items: '{{ [1..8] }}', node: { type: 'http', config: {
          method: 'POST', url: `${upstream.url}{{ nodes.settings.output.path }}`,
          body: { n: '{{ item }}', data: '{{ nodes.payload.output }}', name: '{{ nodes.doc.output.name }}', doc: '{{ nodes.doc.output }}' },
        } } } },
      ],
      output: '{{ nodes.each.output.body.length }}',
    });
    const runId = await start(world, 'item-configs');
    const { state } = await finish(world, runId);
    expect(state.status, JSON.stringify(state.error)).toBe('completed');
    // Each request carried the payload and the doc whole.
    const doc = { name: 'doc', text: ''.padEnd(300000, 'd') };
    expect(state.output).toEqual(Array.from({ length: 8 }, (_, i) => JSON.stringify({ n: i + 1, data: ''.padEnd(300000, 'p'), name: 'doc', doc }).length));
    const { events } = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    const results = events!.flatMap((e) => e.activityTaskCompletedEventAttributes?.result?.payloads ?? []);
    expect(Math.max(...results.map((p) => p.data?.length ?? 0))).toBeLessThan(100_000);
    // The three outputs' own blobs, and none for the configs.
    expect(await world.database.db.$count(blobsTable, eq(blobsTable.runId, runId))).toBe(3);
  });

  it('continues as new when the outputs it carries pass Temporal\'s payload limit, and reads them after', async () => {
    const wide = Array.from({ length: 80 }, (_, i) => ({ id: `t${i}`, type: 'transform', config: { value: `{{ $pad("${i}", 30000, "x") }}` } }));
    await upload(world, {
      id: 'wide-carried', name: 'Wide carried', maxParallel: 80,
      nodes: [
        ...wide,
        { id: 'pause', type: 'delay', needs: wide.map((n) => n.id), config: { duration: '50ms' } },
        { id: 'sum', type: 'transform', needs: ['pause'], config: { value: `{{ ${wide.map((n) => `$length(nodes.${n.id}.output)`).join(' + ')} }}` } },
      ],
      output: '{{ nodes.sum.output }}',
    });
    const { runId } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'wide-carried', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 100 } });
    const { state } = await finish(world, runId);
    expect(state.status).toBe('completed');
    expect(state.output).toBe(80 * 30000);
    expect(state.nodes.every((n) => n.attempts === 1)).toBe(true);
    // The largest outputs were handed on as blob references, which read as the values they stand for.
    const stored = state.nodes.filter((n) => (n.output as { $ref?: string } | undefined)?.$ref?.startsWith('blob:'));
    expect(stored.length).toBeGreaterThan(0);
    const whole = await world.request('GET', `/api/v1/runs/${runId}/nodes/${stored[0]!.id}/output`);
    expect(((await whole.json()) as string).length).toBe(30000);
    await expect.poll(() => countListed(world, `WorkflowId = '${runId}'`), { timeout: 5000 }).toBeGreaterThan(1);
  });
});

describe('continue-as-new when Temporal suggests it', () => {
  let server: DevServer;
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /n': (req, res) => json(res, 200, { n: Number(new URL(req.path, 'http://x').searchParams.get('n')) }) });
    // A dev server of its own, which suggests a new execution once a history holds 60 events.
    server = await startDevServer({ port: await freePort(), headless: true, dbFile: null, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 }, log: () => {} });
    world = await startWorld('pglite', { temporalAddress: server.address });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await server?.stop();
    await upstream?.close();
  });

  it('goes on in new executions with the same run id, output and unbroken event sequence', async () => {
    const chain = httpChain(upstream.url, 20);
    await upload(world, { id: 'suggested', name: 'Suggested', nodes: chain, output: '{{ nodes.s19.output.body.n }}' });
    const runId = await start(world, 'suggested');
    const { state } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: 20 });
    expect(state.nodes.every((n) => n.attempts === 1)).toBe(true);
    expect(upstream.received.filter((r) => r.path.startsWith('/n')).length).toBe(20);
    await expect.poll(() => countListed(world, `WorkflowId = '${runId}'`), { timeout: 5000 }).toBeGreaterThan(1);
  });
});
