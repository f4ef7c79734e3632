/** `npm run start:api`: the API and realtime bridge alone, against TEMPORAL_ADDRESS and DATABASE_URL. */
import { loadConfig } from '../config.js';
import { startStack, stopOnSignals } from './stack.js';

const config = loadConfig();
const stack = await startStack(config, { api: true, worker: false, devServer: false });
stopOnSignals(stack, config.shutdownGraceMs);
console.log(`Weft API on ${stack.url} (WebSocket ${stack.wsUrl}), Temporal at ${stack.temporalAddress}`);
