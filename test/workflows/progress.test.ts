import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { saveTemplate } from '../../src/db/templates.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { awaitRunState, readRunEvents } from '../../src/runs/read-run.js';
import { startRun } from '../../src/runs/start-run.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/connection.js';
import { createWorker } from '../../src/temporal/worker.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { expectGapless } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';

describe('node.progress: live-only events from activity heartbeats', () => {
  let database: Database;
  let temporal: TemporalHandle;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let close: () => Promise<void>;
  const live: RunEvent[] = [];

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { done: true }), 1300) });
    const taskQueue = `progress-${randomUUID()}`;
    const temporalConfig = { ...loadConfig({}, {}).temporal, taskQueue };
    database = await openDatabase({ dataDir: null });
    temporal = await connectTemporal(inject('temporalAddress'), inject('temporalNamespace'), temporalConfig);
    const bus = new EventBus();
    bus.subscribe('*', (_runId, event) => live.push(event));
    const { worker, connection } = await createWorker({
      address: inject('temporalAddress'), namespace: inject('temporalNamespace'), taskQueue, temporal: temporalConfig, bus,
      activities: createActivities({ db: database.db, publish: (runId, event) => bus.publish(runId, event) }),
      workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    });
    const running = worker.run();
    close = async () => {
      worker.shutdown();
      await running;
      await connection.close();
    };
  });
  afterAll(async () => {
    await close?.();
    await temporal?.close();
    await database?.close();
    await upstream?.close();
  });

  it('publishes progress after the node.started it follows, with a sub-sequence, and never stores it', async () => {
    await saveTemplate(database.db, { id: 'slow', name: 'Slow', nodes: [{ id: 'call', type: 'http', config: { url: `${upstream.url}/slow` } }] });
    const { runId } = await startRun({ db: database.db, temporal }, { templateId: 'slow', input: {}, trigger: 'api' });
    const readers = { db: database.db, client: temporal.client };
    const state = await awaitRunState(readers, runId, 30_000);
    expect(state.status).toBe('completed');
    const stored = await readRunEvents(readers, runId, 0);
    expectGapless(stored, state.seq);
    expect(stored.some((e) => e.type === 'node.progress')).toBe(false);

    const started = stored.find((e) => e.type === 'node.started')!;
    const progress = live.filter((e) => e.type === 'node.progress' && e.nodeId === 'call');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((e) => e.seq === started.seq)).toBe(true);
    expect(progress.map((e) => e.sub)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.at(-1)?.data).toMatchObject({ elapsedMs: expect.any(Number) as number });
  });
});
