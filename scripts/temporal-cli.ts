/**
 * Provisions the pinned Temporal CLI into `.temporal/` (run by `npm install`, and by `npm run temporal:cli`).
 * With TEMPORAL_ADDRESS set, Weft uses that cluster and needs no CLI, so nothing is installed.
 */
import { loadConfig } from '../src/config.js';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../src/temporal/cli.js';
import { readDevServerSettings } from '../src/temporal/dev-config.js';

const config = loadConfig();
if (config.temporal.address && !process.argv.includes('--force')) {
  console.error(`[temporal-cli] TEMPORAL_ADDRESS=${config.temporal.address}: using that cluster, no CLI needed`);
} else {
  try {
    const cli = await ensureTemporalCli({ version: readDevServerSettings().cli.version, override: config.temporal.cli });
    console.error(`[temporal-cli] Temporal CLI ${cli.version} (${cli.source}): ${cli.path}`);
  } catch (err) {
    if (!(err instanceof TemporalCliUnavailableError)) throw err;
    console.error(`[temporal-cli] ${err.message}`);
    process.exitCode = 1;
  }
}
