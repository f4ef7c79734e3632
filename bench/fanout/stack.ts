import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createActivities } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { attachBridge } from '../../src/realtime/bridge.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createRunHubs } from '../../src/realtime/hubs.js';
import { Rooms } from '../../src/realtime/rooms/rooms.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/connection.js';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { createWorker } from '../../src/temporal/worker.js';
import { freePort } from '../../test/support/ports.js';
import { LiveClock } from './live-clock.js';

/** One Weft process as `npm start` wires it (API, bridge, worker, bus, hubs), with a stopwatch on the live path. */
export interface FanoutStack {
  /** `http://127.0.0.1:port` of the API. */
  url: string;
  wsUrl: string;
  clock: LiveClock;
  /** The dev server's address and namespace, for other processes of the bench. */
  temporalAddress: string;
  namespace: string;
  database: Database;
  temporal: TemporalHandle;
  /** `app.request`-style JSON call against the real server. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts the stack the way src/main/stack.ts does in the single-process default, on an in-memory dev server and
 * PGlite, serving on 127.0.0.1. The only difference is the `LiveClock` between the worker's sink and the bus.
 */
export async function startFanoutStack(log: (line: string) => void): Promise<FanoutStack> {
  const config = loadConfig({}, {});
  const temporalConfig = { ...config.temporal, taskQueue: `bench-fanout-${randomUUID()}` };
  const [devServer, database] = await Promise.all([
    startDevServer({ port: await freePort(), headless: true, dbFile: null, log: (line) => log(`[temporal] ${line}`) }),
    openDatabase({ dataDir: null }),
  ]);
  const temporal = await connectTemporal(devServer.address, devServer.namespace, temporalConfig);
  const bus = new EventBus();
  const readers = { db: database.db, client: temporal.client };
  const hubs = createRunHubs(bus, readers);
  const rooms = new Rooms(database.db, readers);
  const clock = new LiveClock(bus);
  const { worker, connection } = await createWorker({
    address: devServer.address, namespace: devServer.namespace, taskQueue: temporalConfig.taskQueue, temporal: temporalConfig,
    bus: clock, db: database.db, activities: createActivities({ db: database.db, publish: (runId, event) => clock.publish(runId, event) }),
  });
  const running = worker.run();

  const app = createApp({ db: database, temporal, bus, hubs, rooms });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const bridge = attachBridge(server, { readers, hubs, rooms });
  const bound = server.address();
  const url = `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}`;

  return {
    url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, clock, temporalAddress: devServer.address, namespace: devServer.namespace, database, temporal,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(url + path, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    async stop() {
      bridge.close();
      hubs.closeAll();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.close();
      await database.close();
      await devServer.stop();
    },
  };
}
