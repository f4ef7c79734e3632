import type { WorkflowInfo } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { getRun, recordRunSummary, type RunSummary } from '../../src/db/runs.js';
import { runIndexSink } from '../../src/temporal/run-index-sink.js';
import type { RunEvent } from '../../src/workflows/state.js';

const at = '2026-01-01T00:00:00.000Z';

function closing(runId: string): { summary: RunSummary; live: RunEvent[] } {
  const events: RunEvent[] = [
    { seq: 1, type: 'run.started', at },
    { seq: 2, type: 'node.started', nodeId: 'a', at },
    { seq: 3, type: 'node.completed', nodeId: 'a', at, data: { output: 1 } },
    { seq: 4, type: 'run.completed', at, data: { output: 1 } },
  ];
  const state = {
    runId, templateId: 't', templateVersion: 1, status: 'completed' as const, progress: 100, startedAt: at, endedAt: at, seq: 4, inFlight: [], output: 1,
    nodes: [{ id: 'a', type: 'transform', status: 'completed' as const, attempts: 1, startedAt: at, endedAt: at, output: 1 }],
  };
  return { summary: { runId, templateId: 't', templateVersion: 1, trigger: 'api', input: {}, state, events }, live: events.slice(2) };
}

describe('the run index sink: the close is written, then its events leave on the live path', () => {
  // One embedded database for the file: the second test closes it, to make every write fail.
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: null });
  });
  afterAll(async () => {
    await database.close().catch(() => undefined);
  });

  it('publishes the closing events, in order, only once the index holds the closed run', async () => {
    const { db } = database;
    let written = false;
    const heard: Array<{ runId: string; seq: number; written: boolean }> = [];
    const sink = runIndexSink(
      async (summary) => {
        await recordRunSummary(db, summary);
        written = true;
      },
      (runId, event) => heard.push({ runId, seq: event.seq, written }),
    );
    const { summary, live } = closing('run-sink-1');
    await sink.fn({} as WorkflowInfo, summary, live);
    expect(heard).toEqual([{ runId: 'run-sink-1', seq: 3, written: true }, { runId: 'run-sink-1', seq: 4, written: true }]);
    expect((await getRun(db, 'run-sink-1'))?.status).toBe('completed');
  });

  it('still publishes them when the write fails for good, leaving the run to the index repair', async () => {
    const { db } = database;
    await database.close();
    const heard: number[] = [];
    const sink = runIndexSink((summary) => recordRunSummary(db, summary), (_runId, event) => heard.push(event.seq));
    const { summary, live } = closing('run-sink-2');
    const logged = console.error;
    const errors: unknown[] = [];
    console.error = (...args: unknown[]) => void errors.push(args[0]);
    try {
      await sink.fn({} as WorkflowInfo, summary, live);
    } finally {
      console.error = logged;
    }
    expect(heard).toEqual([3, 4]);
    expect(String(errors[0])).toContain('could not record the close of run run-sink-2');
  });
});
