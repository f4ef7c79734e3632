import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
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
