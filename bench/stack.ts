import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../src/activities/index.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { EventBus } from '../src/realtime/event-bus.js';
import { connectTemporal, type TemporalHandle } from '../src/temporal/connection.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { createWorker, workflowBundleOptions } from '../src/temporal/worker.js';
import { freePort } from '../test/support/ports.js';
import { json, startUpstream } from '../test/support/upstream.js';

const benchWorkflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

const quiet = { info: () => {}, warn: console.warn, error: console.error, debug: () => {}, trace: () => {}, log: () => {} };

/** Everything the bench runs on: one in-memory dev server, one worker for both sides, one upstream. */
export interface BenchStack {
  temporal: TemporalHandle;
  taskQueue: string;
  /** Base URL of the upstream HTTP server on 127.0.0.1. */
  base: string;
  /** The dev server's process (see `bench/cpu.ts`). */
  serverPid: number | undefined;
  stop(): Promise<void>;
}

/** The upstream the http nodes call: an order, a digest sink, and `/step?n=` that answers `{ n }`. */
function startBenchUpstream() {
  return startUpstream({
    'GET /orders/42': (_req, res) => json(res, 200, { items: [{ price: 10 }, { price: 32.5 }] }),
    'POST /digest': (req, res) => json(res, 200, { received: JSON.parse(req.body) as unknown }),
    'GET /step': (req, res) => json(res, 200, { n: Number(new URL(req.path, 'http://127.0.0.1').searchParams.get('n')) }),
  });
}

/**
 * Starts the stack. The worker is Weft's own (`createWorker`, activities from `createActivities` over the
 * run index's database, which the interpreter's worker writes as each run closes) with a bundle that also
 * holds the hand-written workflows. The database is the embedded default, PGlite in memory, unless
 * `DATABASE_URL` names a PostgreSQL server, as for Weft itself.
 */
export async function startBenchStack(log: (line: string) => void): Promise<BenchStack> {
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, WEFT_WORKFLOW_STACK_TRACES: process.env.WEFT_WORKFLOW_STACK_TRACES }, {});
  if (config.workflowStackTraces) log('workflow sandbox: with stack traces (WEFT_WORKFLOW_STACK_TRACES)');
  log(config.databaseUrl ? `run index: PostgreSQL at ${new URL(config.databaseUrl).host}` : 'run index: PGlite in memory (set DATABASE_URL for a PostgreSQL server)');
  const taskQueue = `bench-${randomUUID()}`;
  const temporalConfig = { ...config.temporal, taskQueue };
  const [server, database, bundle, upstream] = await Promise.all([
    // The dev server's settings are `temporal-dev.yml`'s, as for `npm start` and the tests.
    startDevServer({ port: await freePort(), headless: true, dbFile: null, log: (line) => log(`[temporal] ${line}`) }),
    openDatabase({ databaseUrl: config.databaseUrl, dataDir: null }),
    bundleWorkflowCode({ workflowsPath: benchWorkflowsPath, ...workflowBundleOptions({ stackTraces: config.workflowStackTraces }), logger: quiet }),
    startBenchUpstream(),
  ]);
  const temporal = await connectTemporal(server.address, server.namespace, temporalConfig);
  const { worker, connection } = await createWorker({
    address: server.address, namespace: server.namespace, taskQueue, temporal: temporalConfig,
    activities: createActivities({ db: database.db }), db: database.db, bus: new EventBus(), workflowBundle: { code: bundle.code },
  });
  const running = worker.run();
  return {
    temporal, taskQueue, base: upstream.url, serverPid: server.pid,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await temporal.close();
      await database.close();
      await upstream.close();
      await server.stop();
    },
  };
}
