import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import type { RunEvent } from '../../src/workflows/state.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createRunHubs } from '../../src/realtime/hubs.js';
import { startPgRelay } from '../../src/realtime/pg-relay.js';
import { Rooms } from '../../src/realtime/rooms/rooms.js';
import type { RunHubs } from '../../src/realtime/run-hub.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/connection.js';
import { createWorker } from '../../src/temporal/worker.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './database.js';

/** Everything a workflow or route test needs: a database, the test dev server, a worker on its own queue, the API. */
export interface World {
  database: TestDatabase;
  temporal: TemporalHandle;
  bus: EventBus;
  hubs: RunHubs;
  rooms: Rooms;
  app: ReturnType<typeof createApp>;
  taskQueue: string;
  /** `app.request` with a JSON (or YAML text) body. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Stops the world's worker, leaving the API, the database and the dev server up: runs wait for a worker. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the world's task queue, after {@link stopWorker} (a deploy, a restart). */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Ways to bend a world for a test. */
export interface WorldOptions {
  /** Live events the worker publishes but that never reach the API's bus (a lossy live path). */
  dropLive?: (event: RunEvent) => boolean;
  /** Publish the worker's live events through the PostgreSQL relay too (PostgreSQL worlds only). */
  relay?: boolean;
  /** Secret values the worker's activities resolve `{{ secrets.<name> }}` with. */
  secrets?: Record<string, string>;
  /** Activities registered beside Weft's own (node types that exist only for a test). */
  extraActivities?: (db: Db) => Record<string, (...args: never[]) => Promise<unknown>>;
  /** Another dev server than the shared one (a test that needs other dynamic config), in the same namespace. */
  temporalAddress?: string;
  /** Keep stack traces in the workflow sandbox (`WEFT_WORKFLOW_STACK_TRACES`): the worker bundles its own workflow code. */
  stackTraces?: boolean;
}

/** Starts a world: a real worker on a unique task queue against the shared test dev server. */
export async function startWorld(kind: DatabaseKind = 'pglite', options: WorldOptions = {}): Promise<World> {
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({}, {});
  const temporalConfig = { ...config.temporal, taskQueue };
  const address = options.temporalAddress ?? inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const database = await openTestDatabase(kind);
  const temporal = await connectTemporal(address, namespace, temporalConfig);
  const bus = new EventBus();
  const workerBus = options.dropLive ? new EventBus() : bus;
  if (options.dropLive) {
    const drop = options.dropLive;
    workerBus.subscribe('*', (runId, event) => drop(event) || bus.publish(runId, event));
  }
  const rooms = new Rooms(database.db, { db: database.db, client: temporal.client });
  const relay = options.relay && database.url ? await startPgRelay(database.url, workerBus, rooms) : undefined;
  const startOne = async () => {
    const started = await createWorker({
      address, namespace, taskQueue, temporal: temporalConfig, bus: relay?.live ?? workerBus, db: database.db,
      activities: {
        ...createActivities({ db: database.db, publish: (runId, event) => (relay?.live ?? workerBus).publish(runId, event), secrets: options.secrets }),
        ...options.extraActivities?.(database.db),
      },
      ...(options.stackTraces ? { stackTraces: true } : { workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') } }),
    });
    return { ...started, running: started.worker.run() };
  };
  let { worker, connection, running } = await startOne();
  // Tests lose live events on purpose; a short idle check finds them without waiting seconds.
  const hubs = createRunHubs(bus, { db: database.db, client: temporal.client }, 500);
  const app = createApp({ db: database, temporal, bus, hubs, rooms });
  return {
    database, temporal, bus, hubs, rooms, app, taskQueue,
    request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= typeof body === 'string' ? 'application/yaml' : 'application/json';
      }
      return Promise.resolve(app.request(path, init));
    },
    async stopWorker() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
    async startWorker() {
      if (worker.getState() === 'RUNNING') return;
      await connection.close();
      ({ worker, connection, running } = await startOne());
    },
    async close() {
      hubs.closeAll();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await relay?.close();
      await temporal.close();
      await database.close();
    },
  };
}
