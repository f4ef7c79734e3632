import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { leanLifecyclePatch, quickStartPatch, retryWhileHeldChange } from '../../src/workflows/interpreter.js';
import { handOverWaitingPatch } from '../../src/workflows/node-lifecycle.js';
import { blobReadsPatch, errorBlobReadsChange } from '../../src/workflows/blob-reads.js';
import { childInputValuesPatch } from '../../src/workflows/child-input.js';
import { carryBlobsPatch } from '../../src/workflows/large-values.js';
import { configBlobsPatch } from '../../src/workflows/nodes/activity.js';
import { batchOutputBlobsPatch, batchSecretsChange } from '../../src/workflows/map-batch.js';
import { mapCancelledChange, mapHistoryBudgetChange, mapSizedSlicesPatch, mapWholeScopePatch } from '../../src/workflows/nodes/map.js';
import { mapFailFastChange, mapItemBlobReadsPatch, mapItemProgressChange, mapPauseChange, mapScopeBlobsPatch } from '../../src/workflows/nodes/map-items.js';
import { mapStoredItemsPatch } from '../../src/workflows/stored-items.js';
import { statusAttributePatch } from '../../src/workflows/status-attribute.js';
import { shortChildIdsChange } from '../../src/workflows/lineage.js';
import { touchWakeChange } from '../../src/workflows/loop-wake.js';
import { boundedDurationChange, zonedUntilChange } from '../../src/workflows/nodes/delay.js';
import { childCancelledChange } from '../../src/workflows/nodes/child-run.js';
import { change, latestRevision, type Change } from '../../src/workflows/revision.js';
import { quietEndChange, retrySecretsChange } from '../../src/workflows/run-book.js';
import { renewalLateEventsChange } from '../../src/workflows/run-template.js';
import { startRun } from '../../src/runs/start-run.js';
import { patchesIn } from '../support/histories.js';
import { command, finish, nodeOf, start, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/**
 * Interpreter changes must never break running runs. Histories of representative runs live in `histories/`
 * and are replayed against the current workflow bundle; a change in behaviour goes behind `patched()`.
 * `WEFT_RECORD_HISTORIES=1 npx vitest run test/workflows/replay.test.ts` records every scenario again into files
 * named after the interpreter revision the run was started on (`<scenario>.revision-<n>.json`), or, for runs
 * started before revisions, after the newest patch the history carries (`<scenario>.<patch>.json`), beside the
 * older recordings, never over them: overwriting a recording hides exactly the breakage this test exists to
 * catch. Files without either in their name were recorded before `weft-lean-lifecycle`.
 */
const historiesDir = path.join(import.meta.dirname, 'histories');
const { History } = temporal.api.history.v1;

/** Every change of the interpreter, in the order they were made. */
const patchesOldestFirst: Change[] = [quickStartPatch, leanLifecyclePatch, statusAttributePatch, blobReadsPatch, mapItemBlobReadsPatch, carryBlobsPatch, configBlobsPatch, mapStoredItemsPatch, batchOutputBlobsPatch, handOverWaitingPatch, mapSizedSlicesPatch, childInputValuesPatch, mapScopeBlobsPatch, mapWholeScopePatch, shortChildIdsChange, childCancelledChange, zonedUntilChange, touchWakeChange, mapCancelledChange, renewalLateEventsChange, boundedDurationChange, retryWhileHeldChange, quietEndChange, retrySecretsChange, errorBlobReadsChange, mapFailFastChange, mapHistoryBudgetChange, mapPauseChange, batchSecretsChange, mapItemProgressChange];

/** The revision a history's run was started on (its input's `revision`), if any. */
function revisionOf(history: temporal.api.history.v1.IHistory): number | undefined {
  const data = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { revision?: number }).revision : undefined;
}

