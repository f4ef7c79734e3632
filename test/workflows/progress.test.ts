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
  const liveOf = new Map<string, RunEvent[]>();

  beforeAll(async () => {
    let calls = 0;
    upstream = await startUpstream({
      'GET /slow': (_req, res) => void setTimeout(() => json(res, 200, { done: true }), 1300),
      // Slow to fail the first time, slow to answer the next.
      'GET /slow-flaky': (_req, res) => void setTimeout(() => json(res, ++calls === 1 ? 500 : 200, { calls }), 1300),
    });
    world = await startWorld();
    world.bus.subscribe('*', (runId, event) => {
      live.push(event);
      liveOf.set(runId, [...(liveOf.get(runId) ?? []), event]);
    });
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

  it('numbers the live frames of a retried node on from those of its earlier attempts', async () => {
    const db = world.database.db;
    await saveTemplate(db, { id: 'slow-flaky', name: 'Slow flaky', nodes: [{ id: 'call', type: 'http', retry: { initialInterval: '100ms' }, config: { url: `${upstream.url}/slow-flaky` } }] });
    const { runId } = await startRun({ db, temporal: world.temporal }, { templateId: 'slow-flaky', input: {}, trigger: 'api' });
    const state = await awaitRunState({ db, client: world.temporal.client }, runId, 30_000);
    expect(state.nodes[0]).toMatchObject({ status: 'completed', attempts: 2 });
    const frames = (liveOf.get(runId) ?? []).filter((e) => e.sub !== undefined);
    expect(frames.map((e) => e.type)).toContain('node.retrying');
    expect(frames.filter((e) => e.type === 'node.progress').length).toBeGreaterThanOrEqual(2);
    const subs = frames.map((e) => e.sub!);
    expect(new Set(subs).size).toBe(subs.length);
  });

  it('has a map\'s items report progress after the map\'s node.started, each naming its item and numbering its own frames', async () => {
    const db = world.database.db;
    await saveTemplate(db, { id: 'slow-map', name: 'Slow map', nodes: [{ id: 'each', type: 'map', config: { items: [1, 2], concurrency: 2, node: { type: 'http', config: { url: `${upstream.url}/slow` } } } }] });
    const { runId } = await startRun({ db, temporal: world.temporal }, { templateId: 'slow-map', input: {}, trigger: 'api' });
    const readers = { db, client: world.temporal.client };
    const state = await awaitRunState(readers, runId, 30_000);
    expect(state.status).toBe('completed');
    const started = (await readRunEvents(readers, runId, 0)).items.find((e) => e.type === 'node.started' && e.nodeId === 'each')!;
    const frames = (liveOf.get(runId) ?? []).filter((e) => e.type === 'node.progress');
    expect(frames.every((e) => e.seq === started.seq && e.nodeId === 'each')).toBe(true);
    const items = frames.map((e) => (e.data as { item?: number }).item);
    expect(new Set(items)).toEqual(new Set([0, 1]));
    // Frames of both items follow one event: by (seq, sub), none repeats another.
    const subs = frames.map((e) => e.sub!);
    expect(new Set(subs).size).toBe(subs.length);
  });
});
