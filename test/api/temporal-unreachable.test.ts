import { Client, Connection, makeGrpcRetryInterceptor } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { freePort } from '../support/ports.js';
import { problemOf } from '../support/problem.js';
import { upload } from '../support/runs.js';
import { startWorld, type World } from '../support/world.js';

/**
 * The API with Temporal out of reach: a second app over the world's database, whose client points at a port
 * nothing listens on (and gives up at once, where the real client retries for about 20 s).
 */
describe('the API when Temporal cannot be reached', () => {
  let world: World;
  let connection: Connection;
  let cut: ReturnType<typeof createApp>;

  beforeAll(async () => {
    world = await startWorld();
    await upload(world, { id: 'asks', name: 'Asks', nodes: [{ id: 'ask', type: 'approval', config: { prompt: 'ok?' } }] });
    connection = Connection.lazy({
      address: `127.0.0.1:${await freePort()}`,
      interceptors: [makeGrpcRetryInterceptor({ delayFunction: () => 0, retryableDecider: () => false })],
    });
    const client = new Client({ connection, namespace: world.temporal.namespace });
    const temporal = { client, connection, namespace: world.temporal.namespace, taskQueue: world.taskQueue, close: () => connection.close() };
    cut = createApp({ db: world.database, temporal, bus: world.bus, hubs: world.hubs, rooms: world.rooms });
  });
  afterAll(async () => {
    await connection?.close();
    await world?.close();
  });

  it('answers 503 with a Retry-After, naming Temporal, to reads, starts and commands alike, and leaves no run behind', async () => {
    const { runId } = await (await world.request('POST', '/api/v1/templates/asks/runs', {})).json() as { runId: string };
    const json = { 'content-type': 'application/json' };
    const requests: Array<[string, string, string | undefined]> = [
      ['GET', `/api/v1/runs/${runId}`, undefined],
      ['POST', `/api/v1/runs/${runId}/nodes/ask/approve`, '{"decision": "approve"}'],
      ['POST', '/api/v1/templates/asks/runs', '{}'],
    ];
    for (const [method, path, body] of requests) {
      const res = await cut.request(path, { method, headers: body ? json : {}, body });
      expect([path, res.status, res.headers.get('retry-after')]).toEqual([path, 503, '5']);
      const problem = await problemOf(res);
      expect(problem.type).toBe('https://weft.dev/problems/unavailable');
      expect(problem.title).toContain('Temporal cannot be reached');
    }
    // The refused start's row is gone: the index lists the one run Temporal has.
    const listed = await (await world.request('GET', '/api/v1/runs?templateId=asks')).json() as { items: Array<{ runId: string }> };
    expect(listed.items.map((r) => r.runId)).toEqual([runId]);
  });
});
