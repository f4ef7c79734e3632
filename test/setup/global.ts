import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../src/temporal/dev-server.js';
import { workflowBundleOptions, workflowsPath } from '../../src/temporal/worker.js';
import { freePort } from '../support/ports.js';
import { startTestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
    /** A PostgreSQL server's admin URL, or '' when the machine has none (the Postgres variants then skip). */
    postgresUrl: string;
  }
}

/**
 * One real Temporal dev server (provisioned like `npm start` does, from `temporal-dev.yml`), one workflow
 * bundle and one PostgreSQL server for the whole test run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'weft-test-'));
  const [server, postgres, bundle] = await Promise.all([
    startDevServer({
      port: await freePort(),
      headless: true,
      dbFile: path.join(tmp, 'temporal.sqlite'),
      log: (line) => console.error(`[temporal] ${line}`),
    }),
    startTestPostgres(),
    bundleWorkflowCode({ workflowsPath, ...workflowBundleOptions(), logger: { info: () => {}, warn: () => {}, error: console.error, debug: () => {}, trace: () => {}, log: () => {} } }),
  ]);
  if (!postgres && process.env.WEFT_REQUIRE_POSTGRES === '1') {
    throw new Error('WEFT_REQUIRE_POSTGRES=1 but no PostgreSQL server: set TEST_DATABASE_URL or install postgresql');
  }
  if (!postgres) console.warn('[test] no PostgreSQL on this machine: the PostgreSQL variants of the DB tests are skipped (PGlite still runs)');
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('postgresUrl', postgres?.url ?? '');
  return async () => {
    await server.stop();
    postgres?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
}
