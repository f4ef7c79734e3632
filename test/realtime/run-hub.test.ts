import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/realtime/event-bus.js';
import type { ServerMessage } from '../../src/realtime/protocol.js';
import { isLiveOnly, RunHubs, type RunSource } from '../../src/realtime/run-hub.js';
import { Subscription } from '../../src/realtime/subscription.js';
import { readAllRunEvents, readRunState } from '../../src/runs/read-run.js';
import type { RunEvent, RunState } from '../../src/workflows/state.js';
import { expectGapless, upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

/** An upstream whose answers wait until the test lets each path go. */
async function heldUpstream() {
  const waiting = new Map<string, ServerResponse>();
  const upstream = await startUpstream({
    'GET /a': (_req, res) => void waiting.set('/a', res),
    'GET /b': (_req, res) => void waiting.set('/b', res),
  });
  return {
    ...upstream,
    /** Resolves once the path's request came in (its node started). */
    arrived: (path: string) => expect.poll(() => waiting.has(path)).toBe(true),
    release(path: string) {
      json(waiting.get(path)!, 200, { path });
      waiting.delete(path);
    },
  };
}

/**
 * The run's real source, with a hand on its reads: `hold()` makes the next read of events read, then wait until
 * `let()` before it answers (as a read that started before the events it misses); `failNext()` makes it fail.
 */
function steeredSource(world: World) {
  const readers = { db: world.database.db, client: world.temporal.client };
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  let read: () => void = () => {};
  let fail = false;
  let failing = false;
  let reads = 0;
  const source: RunSource = {
    async events(runId, afterSeq) {
      reads++;
      if (fail || failing) {
        fail = false;
        throw new Error('the source could not be read');
      }
      const events = await readAllRunEvents(readers, runId, afterSeq);
      read();
      if (gate) await gate;
      return events;
    },
    state: (runId) => readRunState(readers, runId),
  };
  return {
    source,
    /** Holds the next read's answer; resolves once that read has read. */
    hold(): Promise<void> {
      gate = new Promise((resolve) => (open = resolve));
      return new Promise((resolve) => (read = resolve));
    },
    let() {
      gate = undefined;
      open();
    },
    failNext() {
      fail = true;
    },
    /** Makes every read fail until called with false. */
    failAll(on: boolean) {
      failing = on;
    },
    /** How many times the events were read. */
    get reads() {
      return reads;
    },
  };
}

describe('a run hub', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof heldUpstream>>;
  beforeAll(async () => {
    upstream = await heldUpstream();
    world = await startWorld('pglite');
    await upload(world, {
      id: 'held-pair', name: 'Held pair',
      nodes: [
        { id: 'a', type: 'http', config: { method: 'GET', url: `${upstream.url}/a` } },
        { id: 'b', type: 'http', needs: ['a'], config: { method: 'GET', url: `${upstream.url}/b` } },
      ],
    });
  });
  afterAll(async () => {
    await world?.close();
    await upstream?.close();
  });

  /** A live path that loses node `a`'s completion: its hub sees `b` start after a gap. */
  const losingACompletion = () => {
    const bus = new EventBus();
    const stop = world.bus.subscribe('*', (runId, event) => {
      if (event.type !== 'node.completed' || event.nodeId !== 'a') bus.publish(runId, event);
    });
    return { bus, stop };
  };

  /** Starts a run, waits until node `a` asks the upstream, and follows the run on hubs over `source`, with live events from `bus`. */
  async function follow(source: RunSource, bus: EventBus) {
    const started = await world.request('POST', '/api/v1/templates/held-pair/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    await upstream.arrived('/a');
    // No idle check within the test: what the hub misses, it must find without one.
    const hubs = new RunHubs(bus, source, 600_000);
    // The run's sequenced events; activity progress comes and goes live and is not what this is about.
    const seen: RunEvent[] = [];
    const { hub, leave } = hubs.join(runId, (event) => {
      if (!isLiveOnly(event)) seen.push(event);
    });
    await hub.repair();
    expect(seen.map((e) => e.type)).toEqual(['run.started', 'node.started']);
    return { hub, seen, leave };
  }

  it('delivers the live events that came while a repair was reading, as soon as the repair ends', async () => {
    const steered = steeredSource(world);
    const { hub, seen, leave } = await follow(steered.source, world.bus);
    const reading = steered.hold();
    const repairing = hub.repair();
    await reading;
    // Node a completes and b starts while the repair's answer, read before them, is held back.
    upstream.release('/a');
    await upstream.arrived('/b');
    steered.let();
    await repairing;
    expect(seen.map((e) => [e.seq, e.type, e.nodeId])).toEqual([
      [1, 'run.started', undefined], [2, 'node.started', 'a'], [3, 'node.completed', 'a'], [4, 'node.started', 'b'],
    ]);
    upstream.release('/b');
    await expect.poll(() => seen.at(-1)?.type).toBe('run.completed');
    expectGapless(seen, seen.at(-1)!.seq);
    leave();
  });

  it('reads a failing source less and less often while it holds events after a gap', async () => {
    const steered = steeredSource(world);
    const { bus, stop } = losingACompletion();
    const { seen, leave } = await follow(steered.source, bus);
    steered.failAll(true);
    const before = steered.reads;
    upstream.release('/a');
    await upstream.arrived('/b');
    await new Promise((r) => setTimeout(r, 2_000));
    // At 250 ms, then 500, 1,000, 2,000 apart: at most four reads in the first two seconds, where a fixed
    // 250 ms would make eight.
    expect(steered.reads - before).toBeLessThanOrEqual(4);
    steered.failAll(false);
    await expect.poll(() => seen.map((e) => e.seq), { timeout: 10_000 }).toEqual([1, 2, 3, 4]);
    upstream.release('/b');
    await expect.poll(() => seen.at(-1)?.type).toBe('run.completed');
    leave();
    stop();
  });

  it('stops checking a closed run once a subscriber has caught up with its last event', async () => {
    const started = await world.request('POST', '/api/v1/templates/held-pair/runs', { input: {} });
    const { runId } = (await started.json()) as { runId: string };
    await upstream.arrived('/a');
    upstream.release('/a');
    await upstream.arrived('/b');
    upstream.release('/b');
    expect(((await (await world.request('GET', `/api/v1/runs/${runId}/result?wait=10`)).json()) as RunState).status).toBe('completed');
    const readers = { db: world.database.db, client: world.temporal.client };
    let reads = 0;
    const source: RunSource = {
      events: (id, afterSeq) => {
        reads++;
        return readAllRunEvents(readers, id, afterSeq);
      },
      state: (id) => readRunState(readers, id),
    };
    // An idle check every 100 ms: a hub that kept checking would read the closed run's events again and again.
    const hubs = new RunHubs(world.bus, source, 100);
    const frames: ServerMessage[] = [];
    const subscription = new Subscription(hubs, runId, (frame) => frames.push(frame));
    await subscription.start();
    expect(frames.map((f) => f.type)).toEqual(['snapshot']);
    const afterJoin = reads;
    await new Promise((r) => setTimeout(r, 600));
    expect(reads).toBe(afterJoin);
    subscription.close();
  });

  it('reads again soon when a repair fails and leaves a gap before events it holds', async () => {
    const steered = steeredSource(world);
    const { bus, stop } = losingACompletion();
    const { seen, leave } = await follow(steered.source, bus);
    steered.failNext();
    upstream.release('/a');
    await upstream.arrived('/b');
    await expect.poll(() => seen.map((e) => e.seq), { timeout: 3_000 }).toEqual([1, 2, 3, 4]);
    upstream.release('/b');
    await expect.poll(() => seen.at(-1)?.type).toBe('run.completed');
    expectGapless(seen, seen.at(-1)!.seq);
    leave();
    stop();
  });
});
