import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTemplate } from '../../src/db/templates.js';
import { awaitRunState, readRunEvents } from '../../src/runs/read-run.js';
import { startRun } from '../../src/runs/start-run.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { expectGapless } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

describe('node.progress: live-only events from activity heartbeats', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const live: RunEvent[] = [];

  beforeAll(async () => {
    upstream = await startUpstream({ 'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { done: true }), 1300) });
    world = await startWorld();
    world.bus.subscribe('*', (_runId, event) => live.push(event));
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  it('publishes progress after the node.started it follows, with a sub-sequence, and never stores it', async () => {
    const db = world.database.db;
    await saveTemplate(db, { id: 'slow', name: 'Slow', nodes: [{ id: 'call', type: 'http', config: { url: `${upstream.url}/slow` } }] });
    const { runId } = await startRun({ db, temporal: world.temporal }, { templateId: 'slow', input: {}, trigger: 'api' });
    const readers = { db, client: world.temporal.client };
    const state = await awaitRunState(readers, runId, 30_000);
    expect(state.status).toBe('completed');
    const stored = (await readRunEvents(readers, runId, 0)).items;
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
