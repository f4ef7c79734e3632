import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { saveTemplate } from '../../src/db/templates.js';
import { awaitRunState, readRunEvents } from '../../src/runs/read-run.js';
import { startRun } from '../../src/runs/start-run.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/connection.js';
import { hasPostgres } from '../support/database.js';
import { expectGapless } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';

/** Starts the worker script in a child process and resolves once it polls. */
function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'worker-process.ts')], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

describe.skipIf(!hasPostgres())('a worker killed mid-run', () => {
  let database: Database;
  let temporal: TemporalHandle;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let admin: postgres.Sql;
  let dbName: string;
  const children: ChildProcess[] = [];
  const held: ServerResponse[] = [];
  const taskQueue = `kill-${randomUUID()}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /first': (_req, res) => json(res, 200, { n: 20 }),
      // The first call hangs (the worker dies meanwhile); the retry on the new worker is answered.
      'GET /slow': (_req, res) => (held.length === 0 ? void held.push(res) : json(res, 200, { n: 22 })),
    });
    admin = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} });
    dbName = `weft_kill_${randomUUID().replaceAll('-', '')}`;
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(inject('postgresUrl'));
    url.pathname = `/${dbName}`;
    database = await openDatabase({ databaseUrl: url.toString() });
    temporal = await connectTemporal(inject('temporalAddress'), inject('temporalNamespace'), { ...loadConfig({}, {}).temporal, taskQueue });
    env = {
      WEFT_CHILD_TASK_QUEUE: taskQueue, WEFT_CHILD_DATABASE_URL: url.toString(), WEFT_CHILD_TEMPORAL_ADDRESS: inject('temporalAddress'),
      WEFT_CHILD_TEMPORAL_NAMESPACE: inject('temporalNamespace'), WEFT_CHILD_BUNDLE: inject('workflowBundlePath'),
    };
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    held.forEach((res) => res.destroy());
    await temporal?.close();
    await database?.close();
    await admin?.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
    await upstream?.close();
  });

  it('completes on a new worker with the same output, without running completed nodes again or losing an event', async () => {
    await saveTemplate(database.db, {
      id: 'survivor', name: 'Survivor',
      nodes: [
        { id: 'first', type: 'http', config: { url: `${upstream.url}/first` } },
        { id: 'slow', type: 'http', needs: ['first'], heartbeatTimeout: '1s', retry: { initialInterval: '100ms' }, config: { url: `${upstream.url}/slow` } },
        { id: 'sum', type: 'transform', needs: ['slow'], config: { value: '{{ nodes.first.output.body.n + nodes.slow.output.body.n }}' } },
      ],
      output: '{{ nodes.sum.output }}',
    });
    const first = await startWorkerProcess(env);
    children.push(first);
    const { runId } = await startRun({ db: database.db, temporal }, { templateId: 'survivor', input: {}, trigger: 'api' });
    await expect.poll(() => held.length, { timeout: 20_000 }).toBe(1);

    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    children.push(await startWorkerProcess(env));

    const readers = { db: database.db, client: temporal.client };
    const state = await awaitRunState(readers, runId, 60_000);
    expect(state).toMatchObject({ status: 'completed', output: 42 });
    expect(upstream.received.filter((r) => r.path === '/first')).toHaveLength(1);
    expect(state.nodes.find((n) => n.id === 'first')?.attempts).toBe(1);
    expect(state.nodes.find((n) => n.id === 'slow')?.attempts).toBe(2);
    expectGapless((await readRunEvents(readers, runId, 0)).items, state.seq);
  }, 90_000);
});
