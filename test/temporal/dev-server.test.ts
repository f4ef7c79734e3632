import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { readDevServerSettings } from '../../src/temporal/dev-config.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../support/ports.js';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function closes(port: number): Promise<boolean> {
  for (let i = 0; i < 75 && (await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 200));
  return !(await portOpen(port));
}

describe('the dev server child', () => {
  it('stops when the process that started it is killed with SIGKILL', async () => {
    const port = await freePort();
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/temporal/start-dev-server.ts'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      owner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve());
      owner.once('exit', (code) => reject(new Error(`the owner exited early (${code})`)));
    });
    expect(await portOpen(port)).toBe(true);
    owner.kill('SIGKILL');
    expect(await closes(port)).toBe(true);
  });

  it('starts the server again when it exits as it starts without a word', async () => {
    const real = await ensureTemporalCli({ version: readDevServerSettings().cli.version, log: () => {} });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-cli-'));
    // The real CLI, whose first server start exits at once with nothing on stderr.
    const once = path.join(dir, 'failed-once');
    const cli = path.join(dir, 'temporal');
    writeFileSync(cli, `#!/bin/sh\nif [ "$1" = server ] && [ ! -e '${once}' ]; then touch '${once}'; exit 1; fi\nexec '${real.path}' "$@"\n`, { mode: 0o755 });
    const lines: string[] = [];
    const port = await freePort();
    try {
      const server = await startDevServer({ port, headless: true, dbFile: null, cliOverride: cli, log: (line) => lines.push(line) });
      await server.stop();
      expect(lines).toContainEqual(expect.stringContaining('exited as it started (attempt 1: no message); starting it again'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await closes(port)).toBe(true);
  });

  it('starts the server again when it dies, on the same port, until it is stopped', async () => {
    const lines: string[] = [];
    const port = await freePort();
    const server = await startDevServer({ port, headless: true, dbFile: null, log: (line) => lines.push(line) });
    try {
      // The guard's child is the server itself: kill it as a crash or an OOM kill would.
      const serverPid = Number(execFileSync('pgrep', ['-P', String(server.pid)]).toString().trim().split('\n')[0]);
      process.kill(serverPid, 'SIGKILL');
      await expect.poll(() => lines.some((l) => l.includes('the dev server is serving again')), { timeout: 60_000, interval: 200 }).toBe(true);
      expect(lines).toContainEqual(expect.stringContaining('the dev server exited (code 137)'));
      const connection = await Connection.connect({ address: server.address });
      await connection.workflowService.describeNamespace({ namespace: server.namespace });
      await connection.close();
    } finally {
      await server.stop();
    }
    expect(await closes(port)).toBe(true);
  }, 90_000);

  it('refuses to start on a port that is already serving, and says what to do', async () => {
    const port = await freePort();
    const first = await startDevServer({ port, headless: true, dbFile: null, log: () => {} });
    try {
      await expect(startDevServer({ port, headless: true, dbFile: null, log: () => {} })).rejects.toThrow(/already in use.*WEFT_TEMPORAL_PORT/);
    } finally {
      await first.stop();
    }
    expect(await closes(port)).toBe(true);
  });
});
