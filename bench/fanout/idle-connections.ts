import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { getRun, getRunEvents, type RunSummary } from '../../src/db/runs.js';
import type { RunState } from '../../src/workflows/state.js';
import { IdleServerProcess } from './idle-server-process.js';
import { mapLimit } from './pool.js';
import type { FanoutStack } from './stack.js';

/** The server's memory at each step, and how many connections were weighed. */
export interface IdleResult {
  connections: number;
  memory: Record<'baseline' | 'connected' | 'subscribed' | 'closed', NodeJS.MemoryUsage>;
  /** Frames the server sent after the subscriptions (there should be none: nothing happens in a closed run). */
  unexpectedFrames: number;
  errors: number;
}

/** Loopback source addresses, so that 10,000 connections never run short of ephemeral ports on one. */
const sources = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const warmupConnections = 200;

/** The closed runs of the live phase, as the worker recorded them, for the idle server's run index. */
async function closedRuns(stack: FanoutStack, runIds: string[]): Promise<RunSummary[]> {
  return Promise.all(runIds.map(async (runId) => {
    const row = await getRun(stack.database.db, runId);
    if (!row?.state) throw new Error(`run ${runId} is not in the index as a closed run`);
    return {
      runId, templateId: row.templateId, templateVersion: row.templateVersion, trigger: row.trigger, input: row.input,
      state: row.state as RunState, events: await getRunEvents(stack.database.db, runId, 0, 100_000),
    };
  }));
}

/** Opens a socket, pings once and resolves on the answer. */
function openIdle(wsUrl: string, index: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { localAddress: sources[index % sources.length] });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no pong within 30 s'));
    }, 30_000);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'ping' })));
    socket.once('message', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Descriptors this process may open (the soft limit it inherited). */
function descriptorLimit(): number {
  const raw = execFileSync('bash', ['-c', 'ulimit -n']).toString().trim();
  return raw === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(raw);
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
    if (s.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      s.terminate();
      resolve();
    }, 10_000);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.close();
  })));
}

/**
 * Weighs idle connections: a separate API process (idle-server.ts) whose index holds the live phase's closed
 * runs; `wanted` clients connect and ping once, then each subscribes to one closed run from its last seq (so
 * nothing more is sent), then all close. The server weighs itself after full collections at each step.
 */
export async function measureIdleConnections(stack: FanoutStack, runIds: string[], wanted: number, progress: (line: string) => void): Promise<IdleResult> {
  const limit = descriptorLimit();
  const connections = Math.min(wanted, limit - 1_000);
  if (connections < wanted) progress(`fanout: WARNING the descriptor limit is ${limit}; weighing ${connections} connections, not ${wanted} (raise it with ulimit -n)`);
  const runs = await closedRuns(stack, runIds);
  const server = IdleServerProcess.start(stack.temporalAddress, stack.namespace);
  const sockets: WebSocket[] = [];
  try {
    const { wsUrl } = await server.next('listening');
    server.send({ type: 'seed', runs });
    await server.next('seeded');
    const weigh = async (label: keyof IdleResult['memory']) => {
      server.send({ type: 'measure', label });
      return (await server.next('memory', 120_000)).usage;
    };
    let unexpectedFrames = 0;
    let errors = 0;
    const subscribe = (socket: WebSocket, i: number) => {
      const run = runs[i % runs.length] as RunSummary;
      socket.send(JSON.stringify({ type: 'subscribe', runId: run.runId, afterSeq: run.state.seq }));
    };

    // A first round warms what every connection touches once (code paths, PGlite's caches) before the baseline.
    const warm = await mapLimit(Array.from({ length: warmupConnections }), 100, (_, i) => openIdle(wsUrl, i));
    warm.forEach(subscribe);
    await closeAll(warm);
    const baseline = await weigh('baseline');

    progress(`fanout: ${connections} idle connections to a separate server process, each pinged once`);
    sockets.push(...await mapLimit(Array.from({ length: connections }), 200, (_, i) => openIdle(wsUrl, i)));
    for (const s of sockets) {
      s.on('message', () => unexpectedFrames++);
      s.on('error', () => errors++);
    }
    const connected = await weigh('connected');
    progress(`fanout: each subscribes to one closed run from its last seq`);
    sockets.forEach(subscribe);
    const subscribed = await weigh('subscribed');
    await closeAll(sockets.splice(0));
    const closed = await weigh('closed');
    return { connections, memory: { baseline, connected, subscribed, closed }, unexpectedFrames, errors };
  } finally {
    await closeAll(sockets);
    await server.stop();
  }
}
