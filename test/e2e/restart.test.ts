import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { json, startUpstream } from '../support/upstream.js';
import { eventsOf, runEnded, TestSocket } from '../support/ws-client.js';

/** Starts the all-in-one process against the test dev server and resolves with its API URL. */
function startWeft(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/main/all.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Weft did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API: +(http:\/\/\S+)\/api\/v1/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Weft exited (${code}):\n${output}`)));
  });
}

describe('a crash of the whole Weft process in the middle of a run', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let dataDir: string;
  let env: Record<string, string>;
  const calls = new Map<string, number>();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /step': (req, res) => {
        const step = new URL(req.path, 'http://x').searchParams.get('n') ?? '?';
        calls.set(step, (calls.get(step) ?? 0) + 1);
        setTimeout(() => json(res, 200, { step }), 300);
      },
    });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'weft-restart-'));
    env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      WEFT_TASK_QUEUE: `restart-${randomUUID()}`,
      WEFT_DATA_DIR: dataDir,
      DATABASE_URL: '',
    };
  });
  afterAll(async () => {
    children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no run, no event and repeats no completed node after SIGKILL and restart', async () => {
    const first = await startWeft(env);
    children.push(first.child);
    const steps = 6;
    const template = {
      id: 'long-chain', name: 'Long chain',
      // A short heartbeat timeout lets Temporal notice at once that the step in flight died with its worker.
      nodes: Array.from({ length: steps }, (_, i) => ({ id: `s${i}`, type: 'http', heartbeatTimeout: '2s', needs: i ? [`s${i - 1}`] : undefined, config: { url: `${upstream.url}/step?n=${i}` } })),
      output: '{{ nodes.s5.output.body.step }}',
    };
    expect((await fetch(`${first.url}/api/v1/templates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(template) })).status).toBe(201);
    const started = await fetch(`${first.url}/api/v1/templates/long-chain/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":{}}' });
    const { runId } = (await started.json()) as { runId: string };

    const before = await TestSocket.open(first.url.replace('http', 'ws') + '/ws');
    before.send({ type: 'subscribe', runId, afterSeq: 0 });
    await before.until((m) => eventsOf(m, runId).some((e) => e.event === 'node.completed' && e.nodeId === 's1'));
    first.child.kill('SIGKILL');
    await before.closed();
    const seen = eventsOf(before.messages, runId);

    const second = await startWeft(env);
    children.push(second.child);
    const after = await TestSocket.open(second.url.replace('http', 'ws') + '/ws');
    after.send({ type: 'subscribe', runId, afterSeq: seen.at(-1)!.seq });
    // Temporal hands the run to the new worker once the dead one's sticky queue and task time out (~10 s each).
    const rest = eventsOf(await after.until(runEnded(runId), 120_000), runId);
    after.close();

    const all = [...seen, ...rest];
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)?.event).toBe('run.completed');
    const state = (await (await fetch(`${second.url}/api/v1/runs/${runId}`)).json()) as { status: string; output: unknown };
    expect(state).toMatchObject({ status: 'completed', output: '5' });
    // Each completed step ran once; at most the step in flight at the kill ran again.
    const repeated = [...calls.entries()].filter(([, n]) => n > 1).map(([step]) => step);
    expect(repeated.length).toBeLessThanOrEqual(1);
    for (const step of repeated) expect(seen.some((e) => e.event === 'node.completed' && e.nodeId === `s${step}`)).toBe(false);
    second.child.kill('SIGTERM');
  }, 180_000);
});
