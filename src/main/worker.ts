/** `npm run start:worker`: a worker alone (interpreter and activities), against TEMPORAL_ADDRESS and DATABASE_URL. */
import { loadConfig } from '../config.js';
import { startStack, stopOnSignals } from './stack.js';

const config = loadConfig();
const stack = await startStack(config, { api: false, worker: true, devServer: false });
stopOnSignals(stack, config.shutdownGraceMs);
console.log(`Weft worker polling task queue "${config.temporal.taskQueue}" at ${stack.temporalAddress}`);
