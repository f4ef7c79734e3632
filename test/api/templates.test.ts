import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { openTestDatabase } from '../support/database.js';
import { problemOf } from '../support/problem.js';
import { startWorld, type World } from '../support/world.js';

const valid = { id: 'greet', name: 'Greet', nodes: [{ id: 'say', type: 'transform', config: { value: 'hello {{ input.name }}' } }] };

describe('template routes', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('creates version 1, returns it again unchanged (200), and versions a change (201)', async () => {
    const first = await world.request('POST', '/api/v1/templates', valid);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe('/api/v1/templates/greet/versions/1');
    const again = await world.request('POST', '/api/v1/templates', valid);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { version: number }).version).toBe(1);
    const changed = await world.request('POST', '/api/v1/templates', { ...valid, name: 'Greet people' });
    expect(changed.status).toBe(201);
    expect(((await changed.json()) as { version: number }).version).toBe(2);

    const latest = (await (await world.request('GET', '/api/v1/templates/greet')).json()) as { version: number; definition: { name: string } };
    expect([latest.version, latest.definition.name]).toEqual([2, 'Greet people']);
    const v1 = (await (await world.request('GET', '/api/v1/templates/greet/versions/1')).json()) as { definition: { name: string } };
    expect(v1.definition.name).toBe('Greet');
    const versions = (await (await world.request('GET', '/api/v1/templates/greet/versions')).json()) as { items: Array<{ version: number }> };
    expect(versions.items.map((v) => v.version)).toEqual([1, 2]);
  });

  it('keeps the version when only defaults are written out: an empty needs, onError fail, maxParallel 10', async () => {
    const plain = { id: 'spelled', name: 'Spelled', nodes: [{ id: 'a', type: 'transform', config: { value: 1 } }, { id: 'b', type: 'transform', needs: ['a'], onError: 'continue', config: { value: 2 } }] };
    expect((await world.request('POST', '/api/v1/templates', plain)).status).toBe(201);
    const spelled = { ...plain, maxParallel: 10, nodes: [{ ...plain.nodes[0], needs: [], onError: 'fail' }, plain.nodes[1]] };
    const again = await world.request('POST', '/api/v1/templates', spelled);
    expect([again.status, ((await again.json()) as { version: number }).version]).toEqual([200, 1]);
    // What changes behaviour is a new version.
    const changed = await world.request('POST', '/api/v1/templates', { ...plain, maxParallel: 2 });
    expect([changed.status, ((await changed.json()) as { version: number }).version]).toEqual([201, 2]);
  });

  it('reports YAML syntax errors with line and column', async () => {
    const res = await world.request('POST', '/api/v1/templates', 'id: broken\nname: [unclosed\nnodes: []\n');
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    // The unclosed flow sequence is found where the document goes on without its `]`.
    expect(body.errors).toEqual([expect.objectContaining({ path: '(root)', line: 3, column: 1 })]);
  });

  it('reports every schema problem at once with its path and line', async () => {
    const yaml = ['id: Bad Id', 'name: x', 'nodes:', '  - id: a', '    type: http', '    config: { method: FETCH }', '  - id: b', '    type: nope', '    needs: [zzz]', ''].join('\n');
    const res = await world.request('POST', '/api/v1/templates', yaml);
    expect(res.status).toBe(422);
    const body = await problemOf(res);
    const located = (body.errors ?? []).map((e) => `${e.path}@${e.line}`).sort();
    expect(located).toEqual(['id@1', 'nodes[0].config.method@6', 'nodes[0].config.url@6', 'nodes[1].config@7', 'nodes[1].needs[0]@9', 'nodes[1].type@8']);
  });

  it('refuses a body in a media type the route does not take, naming the header and what to send', async () => {
    for (const [path, type] of [['/api/v1/templates', 'text/plain'], ['/api/v1/templates/greet/runs', 'application/x-www-form-urlencoded']] as const) {
      const res = await world.request('POST', path, 'id: x', { 'content-type': type });
      expect(res.status, path).toBe(415);
      const body = await problemOf(res);
      expect(body.type).toBe('https://weft.dev/problems/unsupported-media-type');
      expect(body.errors).toEqual([{ path: 'headers.content-type', message: expect.stringContaining(`"${type}" is not taken here: send application/json`) }]);
    }
  });

  it('refuses a template holding the NUL character at its path, and stores nothing', async () => {
    const res = await world.request('POST', '/api/v1/templates', { ...valid, id: 'nul', name: 'a\u0000b' });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors).toEqual([expect.objectContaining({ path: 'name', message: expect.stringContaining('U+0000') })]);
    expect((await world.request('GET', '/api/v1/templates/nul')).status).toBe(404);
  });

  it('validates without storing', async () => {
    const ok = await world.request('POST', '/api/v1/templates/validate', { ...valid, id: 'not-stored' });
    expect(ok.status).toBe(200);
    expect((await world.request('GET', '/api/v1/templates/not-stored')).status).toBe(404);
    const bad = await world.request('POST', '/api/v1/templates/validate', { ...valid, nodes: [] });
    expect(bad.status).toBe(422);
  });

  it('lists templates with cursor pagination', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) expect((await world.request('POST', '/api/v1/templates', { ...valid, id })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await world.request('GET', `/api/v1/templates?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
  });

  it('archives: no new runs (409), history kept', async () => {
    await world.request('POST', '/api/v1/templates', { ...valid, id: 'retired' });
    expect((await world.request('DELETE', '/api/v1/templates/retired')).status).toBe(204);
    const start = await world.request('POST', '/api/v1/templates/retired/runs', { input: {} });
    expect(start.status).toBe(409);
    expect((await problemOf(start)).type).toMatch(/conflict$/);
    expect((await world.request('GET', '/api/v1/templates/retired/versions/1')).status).toBe(200);
    // The template and the list say when, alike.
    const one = (await (await world.request('GET', '/api/v1/templates/retired')).json()) as { archived: boolean; archivedAt: string };
    const listed = (await (await world.request('GET', '/api/v1/templates?includeArchived=true&limit=200')).json()) as { items: Array<{ id: string; archivedAt: string }> };
    expect(one).toMatchObject({ archived: true, archivedAt: listed.items.find((t) => t.id === 'retired')?.archivedAt });
    expect(Date.parse(one.archivedAt)).toBeGreaterThan(0);
    expect((await world.request('DELETE', '/api/v1/templates/never-was')).status).toBe(404);
  });

  it('rejects a malformed run request with the path of what is wrong', async () => {
    const res = await world.request('POST', '/api/v1/templates/greet/runs', { input: {}, version: 'two' });
    expect(res.status).toBe(422);
    expect((await problemOf(res)).errors?.map((e) => e.path)).toEqual(['version']);
  });

  it('says where a JSON body that does not parse breaks, by line and column', async () => {
    const res = await world.request('POST', '/api/v1/templates/greet/runs', '{\n  "input": {},\n  oops\n}', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.type).toBe('https://weft.dev/problems/bad-request');
    expect(body.errors).toEqual([{ path: '(body)', message: expect.stringContaining('JSON'), line: 3, column: 3 }]);
    // Mistakes whose place JSON.parse does not say: a comma before a closing bracket, a word cut short.
    for (const [text, line, column] of [['{\n  "name": "T",\n  "nodes": [{ "id": "a" },]\n}', 3, 27], ['{ "input": tru }', 1, 15]] as const) {
      const located = await problemOf(await world.request('POST', '/api/v1/templates', text, { 'content-type': 'application/json' }));
      expect([text, located.errors?.map((e) => [e.line, e.column])]).toEqual([text, [[line, column]]]);
    }
  });

  it('serves the language schema, the node catalog and the OpenAPI document', async () => {
    const schema = (await (await world.request('GET', '/api/v1/schema/template.json')).json()) as { $schema?: string; properties?: Record<string, unknown> };
    expect(schema.properties).toHaveProperty('nodes');
    const catalog = (await (await world.request('GET', '/api/v1/node-types')).json()) as { items: Array<{ type: string }> };
    expect(catalog.items.map((n) => n.type)).toEqual(expect.arrayContaining(['http', 'transform', 'delay', 'approval', 'map', 'subworkflow']));
    const openapi = (await (await world.request('GET', '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/templates', '/api/v1/templates/{id}/runs', '/api/v1/runs/{runId}', '/health', '/ready']));
  });

  it('answers health and readiness', async () => {
    expect(await (await world.request('GET', '/health')).json()).toEqual({ status: 'ok' });
    expect(await (await world.request('GET', '/ready')).json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  it('is not ready (503) and says which dependency fails when the database is gone', async () => {
    const gone = await openTestDatabase('pglite');
    await gone.close();
    const app = createApp({ db: gone, temporal: world.temporal, bus: world.bus, hubs: world.hubs, rooms: world.rooms });
    const res = await app.request('/ready');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: { database: string; temporal: string } };
    expect(body.checks.temporal).toBe('ok');
    expect(body.checks.database).toMatch(/^failing: /);
  });
});
