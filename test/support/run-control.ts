import { expect } from 'vitest';
import { everyEvent } from '../../src/runs/read-run.js';
import type { EventPage, RunEvent, RunState } from '../../src/workflows/state.js';
import { expectGapless } from './runs.js';
import type { World } from './world.js';

/** Starts a run through the API and answers with its id. */
export async function start(world: World, templateId: string, input: unknown = {}): Promise<string> {
  const res = await world.request('POST', `/api/v1/templates/${templateId}/runs`, { input });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { runId: string }).runId;
}

/** The run's state through the API. */
export async function stateOf(world: World, runId: string): Promise<RunState> {
  const res = await world.request('GET', `/api/v1/runs/${runId}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as RunState;
}

/** Polls the run's state until `ready` holds (or fails after `timeoutMs`). */
export async function waitFor(world: World, runId: string, ready: (state: RunState) => boolean, timeoutMs = 20_000): Promise<RunState> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await stateOf(world, runId);
    if (ready(state)) return state;
    if (Date.now() > until) throw new Error(`timed out waiting; last state: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The state of a node in a run's state. */
export function nodeOf(state: RunState, id: string) {
  const node = state.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

/** POSTs an operator command; answers with the status and the body (a state or a problem). */
export async function command(world: World, runId: string, path: string, body?: unknown): Promise<{ status: number; body: RunState & { title?: string; type?: string } }> {
  const res = await world.request('POST', `/api/v1/runs/${runId}/${path}`, body);
  return { status: res.status, body: (await res.json()) as RunState & { title?: string } };
}

/** Waits for a run to end, then checks its events from 1 to the last seq: no gap, no duplicate. */
export async function finish(world: World, runId: string): Promise<{ state: RunState; events: RunEvent[] }> {
  const res = await world.request('GET', `/api/v1/runs/${runId}/result?wait=60`);
  const state = (await res.json()) as RunState;
  expect(['completed', 'failed', 'cancelled'], JSON.stringify(state)).toContain(state.status);
  const events = await eventsOf(world, runId);
  expectGapless(events, state.seq);
  return { state, events };
}

/** One page of a run's events after `after`, through the API. */
export async function eventsPage(world: World, runId: string, after = 0): Promise<EventPage> {
  const res = await world.request('GET', `/api/v1/runs/${runId}/events?after=${after}`);
  expect(res.status).toBe(200);
  return (await res.json()) as EventPage;
}

/** Every event of a run after `after`, through the API, page by page as a client reads them: while `more`. */
export function eventsOf(world: World, runId: string, after = 0): Promise<RunEvent[]> {
  return everyEvent(async (afterSeq) => {
    const page = await eventsPage(world, runId, afterSeq);
    if (page.more) expect(page.items.length).toBeGreaterThan(0);
    return page;
  }, after);
}

/** Events as `type:nodeId` strings, for order checks. */
export const trace = (events: RunEvent[]) => events.map((e) => `${e.type}${e.nodeId ? `:${e.nodeId}` : ''}`);