describe('replaying recorded histories against the current interpreter', () => {
  it('numbers the changes 1 to the latest revision, in the order they were made, each with its own id', () => {
    expect(patchesOldestFirst.map((c) => c.revision)).toEqual(Array.from({ length: latestRevision }, (_, i) => i + 1));
    expect(new Set(patchesOldestFirst.map((c) => c.id)).size).toBe(latestRevision);
    // A new change must take the next number and raise latestRevision with it.
    expect(() => change('weft-reused-number', quickStartPatch.revision)).toThrow(/both have revision 1/);
    expect(() => change('weft-next', latestRevision + 1)).toThrow(/raise latestRevision/);
    expect(change(quickStartPatch.id, quickStartPatch.revision)).toEqual(quickStartPatch);
  });

  it('replays every recorded history without a nondeterminism error', async () => {
    const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(9);
    const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: History.fromObject(JSON.parse(readFileSync(path.join(historiesDir, f), 'utf8')) as Record<string, unknown>) }));
    const results = Worker.runReplayHistories({
      workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
      sinks: {
        events: { publish: { fn: () => undefined, callDuringReplay: false } },
        runIndex: { record: { fn: () => undefined, callDuringReplay: false } },
      },
    }, histories);
    const failures: string[] = [];
    for await (const result of results) if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    expect(failures).toEqual([]);
  }, 60_000);
});

