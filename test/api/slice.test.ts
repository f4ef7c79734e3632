import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpreterWorkflowType, stateQuery } from '../../src/workflows/definitions.js';
import { expectGapless, runToEnd, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

describe('the first slice: http GET → transform → http POST', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let flaky = 0;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /orders/42': (_req, res) => json(res, 200, { items: [{ price: 10 }, { price: 32.5 }] }),
      'POST /digest': (req, res) => json(res, 200, { received: JSON.parse(req.body) as unknown }),
      'GET /missing': (_req, res) => json(res, 404, { error: 'gone' }),
      'GET /flaky': (_req, res) => (++flaky < 3 ? json(res, 503, { error: 'busy' }, { 'retry-after': '0' }) : json(res, 200, { attempt: flaky })),
    });
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  const yamlTemplate = (base: string) => `
id: order-digest
name: Order digest
inputSchema: { type: object, required: [orderId], properties: { orderId: { type: string } } }
nodes:
  - id: fetch
    type: http
    name: Fetch order
    config: { method: GET, url: "${base}/orders/{{ input.orderId }}" }
  - id: total
    type: transform
    needs: [fetch]
    config: { value: "{{ $sum(nodes.fetch.output.body.items.price) }}" }
  - id: post
    type: http
    needs: [total]
    config: { method: POST, url: "${base}/digest", body: { total: "{{ nodes.total.output }}", label: "order {{ input.orderId }}" } }
output: "{{ nodes.total.output }}"
`;

  it('uploads as YAML, runs end to end and reports every node', async () => {
    const { id, version } = await upload(world, yamlTemplate(upstream.url));
    expect([id, version]).toEqual(['order-digest', 1]);
    const { runId, state, events } = await runToEnd(world, 'order-digest', { orderId: '42' });

    expect(state.status).toBe('completed');
    expect(state.output).toBe(42.5);
    expect(state.progress).toBe(100);
    expect(state.nodes.map((n) => [n.id, n.status, n.attempts])).toEqual([['fetch', 'completed', 1], ['total', 'completed', 1], ['post', 'completed', 1]]);
    expect(state.nodes[1]?.output).toBe(42.5);
    expect(JSON.parse(upstream.received.find((r) => r.method === 'POST')?.body ?? 'null')).toEqual({ total: 42.5, label: 'order 42' });
    expect(events.map((e) => `${e.type}${e.nodeId ? `:${e.nodeId}` : ''}`)).toEqual([
      'run.started', 'node.started:fetch', 'node.completed:fetch', 'node.started:total', 'node.completed:total',
      'node.started:post', 'node.completed:post', 'run.completed',
    ]);

    // The run is a Temporal workflow whose id is the run id, searchable by Weft's search attributes.
    const description = await world.temporal.client.workflow.getHandle(runId).describe();
    expect(description.type).toBe(interpreterWorkflowType);
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.WeftTemplateId).toEqual(['order-digest']);
    expect(description.searchAttributes.WeftStatus).toEqual(['completed']);

    const listed = (await (await world.request('GET', '/api/v1/runs?templateId=order-digest')).json()) as { items: Array<{ runId: string; status: string }> };
    expect(listed.items).toContainEqual(expect.objectContaining({ runId, status: 'completed' }));
  });

  it('streams the same events live on the bus as the run produces them', async () => {
    await upload(world, yamlTemplate(upstream.url));
    const seen: number[] = [];
    // State changes only: live-only progress repeats the seq of the event it follows, with a `sub` of its own.
    const unsubscribe = world.bus.subscribe('*', (_runId, event) => event.sub === undefined && seen.push(event.seq));
    const { state } = await runToEnd(world, 'order-digest', { orderId: '42' });
    unsubscribe();
    expectGapless(seen.map((seq) => ({ seq }) as never), state.seq);
  });

  it('rejects input that does not match inputSchema before anything runs', async () => {
    const res = await world.request('POST', '/api/v1/templates/order-digest/runs', { input: { orderId: 42 } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { errors: Array<{ path: string }> };
    expect(body.errors).toEqual([expect.objectContaining({ path: 'input.orderId' })]);
  });

  it('fills in inputSchema defaults before the run starts', async () => {
    await upload(world, {
      id: 'defaults', name: 'Defaults',
      inputSchema: { type: 'object', properties: { language: { type: 'string', default: 'en' }, minScore: { type: 'number', default: 0 } } },
      nodes: [{ id: 'echo', type: 'transform', config: { value: '{{ input.language & "/" & $string(input.minScore) }}' } }],
      output: '{{ nodes.echo.output }}',
    });
    expect((await runToEnd(world, 'defaults', {})).state.output).toBe('en/0');
    expect((await runToEnd(world, 'defaults', { language: 'fr' })).state.output).toBe('fr/0');
  });

  it('fails a run at once on a 4xx (non-retryable) and says which node failed', async () => {
    await upload(world, { id: 'missing', name: 'Missing', nodes: [{ id: 'get', type: 'http', config: { url: `${upstream.url}/missing` } }] });
    const before = upstream.received.length;
    const { state } = await runToEnd(world, 'missing');
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ nodeId: 'get', type: 'NodeFailed' });
    expect(state.nodes[0]).toMatchObject({ status: 'failed', error: { type: 'HttpClientError' } });
    expect(upstream.received.length - before).toBe(1);
  });

  it('retries 5xx answers with Temporal retries until the service recovers', async () => {
    await upload(world, {
      id: 'flaky', name: 'Flaky',
      nodes: [{ id: 'get', type: 'http', retry: { maxAttempts: 5, initialInterval: '100ms' }, config: { url: `${upstream.url}/flaky` } }],
      output: '{{ nodes.get.output.body.attempt }}',
    });
    const { state } = await runToEnd(world, 'flaky');
    expect(state.error).toBeUndefined();
    expect(state.status).toBe('completed');
    expect(state.output).toBe(3);
  });

  it('answers 404 problems for unknown runs and templates', async () => {
    for (const path of ['/api/v1/runs/nope', '/api/v1/runs/nope/events', '/api/v1/templates/nope']) {
      const res = await world.request('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const started = await world.request('POST', '/api/v1/templates/nope/runs', { input: {} });
    expect(started.status).toBe(404);
  });

  it('refuses a run input past Temporal\'s payload limit with a 413 problem, and indexes nothing', async () => {
    await upload(world, { id: 'text-length', name: 'Text length', nodes: [{ id: 'n', type: 'transform', config: { value: '{{ $length(input.text) }}' } }], output: '{{ nodes.n.output }}' });
    const res = await world.request('POST', '/api/v1/templates/text-length/runs', { input: { text: 'z'.repeat(2_200_000) } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { title: string; errors: Array<{ path: string; message: string }> };
    expect(problem.title).toContain('at most 2097152');
    expect(problem.errors).toEqual([{ path: 'input', message: expect.stringContaining('2200011 bytes') }]);
    const runs = await world.request('GET', '/api/v1/runs?templateId=text-length');
    expect(((await runs.json()) as { items: unknown[] }).items).toEqual([]);
    // Inside the limit, a large input starts a run as any other.
    const started = await world.request('POST', '/api/v1/templates/text-length/runs', { input: { text: 'z'.repeat(1_500_000) } });
    expect(started.status).toBe(201);
    const { runId } = (await started.json()) as { runId: string };
    const done = await world.request('GET', `/api/v1/runs/${runId}/result?wait=30`);
    expect(((await done.json()) as { output: unknown }).output).toBe(1_500_000);
  });

  it('serves a closed run from the run index with the state the workflow holds, and returns its output as the result', async () => {
    const { runId, state } = await runToEnd(world, 'order-digest', { orderId: '42' });
    const handle = world.temporal.client.workflow.getHandle(runId);
    // A closed workflow still answers queries (a worker replays it): the index holds what it answers.
    expect(await handle.query(stateQuery, { wholeOutput: true })).toEqual(state);
    expect(await handle.result()).toEqual({ runId, status: 'completed', output: state.output });
  });
});
