import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { recordRunSummary, type RunSummary } from '../../src/db/runs.js';
import { attachBridge } from '../../src/realtime/bridge.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createRunHubs } from '../../src/realtime/hubs.js';
import { Rooms } from '../../src/realtime/rooms/rooms.js';
import { connectTemporal } from '../../src/temporal/connection.js';
import { sleep } from './pool.js';

/**
 * The server side of the idle-connection measurement, in its own process so that only the server's memory is
 * weighed: an API process as `npm run start:api` wires it (API, bus, hubs, bridge; no worker), on an
 * in-memory PGlite whose run index the bench seeds with closed runs. Driven over IPC by idle-connections.ts.
 */

/** Messages from the bench to this process. */
export type IdleServerCommand =
  | { type: 'seed'; runs: RunSummary[] }
  | { type: 'measure'; label: string }
  | { type: 'stop' };

/** Messages from this process to the bench. */
export type IdleServerReport =
  | { type: 'listening'; wsUrl: string }
  | { type: 'seeded' }
  | { type: 'memory'; label: string; usage: NodeJS.MemoryUsage; connections: number };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('idle-server.ts runs as a child of the bench, with --expose-gc and an IPC channel');
const report = (message: IdleServerReport) => process.send?.(message);

/** Waits until the process has been (nearly) idle for a quarter second, at most `limitMs`: pending work settles first. */
async function settle(limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const before = process.cpuUsage();
    await sleep(250);
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 < 12) return;
  }
}

/** Memory after the pending work has settled and after full collections. */
async function weigh(): Promise<NodeJS.MemoryUsage> {
  await settle();
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(50);
  }
  return process.memoryUsage();
}

const config = loadConfig({}, {});
const database = await openDatabase({ dataDir: null });
const temporal = await connectTemporal(process.argv[2] ?? '', process.argv[3] ?? 'default', config.temporal);
const bus = new EventBus();
const readers = { db: database.db, client: temporal.client };
const hubs = createRunHubs(bus, readers);
const rooms = new Rooms(database.db, readers);
const app = createApp({ db: database, temporal, bus, hubs, rooms });
const server = await new Promise<Server>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
});
const bridge = attachBridge(server, { readers, hubs, rooms });
const bound = server.address();
report({ type: 'listening', wsUrl: `ws://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}/ws` });

process.on('message', (message: IdleServerCommand) => {
  void (async () => {
    if (message.type === 'seed') {
      for (const run of message.runs) await recordRunSummary(database.db, run);
      report({ type: 'seeded' });
    } else if (message.type === 'measure') {
      const usage = await weigh();
      report({ type: 'memory', label: message.label, usage, connections: bridge.wss.clients.size });
    } else {
      bridge.close();
      hubs.closeAll();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await temporal.close();
      await database.close();
      process.exit(0);
    }
  })();
});
