import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchesIn, upsertedAttributes } from '../support/histories.js';
import { command, eventsOf, finish, nodeOf, start, trace, waitFor } from '../support/run-control.js';
import { upload } from '../support/runs.js';
import { json, startUpstream } from '../support/upstream.js';
import { startWorld, type World } from '../support/world.js';

describe('operator control: pause, resume, cancel', () => {
  let world: World;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  /** Requests to /gate wait here until the test answers them. */
  const held: Array<{ res: ServerResponse; aborted: boolean }> = [];
  const release = () => held.splice(0).forEach((h) => json(h.res, 200, { released: true }));

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /gate': (_req, res) => {
        const entry = { res, aborted: false };
        res.on('close', () => (entry.aborted = !res.writableEnded));
        held.push(entry);
      },
    });
    world = await startWorld();
    await upload(world, {
      id: 'gated', name: 'Gated',
      nodes: [
        // The node's heartbeat timeout is the default (30 s): a cancel must still reach its request within seconds.
        { id: 'call', type: 'http', config: { url: `${upstream.url}/gate` } },
        { id: 'after', type: 'transform', needs: ['call'], config: { value: '{{ nodes.call.output.body.released }}' } },
      ],
      output: '{{ nodes.after.output }}',
    });
    await upload(world, {
      id: 'bulky', name: 'Bulky',
      nodes: [
        { id: 'text', type: 'transform', config: { value: '{{ $pad("", 20000, "x") }}' } },
        { id: 'wait', type: 'delay', needs: ['text'], config: { duration: '1h' } },
      ],
    });
    await upload(world, {
      id: 'timer', name: 'Timer',
      nodes: [
        { id: 'wait', type: 'delay', config: { duration: '{{ input.wait }}' } },
        { id: 'after', type: 'transform', needs: ['wait'], config: { value: 'done' } },
      ],
      output: '{{ nodes.after.output }}',
    });
  });
  afterAll(async () => {
    release();
    await world?.close();
    await upstream?.close();
  });

  /** The run's `WeftStatus` search attribute as Temporal holds it now (what the Web UI shows and filters on). */
  const weftStatus = async (runId: string) => (await world.temporal.client.workflow.getHandle(runId).describe()).searchAttributes.WeftStatus?.[0];
  /** The run's status as the run index lists it: what `GET /api/v1/runs?status=` filters on. */
  const listedStatus = async (runId: string) => {
    const page = (await (await world.request('GET', '/api/v1/runs?templateId=gated&limit=100')).json()) as { items: Array<{ runId: string; status: string }> };
    return page.items.find((r) => r.runId === runId)?.status;
  };
  const listedAs = async (status: string) => {
    const page = (await (await world.request('GET', `/api/v1/runs?status=${status}&limit=100`)).json()) as { items: Array<{ runId: string }> };
    return page.items.map((r) => r.runId);
  };

  it('pauses while a node is in flight: pausing, then paused when it ends; resume runs the rest', async () => {
    const runId = await start(world, 'gated');
    await waitFor(world, runId, () => held.length === 1);
    const pausing = await command(world, runId, 'pause');
    expect(pausing.status).toBe(200);
    expect(pausing.body).toMatchObject({ status: 'pausing', inFlight: ['call'] });
    expect((await command(world, runId, 'pause')).status).toBe(409);
    expect(await weftStatus(runId)).toBe('pausing');
    // The index lists the run as it is, as soon as the command has answered.
    expect(await listedStatus(runId)).toBe('pausing');
    expect(await listedAs('pausing')).toContain(runId);
    release();
    const paused = await waitFor(world, runId, (s) => s.status === 'paused');
    expect(nodeOf(paused, 'call').status).toBe('completed');
    expect(nodeOf(paused, 'after').status).toBe('pending');
    expect(await weftStatus(runId)).toBe('paused');
    await expect.poll(() => listedAs('paused')).toContain(runId);
    expect(await listedAs('running')).not.toContain(runId);
    const resumed = await command(world, runId, 'resume');
    expect(resumed.status).toBe(200);
    // Running again, or already completed: the rest is one transform.
    expect(['running', 'completed']).toContain(await listedStatus(runId));
    const { state, events } = await finish(world, runId);
    expect(state).toMatchObject({ status: 'completed', output: true });
    expect(await weftStatus(runId)).toBe('completed');
    expect(await listedStatus(runId)).toBe('completed');
    expect(trace(events)).toEqual([
      'run.started', 'node.started:call', 'run.pausing', 'node.completed:call', 'run.paused', 'run.resumed',
      'node.started:after', 'node.completed:after', 'run.completed',
    ]);
  });

  it('pauses a map: it starts no more items, is paused once those in flight end, and goes on at resume', async () => {
    await upload(world, {
      id: 'gated-map', name: 'Gated map',
      nodes: [{ id: 'each', type: 'map', config: { items: '{{ [1..6] }}', concurrency: 2, node: { type: 'http', config: { url: `${upstream.url}/gate` } } } }],
      output: '{{ $count(nodes.each.output) }}',
    });
    const runId = await start(world, 'gated-map');
    await expect.poll(() => held.length).toBe(2);
    expect((await command(world, runId, 'pause')).body.status).toBe('pausing');
    release();
    const paused = await waitFor(world, runId, (s) => s.status === 'paused');
    expect(paused.inFlight).toEqual([]);
    expect(nodeOf(paused, 'each').status).toBe('running');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(held.length).toBe(0);
    expect((await command(world, runId, 'resume')).body.status).toBe('running');
    for (let answered = 2; answered < 6; answered += 2) {
      await expect.poll(() => held.length).toBe(2);
      release();
    }
    const { state, events } = await finish(world, runId);
    expect(state.output).toBe(6);
    expect(trace(events).filter((t) => t.startsWith('run.'))).toEqual(['run.started', 'run.pausing', 'run.paused', 'run.resumed', 'run.completed']);
  });

  it('pauses during a timer at once (a timer is waiting, not running); the timer still fires', async () => {
    const runId = await start(world, 'timer', { wait: '1s' });
    await waitFor(world, runId, (s) => nodeOf(s, 'wait').status === 'waiting');
    expect((await command(world, runId, 'pause')).body.status).toBe('paused');
    const fired = await waitFor(world, runId, (s) => nodeOf(s, 'wait').status === 'completed');
    expect(fired.status).toBe('paused');
    expect(nodeOf(fired, 'after').status).toBe('pending');
    expect((await command(world, runId, 'resume')).status).toBe(200);
    const { state, events } = await finish(world, runId);
    expect(state.output).toBe('done');
    expect(trace(events)).toContain('node.waiting:wait');
  });

  it('answers 409 for a resume of a running run and for anything on a finished run, 404 for unknown runs and nodes', async () => {
    const runId = await start(world, 'timer', { wait: '300ms' });
    const resume = await command(world, runId, 'resume');
    expect(resume.status).toBe(409);
    expect(resume.body.title).toMatch(/not paused/);
    expect((await command(world, runId, 'nodes/nope/skip')).status).toBe(404);
    expect((await command(world, runId, 'nodes/after/retry')).status).toBe(409);
    await finish(world, runId);
    for (const path of ['pause', 'resume', 'cancel', 'nodes/wait/retry', 'nodes/wait/skip']) {
      const res = await command(world, runId, path);
      expect(res.status, path).toBe(409);
      expect(res.body.title).toBe('the run has ended (completed): it takes no more commands');
    }
    expect((await command(world, runId, 'nodes/nope/skip')).status).toBe(404);
    expect((await command(world, 'no-such-run', 'pause')).status).toBe(404);
  });

  it('says how a run ended that Temporal closed from outside, before the run index knows', async () => {
    const runId = await start(world, 'timer', { wait: '1h' });
    await waitFor(world, runId, (s) => nodeOf(s, 'wait').status === 'waiting');
    await world.temporal.client.workflow.getHandle(runId).terminate('gone');
    const res = await command(world, runId, 'pause');
    expect([res.status, res.body.title]).toEqual([409, 'the run has ended (cancelled): it takes no more commands']);
  });

  it('cancels during an activity: the request is aborted, nothing after it runs', async () => {
    const runId = await start(world, 'gated');
    // Once the request has reported progress, its first heartbeat is sent: later ones are throttled.
    await new Promise<void>((resolve) => {
      const stop = world.bus.subscribe(runId, (_id, event) => {
        if (event.type !== 'node.progress') return;
        stop();
        resolve();
      });
    });
    const entry = held[0]!;
    const cancelled = await command(world, runId, 'cancel', { reason: 'operator said so' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const { state, events } = await finish(world, runId);
    expect(state.nodes.map((n) => n.status)).toEqual(['cancelled', 'cancelled']);
    expect(trace(events).slice(-3)).toEqual(['node.cancelled:call', 'node.cancelled:after', 'run.cancelled']);
    // The activity sees the cancellation on its next heartbeat, at most a second later, and aborts the request.
    await expect.poll(() => entry.aborted, { timeout: 5000 }).toBe(true);
    held.splice(0);
    expect(await weftStatus(runId)).toBe('cancelled');
  });

  it('cancels a pausing run without a pause on the way: its cancelled node draining is not the run pausing', async () => {
    const runId = await start(world, 'gated');
    await waitFor(world, runId, (s) => nodeOf(s, 'call').status === 'running' && held.length > 0);
    expect((await command(world, runId, 'pause')).body.status).toBe('pausing');
    expect((await command(world, runId, 'cancel')).body.status).toBe('cancelled');
    const { events } = await finish(world, runId);
    expect(trace(events).filter((e) => e.startsWith('run.'))).toEqual(['run.started', 'run.pausing', 'run.cancelled']);
    expect(await weftStatus(runId)).toBe('cancelled');
    held.splice(0);
  });

  it('cancels during a timer (after a pause and a resume, which the search attribute follows)', async () => {
    const runId = await start(world, 'timer', { wait: '1h' });
    await waitFor(world, runId, (s) => nodeOf(s, 'wait').status === 'waiting');
    expect(await weftStatus(runId)).toBe('running');
    expect((await command(world, runId, 'pause')).body.status).toBe('paused');
    expect(await weftStatus(runId)).toBe('paused');
    expect((await command(world, runId, 'resume')).body.status).toBe('running');
    expect(await weftStatus(runId)).toBe('running');
    expect((await command(world, runId, 'cancel')).body.status).toBe('cancelled');
    const { state } = await finish(world, runId);
    expect(nodeOf(state, 'wait').status).toBe('cancelled');
    expect((await eventsOf(world, runId)).at(-1)?.type).toBe('run.cancelled');
    // The run started on the latest revision: it has the lean lifecycle and the moving status without a marker.
    const history = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    expect(patchesIn(history)).toEqual(new Set());
    expect(upsertedAttributes(history)).toEqual(['WeftStatus', 'WeftStatus', 'WeftStatus']);
  });

  it('answers a command with the outputs, which the history of the run does not keep', async () => {
    const runId = await start(world, 'bulky');
    await waitFor(world, runId, (s) => nodeOf(s, 'wait').status === 'waiting');
    const paused = await command(world, runId, 'pause');
    expect(paused.body.status).toBe('paused');
    expect(nodeOf(paused.body, 'text').output).toBe('x'.repeat(20_000));
    expect((await command(world, runId, 'cancel')).body).toMatchObject({ status: 'cancelled', nodes: [{ id: 'text', output: 'x'.repeat(20_000) }, { id: 'wait', status: 'cancelled' }] });
    // Each update's answer is in history: the run's state, without its 20 KB output.
    const { events } = await world.temporal.client.workflow.getHandle(runId).fetchHistory();
    const answers = events!.flatMap((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads ?? []);
    expect(answers).toHaveLength(2);
    for (const answer of answers) {
      const state = JSON.parse(Buffer.from(answer.data!).toString()) as { status: string; nodes: Array<{ id: string; output?: unknown }> };
      expect(state.nodes.map((n) => n.id)).toEqual(['text', 'wait']);
      expect(state.nodes.every((n) => n.output === undefined)).toBe(true);
      expect(answer.data!.length).toBeLessThan(2_000);
    }
  });
});
