/** `npm start`: API, worker and realtime in one process, with the Temporal dev server as a child. */
import { loadConfig } from '../config.js';
import { startStack, stopOnSignals } from './stack.js';

const config = loadConfig();
const stack = await startStack(config, { api: true, worker: true, devServer: true });
stopOnSignals(stack, config.shutdownGraceMs);
console.log(`Weft is running
  API:          ${stack.url}/api/v1  (OpenAPI: ${stack.url}/openapi.json)
  WebSocket:    ${stack.wsUrl}
  Live page:    ${stack.url}/ui
  Temporal UI:  ${stack.temporalUiUrl ?? `(external cluster at ${stack.temporalAddress})`}
  Database:     ${stack.database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`);
