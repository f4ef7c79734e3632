import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { readDevServerSettings } from '../../src/temporal/dev-config.js';
import { freePort } from '../support/ports.js';
import { json, startUpstream } from '../support/upstream.js';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing ${pattern}:\n${output}`)));
  });
}

describe('npm start, as a user runs it', () => {
  let child: ChildProcess;
  let api: string;
  let dataDir: string;
  let temporalPort: number;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    upstream = await startUpstream({
      'GET /orders/7': (_req, res) => json(res, 200, { items: [{ price: 1.5 }, { price: 2 }] }),
      'POST /digest': (_req, res) => json(res, 202, { ok: true }),
    });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-'));
    temporalPort = await freePort();
    child = spawn('npm', ['start'], {
      cwd: projectRoot,
      detached: true,
      env: { ...process.env, PORT: '0', WEFT_DATA_DIR: dataDir, WEFT_TEMPORAL_PORT: String(temporalPort), WEFT_TEMPORAL_UI_PORT: String(await freePort()), TEMPORAL_ADDRESS: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const match = await waitForLine(child, /API: +(http:\/\/\S+)\/api\/v1/, 90_000);
    api = match[1]!;
  }, 120_000);

  afterAll(async () => {
    if (child?.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the first slice over HTTP and shows it to `temporal workflow list`', async () => {
    expect((await fetch(`${api}/ready`)).status).toBe(200);
    const template = {
      id: 'e2e-digest', name: 'E2E digest',
      nodes: [
        { id: 'fetch', type: 'http', config: { url: `${upstream.url}/orders/{{ input.orderId }}` } },
        { id: 'total', type: 'transform', needs: ['fetch'], config: { value: '{{ $sum(nodes.fetch.output.body.items.price) }}' } },
        { id: 'post', type: 'http', needs: ['total'], config: { method: 'POST', url: `${upstream.url}/digest`, body: { total: '{{ nodes.total.output }}' } } },
      ],
      output: '{{ nodes.total.output }}',
    };
    const uploaded = await fetch(`${api}/api/v1/templates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(template) });
    expect(uploaded.status).toBe(201);
    const started = await fetch(`${api}/api/v1/templates/e2e-digest/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { orderId: '7' } }) });
    expect(started.status).toBe(201);
    const { runId } = (await started.json()) as { runId: string };
    const state = (await (await fetch(`${api}/api/v1/runs/${runId}/result?wait=60`)).json()) as { status: string; output: unknown; nodes: Array<{ status: string }> };
    expect(state).toMatchObject({ status: 'completed', output: 3.5 });
    expect(state.nodes.map((n) => n.status)).toEqual(['completed', 'completed', 'completed']);
    expect(JSON.parse(upstream.received.find((r) => r.method === 'POST')?.body ?? 'null')).toEqual({ total: 3.5 });

    const cli = await ensureTemporalCli({ version: readDevServerSettings().cli.version, log: () => {} });
    const listed = spawnSync(cli.path, ['workflow', 'list', '--address', `127.0.0.1:${temporalPort}`, '--namespace', 'weft', '--query', `WeftTemplateId = 'e2e-digest'`, '-o', 'json'], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const workflows = JSON.parse(listed.stdout) as Array<{ execution: { workflowId: string }; status: string }>;
    expect(workflows).toEqual([expect.objectContaining({ execution: expect.objectContaining({ workflowId: runId }) })]);
  });

  it('shuts down on SIGTERM and takes the dev server with it', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    // The dev server is a child of the stack: nothing may be left listening.
    for (let i = 0; i < 50 && (await portOpen(temporalPort)); i++) await new Promise((r) => setTimeout(r, 200));
    expect(await portOpen(temporalPort)).toBe(false);
  }, 30_000);
});
