import { expect } from 'vitest';
import type { RunEvent, RunState } from '../../src/workflows/state.js';
import type { World } from './world.js';

/** Uploads a template through the API and expects it to be accepted. */
export async function upload(world: World, template: unknown): Promise<{ id: string; version: number }> {
  const res = await world.request('POST', '/api/v1/templates', template);
  expect([200, 201], await res.clone().text()).toContain(res.status);
  return (await res.json()) as { id: string; version: number };
}

/** Starts a run through the API and waits for it to end. */
export async function runToEnd(world: World, templateId: string, input: unknown = {}): Promise<{ runId: string; state: RunState; events: RunEvent[] }> {
  const started = await world.request('POST', `/api/v1/templates/${templateId}/runs`, { input });
  expect(started.status, await started.clone().text()).toBe(201);
  const { runId } = (await started.json()) as { runId: string };
  const res = await world.request('GET', `/api/v1/runs/${runId}/result?wait=60`);
  expect(res.status).toBe(200);
  const state = (await res.json()) as RunState;
  const events = ((await (await world.request('GET', `/api/v1/runs/${runId}/events`)).json()) as { items: RunEvent[] }).items;
  expectGapless(events, state.seq);
  return { runId, state, events };
}

/** Every event from 1 to `lastSeq` present exactly once, in order. */
export function expectGapless(events: RunEvent[], lastSeq: number): void {
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
}
