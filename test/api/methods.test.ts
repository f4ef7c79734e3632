import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemOf } from '../support/problem.js';
import { startWorld, type World } from '../support/world.js';

describe('methods a path does not take', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('answers 405 with Allow and a problem+json listing what the path takes', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/api/v1/templates', 'GET, HEAD, POST'],
      ['GET', '/api/v1/runs/some-run/pause', 'POST'],
      ['POST', '/api/v1/templates/some-template', 'DELETE, GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await world.request(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      const body = await problemOf<{ allowed: string[] }>(res);
      expect(body).toMatchObject({ type: 'https://weft.dev/problems/method-not-allowed', instance: path, allowed: allow.split(', ') });
      expect(body.title).toBe(`${path} does not take ${method}; it takes ${allow}`);
    }
  });

  it('still answers 404 for a path no route serves, and a route that finds nothing still answers its own 404', async () => {
    const unknown = await world.request('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect(((await unknown.json()) as { type: string }).type).toBe('https://weft.dev/problems/not-found');
    const missingRun = await world.request('GET', '/api/v1/runs/no-such-run');
    expect(missingRun.status).toBe(404);
    expect(missingRun.headers.get('allow')).toBeNull();
  });

  it('serves HEAD wherever it serves GET, without a body', async () => {
    for (const path of ['/health', '/api/v1/templates', '/api/v1/node-types', '/openapi.json']) {
      const [get, head] = [await world.request('GET', path), await world.request('HEAD', path)];
      expect([path, head.status]).toEqual([path, get.status]);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(await head.text()).toBe('');
    }
  });
});