describe.runIf(process.env.WEFT_RECORD_HISTORIES === '1')('recording histories', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  /**
   * Saves a run's history (its latest execution's, or `execution`'s) under the newest patch it carries, unless a
   * recording by that name exists. A workflow that asks no patch itself (a map's batch child) is saved under
   * `asOf`, the patch whose behaviour it shows.
   */
  const save = async (name: string, runId: string, execution?: string, asOf?: Change) => {
    const history = await world.temporal.client.workflow.getHandle(runId, execution).fetchHistory();
    const revision = revisionOf(history);
    const carried = patchesIn(history);
    const newest = (patchesOldestFirst.filter((p) => carried.has(p.id)).at(-1) ?? asOf)?.id;
    const suffix = revision === undefined ? newest : `revision-${revision}`;
    const file = path.join(historiesDir, suffix ? `${name}.${suffix}.json` : `${name}.json`);
    if (existsSync(file)) return;
    const plain = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
    writeFileSync(file, `${JSON.stringify(plain, null, 1)}\n`);
  };

  /** Uploads a template, runs it to its end and answers with the run id. */
  const runOf = async (template: { id: string } & Record<string, unknown>, input: unknown = {}) => {
    await upload(world, template);
    const runId = await start(world, template.id, input);
    await finish(world, runId);
    return runId;
  };

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /orders/42': (_req, res) => json(res, 200, { items: [{ price: 10 }, { price: 32.5 }] }),
      'POST /digest': (_req, res) => json(res, 200, { ok: true }),
      'POST /item': (req, res) => json(res, 200, JSON.parse(req.body) as unknown),
      'POST /echo': (req, res) => json(res, 200, { length: req.body.length }),
      'GET /bad': (_req, res) => json(res, 400, { error: 'bad' }),
      'GET /big': (_req, res) => json(res, 200, { items: Array.from({ length: 6000 }, (_, i) => ({ i, text: 'x'.repeat(40) })) }),
      'GET /big-refusal': (_req, res) => json(res, 400, { items: Array.from({ length: 6000 }, (_, i) => ({ i, text: 'x'.repeat(40) })) }),
      'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { slow: true }), 1_000),
    });
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('records the slice, a branch with skips, an approval, a failure retried by an operator, parallel nodes, blob reads, a carried continue-as-new, a large config, a map over a stored list, a map joining stored outputs, waits handed over and a map cut by size, a child reading a stored input, a map carrying its scope by reference, one reading every node, runs nested past the id length limit and a child cancelled on its own', async () => {
    const slice = await runOf({
      id: 'slice', name: 'Slice',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/orders/42` } },
        { id: 'total', type: 'transform', needs: ['fetch'], config: { value: '{{ $sum(nodes.fetch.output.body.items.price) }}' } },
        { id: 'post', type: 'http', needs: ['total'], config: { method: 'POST', url: `${upstream.url}/digest`, body: { total: '{{ nodes.total.output }}' } } },
      ],
      output: '{{ nodes.total.output }}',
    });
    await save('slice', slice);

    const branch = await runOf({
      id: 'branch', name: 'Branch',
      nodes: [
        { id: 'pick', type: 'transform', config: { value: '{{ input.way }}' } },
        { id: 'left', type: 'transform', needs: ['pick'], when: "{{ nodes.pick.output = 'left' }}", config: { value: 'L' } },
        { id: 'right', type: 'delay', needs: ['pick'], when: "{{ nodes.pick.output = 'right' }}", config: { duration: '10ms' } },
        { id: 'after-right', type: 'transform', needs: ['right'], config: { value: 'R' } },
        { id: 'join', type: 'transform', needs: ['left', 'right'], config: { value: '{{ nodes.left.output }}' } },
      ],
      output: '{{ nodes.join.output }}',
    }, { way: 'left' });
    await save('branch-skip', branch);

    await upload(world, {
      id: 'approval', name: 'Approval',
      nodes: [
        { id: 'review', type: 'approval', config: { prompt: 'OK?' } },
        { id: 'wait', type: 'delay', needs: ['review'], config: { duration: '10ms' } },
      ],
      output: '{{ nodes.review.output.decision }}',
    });
    const approval = await start(world, 'approval');
    await waitFor(world, approval, (s) => nodeOf(s, 'review').status === 'waiting');
    await command(world, approval, 'pause');
    await command(world, approval, 'nodes/review/approve', { decision: 'approve', by: 'ada' });
    await command(world, approval, 'resume');
    await finish(world, approval);
    await save('approval-pause', approval);

    await upload(world, {
      id: 'retry', name: 'Retry',
      nodes: [
        { id: 'call', type: 'http', onError: 'pause', config: { url: `${upstream.url}/bad` } },
        { id: 'after', type: 'transform', needs: ['call'], config: { value: '{{ nodes.call.output.body }}' } },
      ],
    });
    const retry = await start(world, 'retry');
    await waitFor(world, retry, (s) => s.status === 'waiting_for_operator');
    await command(world, retry, 'nodes/call/retry', { config: { url: `${upstream.url}/orders/42` } });
    await finish(world, retry);
    await save('failure-retry', retry);

    // Nodes started in one pass, ending in one workflow task or several, then a join.
    const parallel = await runOf({
      id: 'parallel', name: 'Parallel', maxParallel: 4,
      nodes: [
        { id: 'a', type: 'http', config: { url: `${upstream.url}/orders/42` } },
        { id: 'b', type: 'http', when: '{{ input.withB }}', config: { url: `${upstream.url}/orders/42` } },
        { id: 'c', type: 'transform', config: { value: '{{ $uppercase(input.label) }}' } },
        { id: 'd', type: 'delay', config: { duration: '10ms' } },
        { id: 'join', type: 'transform', needs: ['a', 'b', 'c', 'd'], config: { value: '{{ $count(nodes.a.output.body.items) }}' } },
      ],
      output: '{{ nodes.join.output }}',
    }, { withB: true, label: 'x' });
    await save('parallel', parallel);

    // An output stored as a blob, handed on whole and read inside, by nodes and by a map's per-item config.
    const blobRead = await runOf({
      id: 'blob-read', name: 'Blob read',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/big` } },
        { id: 'count', type: 'transform', needs: ['fetch'], config: { value: '{{ $count(nodes.fetch.output.body.items) }}' } },
        { id: 'whole', type: 'transform', needs: ['fetch'], config: { value: '{{ nodes.fetch.output }}' } },
        { id: 'each', type: 'map', needs: ['fetch'], config: { items: '{{ [1, 2] }}', node: { type: 'http', config: { method: 'POST', url: `${upstream.url}/item`, body: { i: '{{ nodes.fetch.output.body.items[$$.item].i }}' } } } } },
      ],
      output: '{{ nodes.count.output }}',
    });
    await save('blob-read', blobRead);

    // A continue-as-new handing on outputs too large to carry as they are: the first execution stores them.
    const wide = Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, type: 'transform', config: { value: `{{ $pad("${i}", 20000, "x") }}` } }));
    await upload(world, {
      id: 'carried', name: 'Carried',
      nodes: [...wide, { id: 'pause', type: 'delay', needs: wide.map((n) => n.id), config: { duration: '10ms' } }, { id: 'last', type: 'transform', needs: ['pause'], config: { value: '{{ $length(nodes.t0.output) }}' } }],
      output: '{{ nodes.last.output }}',
    });
    const { runId: carried } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'carried', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 50 } });
    await finish(world, carried);
    const first = async () => {
      for await (const execution of world.temporal.client.workflow.list({ query: `WorkflowId = '${carried}' AND ExecutionStatus = 'ContinuedAsNew'` })) return execution.runId;
      return undefined;
    };
    await expect.poll(first, { timeout: 5000 }).toBeDefined();
    await save('carried', carried, await first());

    // A node activity's config too large for history, handed over by reference.
    const parts = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, type: 'transform', config: { value: `{{ $pad("${i}", 200000, "y") }}` } }));
    const largeConfig = await runOf({
      id: 'large-config', name: 'Large config', maxParallel: 12,
      nodes: [...parts, { id: 'send', type: 'http', needs: parts.map((p) => p.id), config: { method: 'POST', url: `${upstream.url}/echo`, body: `{{ [${parts.map((p) => `nodes.${p.id}.output`).join(', ')}] }}` } }],
      output: '{{ nodes.send.output.body.length }}',
    });
    await save('large-config', largeConfig);

    // A map over a list stored as a blob: 6,000 items in batch children that read their own slices.
    const mapStored = await runOf({
      id: 'map-stored', name: 'Map stored',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/big` } },
        { id: 'each', type: 'map', needs: ['fetch'], config: { items: '{{ nodes.fetch.output.body.items }}', node: { type: 'transform', config: { value: '{{ item.i }}' } } } },
      ],
      output: '{{ $count(nodes.each.output) }}',
    });
    await save('map-stored', mapStored);
    await save('map-stored-batch', `${mapStored}.each.1.batch-0`, undefined, mapStoredItemsPatch);

    // A map whose batches answer with stored lists, joined into one by the run.
    const mapJoined = await runOf({
      id: 'map-joined', name: 'Map joined',
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..1200] }}', node: { type: 'transform', config: { value: '{{ $pad($string(item), 5000, "w") }}' } } } }],
      output: '{{ $count(nodes.each.output) }}',
    });
    await save('map-joined', mapJoined, undefined, batchOutputBlobsPatch);
    await save('map-joined-batch', `${mapJoined}.each.1.batch-0`, undefined, batchOutputBlobsPatch);

    // A timer and an approval handed over waiting through continues-as-new while a chain goes on: the first
    // execution hands them over, a middle one takes them up and hands them on.
    await upload(world, {
      id: 'handed-over', name: 'Handed over',
      nodes: [
        { id: 'gate', type: 'approval', config: { prompt: 'go?', timeout: '1h', onTimeout: 'reject' } },
        { id: 'nap', type: 'delay', config: { duration: '6s' } },
        { id: 'a', type: 'http', config: { url: `${upstream.url}/orders/42` } },
        { id: 'b', type: 'http', needs: ['a'], config: { url: `${upstream.url}/orders/42` } },
        { id: 'c', type: 'http', needs: ['b'], config: { url: `${upstream.url}/orders/42` } },
        { id: 'done', type: 'transform', needs: ['gate', 'nap', 'c'], config: { value: '{{ nodes.gate.output.decision }}' } },
      ],
      output: '{{ nodes.done.output }}',
    });
    const { runId: handedOver } = await startRun({ db: world.database.db, temporal: world.temporal }, { templateId: 'handed-over', input: {}, trigger: 'api', tuning: { continueAsNewAfterEvents: 4 } });
    await waitFor(world, handedOver, (s) => nodeOf(s, 'c').status === 'completed');
    await command(world, handedOver, 'nodes/gate/approve', { decision: 'approve', by: 'ada' });
    await finish(world, handedOver);
    const executions: Array<{ runId: string; startTime: Date }> = [];
    for await (const execution of world.temporal.client.workflow.list({ query: `WorkflowId = '${handedOver}'` })) executions.push(execution);
    executions.sort((x, y) => x.startTime.getTime() - y.startTime.getTime());
    await save('handed-over', handedOver, executions[0]!.runId);
    await save('handed-over-resumed', handedOver, executions[1]!.runId);

    // A list the run built, too large for one slice: batches cut by size, not at 500 items.
    const mapSized = await runOf({
      id: 'map-sized', name: 'Map sized',
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..120].$pad($string($), 4500, "z") }}', node: { type: 'transform', config: { value: '{{ $length(item) }}' } } } }],
      output: '{{ $sum(nodes.each.output) }}',
    });
    await save('map-sized', mapSized);

    // A child run handed a parent's stored output whole, which it reads as it starts.
    await upload(world, {
      id: 'measure', name: 'Measure', inputSchema: { type: 'object', required: ['s'] },
      nodes: [{ id: 'length', type: 'transform', config: { value: '{{ $length(input.s) }}' } }],
      output: '{{ nodes.length.output }}',
    });
    const handWhole = await runOf({
      id: 'hand-whole', name: 'Hand whole',
      nodes: [
        { id: 'big', type: 'transform', config: { value: "{{ { 's': $pad('', 300000, 'q') } }}" } },
        { id: 'child', type: 'subworkflow', needs: ['big'], config: { template: 'measure', input: '{{ nodes.big.output }}' } },
      ],
      output: '{{ nodes.child.output }}',
    });
    await save('child-input', `${handWhole}.child.1`);

    // A map whose per-item scope is too large to carry into its batches: its largest outputs go as references.
    const scoped = Array.from({ length: 4 }, (_, i) => ({ id: `a${i}`, type: 'transform', config: { value: `{{ { 'k': ${i}, 'pad': $pad('', 30000, 'v') } }}` } }));
    const mapScope = await runOf({
      id: 'map-scope', name: 'Map scope', maxParallel: 4,
      nodes: [...scoped, { id: 'each', type: 'map', needs: scoped.map((n) => n.id), config: { items: '{{ [1..600] }}', node: { type: 'transform', config: { value: `{{ ${scoped.map((n) => `nodes.${n.id}.output.k`).join(' + ')} + item }}` } } } }],
      output: '{{ $sum(nodes.each.output) }}',
    });
    await save('map-scope', mapScope);
    await save('map-scope-batch', `${mapScope}.each.1.batch-0`);

    // Per-item expressions reading `nodes` as a whole, and a map that leaves the run's input out of its batches.
    const mapWhole = await runOf({
      id: 'map-whole', name: 'Map whole',
      nodes: [
        { id: 'a', type: 'transform', config: { value: 1 } },
        { id: 'each', type: 'map', needs: ['a'], config: { items: '{{ [1..30] }}', node: { type: 'transform', config: { value: '{{ $count($keys(nodes)) + item }}' } } } },
        { id: 'batched', type: 'map', config: { items: '{{ input.records }}', node: { type: 'transform', config: { value: '{{ item.id }}' } } } },
      ],
      output: { each: '{{ $sum(nodes.each.output) }}', batched: '{{ $sum(nodes.batched.output) }}' },
    }, { records: Array.from({ length: 600 }, (_, i) => ({ id: i, text: 'r'.repeat(100) })) });
    await save('map-whole', mapWhole);

    // Runs nested until a child's id would pass 255 characters: the run at level 3 starts its child under a
    // shortened id.
    const longId = `deep${'x'.repeat(60)}`;
    const deep = await runOf({
      id: 'long-child-ids', name: 'Long child ids',
      nodes: [{ id: longId, type: 'subworkflow', when: '{{ input.d < 4 }}', config: { template: 'long-child-ids', input: { d: '{{ input.d + 1 }}' } } }],
    }, { d: 0 });
    await save('long-child-ids', `${deep}${`.${longId}.1`.repeat(3)}`);

    // A child run an operator cancelled: the node that started it fails, and an operator skips it.
    await upload(world, { id: 'napping', name: 'Napping', nodes: [{ id: 'nap', type: 'delay', config: { duration: '1h' } }] });
    await upload(world, {
      id: 'child-cancelled', name: 'Child cancelled',
      nodes: [
        { id: 'child', type: 'subworkflow', onError: 'pause', config: { template: 'napping', input: {} } },
        { id: 'after', type: 'transform', needs: ['child'], config: { value: '{{ nodes.child.output }}' } },
      ],
    });
    const parent = await start(world, 'child-cancelled');
    await waitFor(world, parent, (s) => nodeOf(s, 'child').status === 'running');
    await expect.poll(async () => (await world.request('GET', `/api/v1/runs/${parent}.child.1`)).status, { timeout: 10_000 }).toBe(200);
    await waitFor(world, `${parent}.child.1`, (s) => nodeOf(s, 'nap').status === 'waiting');
    await command(world, `${parent}.child.1`, 'cancel');
    await waitFor(world, parent, (s) => s.status === 'waiting_for_operator');
    await command(world, parent, 'nodes/child/skip', { output: 'given' });
    await finish(world, parent);
    await save('child-cancelled', parent);
  });

  it('records a map failing fast, a map paused and resumed, and an error read inside its stored answer', async () => {
    // One item fails while another is in flight, which is cancelled; the map fails, and the run goes on.
    const failFast = await runOf({
      id: 'map-fail-fast', name: 'Map fail fast',
      nodes: [
        { id: 'each', type: 'map', onError: 'continue', retry: { maxAttempts: 1 }, config: { items: ['slow', 'bad'], concurrency: 2, node: { type: 'http', config: { url: `${upstream.url}/{{ item }}` } } } },
        { id: 'after', type: 'transform', needs: ['each'], config: { value: '{{ nodes.each.error.details.index }}' } },
      ],
      output: '{{ nodes.after.output }}',
    });
    await save('map-fail-fast', failFast);

    // Paused while its first item is in flight: it starts no more until resumed.
    await upload(world, {
      id: 'map-paused', name: 'Map paused',
      nodes: [{ id: 'each', type: 'map', config: { items: [1, 2, 3], concurrency: 1, node: { type: 'http', config: { url: `${upstream.url}/slow` } } } }],
      output: '{{ $count(nodes.each.output) }}',
    });
    const paused = await start(world, 'map-paused');
    await waitFor(world, paused, (s) => nodeOf(s, 'each').status === 'running');
    await command(world, paused, 'pause');
    await waitFor(world, paused, (s) => s.status === 'paused');
    await command(world, paused, 'resume');
    await finish(world, paused);
    await save('map-paused', paused);

    // A refusal whose answer is stored: expressions read inside it where the value can be read.
    const errorRead = await runOf({
      id: 'error-blob-read', name: 'Error blob read',
      nodes: [
        { id: 'call', type: 'http', onError: 'continue', retry: { maxAttempts: 1 }, config: { url: `${upstream.url}/big-refusal` } },
        { id: 'count', type: 'transform', needs: ['call'], config: { value: '{{ $count(nodes.call.error.details.body.items) }}' } },
      ],
      output: '{{ nodes.count.output }}',
    });
    await save('error-blob-read', errorRead);
  });
});
