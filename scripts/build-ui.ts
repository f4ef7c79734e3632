/**
 * Builds the live DAG page into `src/ui/dist/` (run by `npm install` through `postinstall`, or `npm run build:ui`).
 */
import { buildUi, uiPaths } from '../src/ui/build.js';

const started = Date.now();
try {
  const manifest = await buildUi();
  console.log(`[weft] UI built in ${Date.now() - started} ms: ${uiPaths.dist} (${manifest.script}, ${manifest.style})`);
} catch (err) {
  console.error('[weft] building the UI failed:', err instanceof Error ? err.message : err);
  process.exit(1);
}
