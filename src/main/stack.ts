import type { Server } from 'node:http';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createApp } from '../api/app.js';
import type { WeftConfig } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { attachBridge } from '../realtime/bridge.js';
import { EventBus } from '../realtime/event-bus.js';
import { createRunHubs } from '../realtime/hubs.js';
import { startPgRelay } from '../realtime/pg-relay.js';
import { Rooms } from '../realtime/rooms/rooms.js';
import { startRunIndexRepair, type RunIndexRepair } from '../runs/repair-index.js';
import { connectTemporal, type TemporalHandle } from '../temporal/connection.js';
import { readDevServerSettings } from '../temporal/dev-config.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { createWorker } from '../temporal/worker.js';

/** Which parts of Weft a process hosts. */
export interface StackRoles {
  api: boolean;
  worker: boolean;
  /** Start the local Temporal dev server when no TEMPORAL_ADDRESS is set (the all-in-one `npm start`). */
  devServer: boolean;
}

/** A running Weft process. */
export interface Stack {
  url?: string;
  wsUrl?: string;
  temporalUiUrl?: string;
  temporalAddress: string;
  database: Database;
  temporal: TemporalHandle;
  /** Graceful shutdown: HTTP drains, the worker finishes in-flight tasks, then connections close. */
  stop(): Promise<void>;
}

/** Starts the parts of Weft named by `roles`, in dependency order. */
export async function startStack(config: WeftConfig, roles: StackRoles): Promise<Stack> {
  let devServer: DevServer | undefined;
  let address = config.temporal.address;
  let namespace = config.temporal.namespace;
  if (!address) {
    const settings = readDevServerSettings();
    namespace ??= settings.namespace;
    if (roles.devServer) {
      devServer = await startDevServer({
        cliOverride: config.temporal.cli,
        port: config.temporal.devPort,
        uiPort: config.temporal.devUiPort,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      });
      address = devServer.address;
    } else {
      address = `${settings.ip}:${config.temporal.devPort ?? settings.port}`;
    }
  }
  namespace ??= 'default';

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const temporal = await connectTemporal(address, namespace, config.temporal);
  const bus = new EventBus();
  const readers = { db: database.db, client: temporal.client };
  const hubs = createRunHubs(bus, readers);
  // With PostgreSQL, API and worker processes may be apart (or many): events cross between them by NOTIFY.
  const rooms = new Rooms(database.db, readers);
  const relay = config.databaseUrl ? await startPgRelay(config.databaseUrl, bus, rooms) : undefined;
  const live = relay?.live ?? bus;

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let workerConnection: { close(): Promise<void> } | undefined;
  let repair: RunIndexRepair | undefined;
  if (roles.worker) {
    const created = await createWorker({
      address, namespace, taskQueue: config.temporal.taskQueue, temporal: config.temporal, bus: live, db: database.db,
      activities: createActivities({ db: database.db, publish: (runId, event) => live.publish(runId, event), secrets: config.secrets }),
      // Leave time after the activities' grace for closing connections before the process must exit.
      shutdownGraceMs: Math.max(0, config.shutdownGraceMs - 3_000),
      stackTraces: config.workflowStackTraces,
    });
    worker = created.worker;
    workerConnection = created.connection;
    workerRun = worker.run();
    // Beside a worker, which the repair needs to replay closed runs for their state and events.
    repair = startRunIndexRepair(readers);
  }

  let server: Server | undefined;
  let bridge: ReturnType<typeof attachBridge> | undefined;
  let url: string | undefined;
  if (roles.api) {
    const app = createApp({ db: database, temporal, bus, hubs, rooms });
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server));
    });
    bridge = attachBridge(server, { readers, hubs, rooms });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : config.port;
    url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  }

  return {
    url,
    wsUrl: url?.replace(/^http/, 'ws') + '/ws',
    temporalUiUrl: devServer?.uiUrl,
    temporalAddress: address,
    database,
    temporal,
    async stop() {
      bridge?.close();
      hubs.closeAll();
      if (server) {
        const closed = new Promise((resolve) => server.close(resolve));
        server.closeIdleConnections();
        await closed;
      }
      await repair?.stop();
      if (worker && workerRun) {
        // The SDK starts draining the worker on SIGTERM or SIGINT by itself, possibly before this point.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerRun;
        await workerConnection?.close();
      }
      await relay?.close();
      await temporal.close();
      await database.close();
      await devServer?.stop();
    },
  };
}

/** Runs `stack.stop()` once on SIGTERM or SIGINT, forcing an exit after the grace period. */
export function stopOnSignals(stack: Stack, graceMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`[weft] ${signal}: shutting down (in-flight work finishes first)`);
    const force = setTimeout(() => {
      console.error('[weft] shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('[weft] shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
