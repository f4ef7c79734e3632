import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf } from '../support/problem.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/** Values that reach the database unless the API stops them: each is a clear problem, never a 500. */
describe('request values the database cannot take', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await upload(world, { id: 'bounded', name: 'Bounded', nodes: [{ id: 'a', type: 'transform', config: { value: 1 } }] });
  });
  afterAll(async () => world?.close());

  it('refuses versions and seqs past a stored integer, at their path', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '/api/v1/runs/some-run/events?after=3000000000', undefined, 'query.after'],
      ['GET', '/api/v1/templates/bounded/versions/3000000000', undefined, 'param.version'],
      ['POST', '/api/v1/templates/bounded/runs', { version: 3_000_000_000 }, 'version'],
    ];
    for (const [method, path, body, at] of cases) {
      const res = await world.request(method, path, body);
      expect([path, res.status]).toEqual([path, 422]);
      expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual([at]);
    }
    const stream = await world.request('GET', '/api/v1/runs/some-run/events?after=3000000000', undefined, { accept: 'text/event-stream' });
    expect(stream.status).toBe(422);
    expect((await problemOf(stream)).errors?.map((e) => e.path)).toEqual(['query.after']);
  });

  it('reads numbers in a query or path only as decimal digits: an empty value, spaces, hex or an exponent are refused at their path', async () => {
    const { runId } = await (await world.request('POST', '/api/v1/templates/bounded/runs', {})).json() as { runId: string };
    const cases: Array<[string, string]> = [
      [`/api/v1/runs/${runId}/events?after=`, 'query.after'],
      [`/api/v1/runs/${runId}/events?after=%200`, 'query.after'],
      [`/api/v1/runs/${runId}/events?after=0x1`, 'query.after'],
      [`/api/v1/runs/${runId}/events?after=1e1`, 'query.after'],
      [`/api/v1/runs/${runId}/result?wait=`, 'query.wait'],
      [`/api/v1/runs/${runId}/result?wait=0x1`, 'query.wait'],
      [`/api/v1/runs/${runId}/result?wait=.5`, 'query.wait'],
      [`/api/v1/runs/${runId}/room?after=`, 'query.after'],
      [`/api/v1/runs/${runId}/room?after=1e20`, 'query.after'],
      ['/api/v1/runs?limit=', 'query.limit'],
      ['/api/v1/runs?limit=1e1', 'query.limit'],
      ['/api/v1/templates?limit=0x10', 'query.limit'],
      ['/api/v1/templates/bounded/versions/0x1', 'param.version'],
      ['/api/v1/templates/bounded/versions/1.0', 'param.version'],
    ];
    for (const [path, at] of cases) {
      const res = await world.request('GET', path);
      expect([path, res.status]).toEqual([path, 422]);
      expect([path, (await problemOf(res)).errors?.map((e) => e.path)]).toEqual([path, [at]]);
    }
    for (const after of ['', '0x1', '1e1']) {
      const stream = await world.request('GET', `/api/v1/runs/${runId}/events?after=${after}`, undefined, { accept: 'text/event-stream' });
      expect([after, stream.status]).toEqual([after, 422]);
      expect((await problemOf(stream)).errors?.map((e) => e.path)).toEqual(['query.after']);
    }
    // An empty filter is refused rather than read as no filter, which would list every run.
    for (const filter of ['templateId', 'parentRunId']) {
      const res = await world.request('GET', `/api/v1/runs?${filter}=`);
      expect([filter, res.status]).toEqual([filter, 422]);
      expect((await problemOf(res)).errors).toEqual([expect.objectContaining({ path: `query.${filter}`, message: expect.stringContaining('is empty') })]);
    }
    // A number out of range is told its range, not how to write a number.
    const zero = await problemOf(await world.request('GET', '/api/v1/templates/bounded/versions/0'));
    expect(zero.errors).toEqual([{ path: 'param.version', message: expect.stringMatching(/>=\s*1/) }]);
    expect((await problemOf(await world.request('GET', `/api/v1/runs/${runId}/result?wait=301`))).errors?.[0]?.message).toMatch(/<=\s*300/);
    // Decimal digits, leading zeros and a fractional wait are as they were.
    for (const path of [`/api/v1/runs/${runId}/events?after=007`, `/api/v1/runs/${runId}/result?wait=0.5`, `/api/v1/runs/${runId}/room?after=0`, '/api/v1/runs?limit=10', '/api/v1/templates/bounded/versions/1']) {
      expect([path, (await world.request('GET', path)).status]).toEqual([path, 200]);
    }
  });

  it('answers a path holding NUL as naming nothing, and a query value holding it as invalid there', async () => {
    for (const path of ['/api/v1/runs/a%00b', '/api/v1/templates/a%00', '/api/v1/runs/a%00/events']) {
      const res = await world.request('GET', path);
      expect([path, res.status]).toEqual([path, 404]);
      expect((await problemOf(res)).type).toBe('https://weft.dev/problems/not-found');
    }
    for (const [path, at] of [['/api/v1/runs?templateId=%00', 'query.templateId'], ['/api/v1/templates?cursor=x%00', 'query.cursor']] as const) {
      const res = await world.request('GET', path);
      expect([path, res.status]).toEqual([path, 422]);
      expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual([at]);
    }
  });

  it('refuses a run cursor whose time PostgreSQL cannot compare, as one the API never issued', async () => {
    const cursor = (at: string) => Buffer.from(JSON.stringify([at, 'some-run'])).toString('base64url');
    for (const at of ['0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2026-01-01']) {
      const res = await world.request('GET', `/api/v1/runs?cursor=${cursor(at)}`);
      expect([at, res.status]).toEqual([at, 400]);
      expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['cursor']);
    }
    expect((await world.request('GET', `/api/v1/runs?cursor=${cursor('2026-01-01T00:00:00.000Z')}`)).status).toBe(200);
  });

  it('refuses a value nested thousands deep, at the path where it passes the limit, and starts or changes nothing', async () => {
    await upload(world, { id: 'held', name: 'Held', nodes: [{ id: 'ask', type: 'approval', config: { prompt: 'ok?' } }], output: '{{ nodes.ask.output.decision }}' });
    // Written as text: the test's own JSON.stringify would overflow on such a value.
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const json = { 'content-type': 'application/json' };
    const limitPath = (root: string) => `${root}${'[0]'.repeat(256)}`;

    const started = await world.request('POST', '/api/v1/templates/held/runs', `{"input": ${deep(5000)}}`, json);
    expect(started.status).toBe(422);
    expect((await problemOf(started)).errors).toEqual([{ path: limitPath('input'), message: 'nests deeper than 256 levels' }]);
    expect((await (await world.request('GET', '/api/v1/runs?templateId=held')).json() as { items: unknown[] }).items).toEqual([]);

    const { runId } = await (await world.request('POST', '/api/v1/templates/held/runs', `{"input": ${deep(200)}}`, json)).json() as { runId: string };
    await expect.poll(async () => ((await (await world.request('GET', `/api/v1/runs/${runId}`)).json()) as { nodes: Array<{ status: string }> }).nodes[0]?.status).toBe('waiting');
    const commands: Array<[string, string, string]> = [
      ['approve', `{"decision": "approve", "data": ${deep(5000)}}`, 'data'],
      ['skip', `{"output": ${deep(5000)}}`, 'output'],
      ['retry', `{"config": ${deep(5000)}}`, 'config'],
    ];
    for (const [command, body, root] of commands) {
      const res = await world.request('POST', `/api/v1/runs/${runId}/nodes/ask/${command}`, body, json);
      expect([command, res.status]).toEqual([command, 422]);
      expect([command, (await problemOf(res)).errors]).toEqual([command, [{ path: limitPath(root), message: 'nests deeper than 256 levels' }]]);
    }
    // The run still waits for its decision, and takes one.
    const approved = await world.request('POST', `/api/v1/runs/${runId}/nodes/ask/approve`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    const result = await (await world.request('GET', `/api/v1/runs/${runId}/result?wait=10`)).json() as { status: string; output: unknown };
    expect(result).toMatchObject({ status: 'completed', output: 'approve' });
  });

  it('reads a body said to be JSON but empty as no body: commands whose body is optional run, others name what is missing', async () => {
    await upload(world, { id: 'asked', name: 'Asked', nodes: [{ id: 'ask', type: 'approval', config: { prompt: 'ok?' } }] });
    const json = { 'content-type': 'application/json' };
    expect((await world.request('POST', '/api/v1/runs/nope/pause', undefined, json)).status).toBe(404);
    // Blank is empty too, however it is framed; and an unknown run is a 404 before an approval's body is checked.
    expect((await world.request('POST', '/api/v1/runs/nope/pause', ' \n\t ', { ...json, 'content-length': '4' })).status).toBe(404);
    expect((await world.request('POST', '/api/v1/runs/nope/nodes/ask/approve', undefined, json)).status).toBe(404);
    expect((await world.request('POST', '/api/v1/runs/nope/nodes/ask/approve', { decision: 'maybe' })).status).toBe(404);
    const { runId } = await (await world.request('POST', '/api/v1/templates/asked/runs', undefined, json)).json() as { runId: string };
    expect(runId).toEqual(expect.any(String));
    await expect.poll(async () => ((await (await world.request('GET', `/api/v1/runs/${runId}`)).json()) as { nodes: Array<{ status: string }> }).nodes[0]?.status).toBe('waiting');
    const approved = await world.request('POST', `/api/v1/runs/${runId}/nodes/ask/approve`, undefined, json);
    expect(approved.status).toBe(422);
    expect((await problemOf(approved)).errors?.map((e) => e.path)).toEqual(['decision']);
    const paused = await world.request('POST', `/api/v1/runs/${runId}/pause`, undefined, json);
    expect([paused.status, ((await paused.json()) as { status: string }).status]).toEqual([200, 'paused']);
    expect((await world.request('POST', `/api/v1/runs/${runId}/cancel`, undefined, { ...json, 'content-length': '0' })).status).toBe(200);
  });

  it('measures a template upload in bytes: many multi-byte characters are too large (413), not invalid', async () => {
    const res = await world.request('POST', '/api/v1/templates', { id: 'wide', name: 'Wide', description: 'é'.repeat(600_000), nodes: [{ id: 'a', type: 'transform', config: { value: 1 } }] });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).type).toBe('https://weft.dev/problems/payload-too-large');
  });
});
