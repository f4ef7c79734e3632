/**
 * A Weft worker in a process of its own, for the worker-kill test: it connects to the test dev server and
 * database named in its environment, prints "ready" once polling, and runs until it is killed.
 */
import { readFileSync } from 'node:fs';
import { createActivities } from '../../src/activities/index.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { EventBus } from '../../src/realtime/event-bus.js';
import { createWorker } from '../../src/temporal/worker.js';

const env = process.env;
const required = (key: string): string => {
  const value = env[key];
  if (!value) throw new TypeError(`${key} is not set`);
  return value;
};

const taskQueue = required('WEFT_CHILD_TASK_QUEUE');
const database = await openDatabase({ databaseUrl: required('WEFT_CHILD_DATABASE_URL') });
const { worker } = await createWorker({
  address: required('WEFT_CHILD_TEMPORAL_ADDRESS'),
  namespace: required('WEFT_CHILD_TEMPORAL_NAMESPACE'),
  taskQueue,
  temporal: { ...loadConfig({}, {}).temporal, taskQueue },
  bus: new EventBus(),
  activities: createActivities({ db: database.db }),
  db: database.db,
  workflowBundle: { code: readFileSync(required('WEFT_CHILD_BUNDLE'), 'utf8') },
  identity: `kill-test-${process.pid}`,
});
const running = worker.run();
process.stdout.write('ready\n');
await running;
await database.close();
