import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { connectTemporal, type TemporalHandle } from '../../src/temporal/connection.js';
import { createWorker } from '../../src/temporal/worker.js';
import { openTestDatabase, type DatabaseKind } from './database.js';

/** Everything a workflow or route test needs: a database, the test dev server, a worker on its own queue, the API. */
export interface World {
  database: Database;
  temporal: TemporalHandle;
  bus: EventBus;
  app: ReturnType<typeof createApp>;
  taskQueue: string;
  /** `app.request` with a JSON (or YAML text) body. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a world: a real worker on a unique task queue against the shared test dev server. */
export async function startWorld(kind: DatabaseKind = 'pglite'): Promise<World> {
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({}, {});
  const temporalConfig = { ...config.temporal, taskQueue };
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const database = await openTestDatabase(kind);
  const temporal = await connectTemporal(address, namespace, temporalConfig);
  const bus = new EventBus();
  const { worker, connection } = await createWorker({
    address, namespace, taskQueue, temporal: temporalConfig, bus,
    activities: createActivities({ db: database.db }),
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
  });
  const running = worker.run();
  const app = createApp({ db: database, temporal, bus });
  return {
    database, temporal, bus, app, taskQueue,
    request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= typeof body === 'string' ? 'application/yaml' : 'application/json';
      }
      return Promise.resolve(app.request(path, init));
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.close();
      await database.close();
    },
  };
}
