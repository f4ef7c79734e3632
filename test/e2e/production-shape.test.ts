import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasPostgres, openTestDatabase, type TestDatabase } from '../support/database.js';
import { startWeftProcess, type WeftProcess } from '../support/processes.js';
import { json, startUpstream } from '../support/upstream.js';
import { eventsOf, runEnded, TestSocket } from '../support/ws-client.js';

const ready = { api: /Weft API on (http:\/\/\S+) /, worker: /Weft worker polling/ };

describe.skipIf(!hasPostgres())('the production shape: API and worker processes apart, on PostgreSQL', () => {
  let database: TestDatabase;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let env: Record<string, string>;
  const processes: WeftProcess[] = [];
  let calls = 0;
  let called: () => void;
  const firstCall = new Promise<void>((resolve) => (called = resolve));

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void (calls++, called(), setTimeout(() => json(res, 200, { n: calls }), 1_500)) });
    database = await openTestDatabase('postgres');
    env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      DATABASE_URL: database.url!,
      WEFT_TASK_QUEUE: `prod-${randomUUID()}`,
      PORT: '0',
    };
  });
  afterAll(async () => {
    processes.forEach((p) => p.child.exitCode === null && p.child.kill('SIGKILL'));
    await upstream?.close();
    await database?.close();
  });

  it('runs on workers apart from two API processes; a client of either sees every event once', async () => {
    const [apiA, apiB, worker] = await Promise.all([
      startWeftProcess('api', env, ready.api),
      startWeftProcess('api', env, ready.api),
      startWeftProcess('worker', env, ready.worker),
    ]);
    processes.push(apiA, apiB, worker);
    const [urlA, urlB] = [apiA.match[1]!, apiB.match[1]!];
    const template = {
      id: 'apart', name: 'Apart',
      nodes: [
        { id: 'first', type: 'http', config: { url: `${upstream.url}/slow` } },
        { id: 'second', type: 'transform', needs: ['first'], config: { value: '{{ nodes.first.output.body.n * 10 }}' } },
      ],
      output: '{{ nodes.second.output }}',
    };
    expect((await fetch(`${urlA}/api/v1/templates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(template) })).status).toBe(201);
    const started = await fetch(`${urlA}/api/v1/templates/apart/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{}}' });
    const { runId } = (await started.json()) as { runId: string };

    const client = await TestSocket.open(`${urlB.replace('http', 'ws')}/ws`);
    client.send({ type: 'subscribe', runId, afterSeq: 0 });
    // SIGTERM the worker while the first node is in flight: it finishes that node before it exits.
    // `node.started` leaves the worker when the node is scheduled, which can be before its activity task
    // reaches the worker; the upstream's first request is the sure sign that the node is in flight.
    await client.until((m) => eventsOf(m, runId).some((e) => e.event === 'node.started' && e.nodeId === 'first'));
    await firstCall;
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(calls).toBe(1);

    const next = await startWeftProcess('worker', env, ready.worker);
    processes.push(next);
    const events = eventsOf(await client.until(runEnded(runId), 60_000), runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.event === 'node.started' && e.nodeId === 'first')).toHaveLength(1);
    const state = (await (await fetch(`${urlB}/api/v1/runs/${runId}`)).json()) as { status: string; output: unknown; nodes: Array<{ id: string; attempts: number }> };
    expect(state).toMatchObject({ status: 'completed', output: 10 });
    expect(calls).toBe(1);
    client.close();

    for (const p of [apiA, apiB, next]) p.child.kill('SIGTERM');
    expect(await Promise.all([apiA.exited, apiB.exited, next.exited])).toEqual([0, 0, 0]);
  }, 180_000);
});
