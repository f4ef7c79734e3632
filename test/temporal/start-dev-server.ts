/** Starts a dev server on the port given and idles: the test kills this process and watches the server go. */
import { startDevServer } from '../../src/temporal/dev-server.js';

await startDevServer({ port: Number(process.argv[2]), headless: true, dbFile: null, log: () => {} });
console.log('serving');
setInterval(() => {}, 60_000);
