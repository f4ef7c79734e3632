import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: where `temporal-dev.yml`, `drizzle/` and `.data/` live. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** TLS or API-key settings for a remote Temporal cluster. */
export interface TemporalTlsConfig {
  certPath?: string;
  keyPath?: string;
  caPath?: string;
  serverName?: string;
}

/** Everything Weft reads from its environment, read in this one place. */
export interface WeftConfig {
  /** HTTP port of the API, the realtime bridge and the UI. */
  port: number;
  host: string;
  /** A PostgreSQL URL; without it Weft uses PGlite under {@link WeftConfig.dataDir}. */
  databaseUrl?: string;
  dataDir: string;
  temporal: {
    /** A cluster to use; without it Weft starts the dev server described by `temporal-dev.yml`. */
    address?: string;
    namespace?: string;
    taskQueue: string;
    tls?: TemporalTlsConfig;
    apiKey?: string;
    /** A Temporal CLI binary to use instead of provisioning one. */
    cli?: string;
    /** Ports of the dev server `npm start` runs, overriding `temporal-dev.yml`. */
    devPort?: number;
    devUiPort?: number;
  };
  /** Milliseconds a graceful shutdown may take before the process exits anyway. */
  shutdownGraceMs: number;
  /**
   * Whether code in the workflow sandbox keeps stack traces (`WEFT_WORKFLOW_STACK_TRACES=1`): for the Web UI's
   * Stack Trace tab and for the place of an error in Weft's own workflow code. Off by default, as they took about a
   * fifth of a run's workflow-task time (see `src/workflows/stack-trace-limit.ts`).
   */
  workflowStackTraces: boolean;
  /**
   * Secrets for `{{ secrets.<name> }}`, from `WEFT_SECRET_<name>` variables. Only workers read them, inside
   * activities, so their values never enter Temporal history.
   */
  secrets: Readonly<Record<string, string>>;
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${key} must be a non-negative integer, got "${raw}"`);
  return value;
}

function flagFrom(env: Env, key: string): boolean {
  const raw = nonEmpty(env[key]);
  if (raw === undefined || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new TypeError(`${key} must be 1, true, 0 or false, got "${raw}"`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Reads Weft's configuration. Explicit overrides win over the environment, which wins over defaults.
 *
 * @example
 * const config = loadConfig(); // from process.env
 * const forTests = loadConfig({ PORT: '0' }, { databaseUrl: undefined });
 */
export function loadConfig(env: Env = process.env, overrides: Partial<WeftConfig> = {}): WeftConfig {
  // A client certificate or an API key means TLS whatever TEMPORAL_TLS says: neither is sent in the clear.
  const tlsEnabled = flagFrom(env, 'TEMPORAL_TLS') || !!env.TEMPORAL_TLS_CERT || !!env.TEMPORAL_API_KEY;
  const base: WeftConfig = {
    port: intFrom(env, 'PORT', 3000),
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    databaseUrl: nonEmpty(env.DATABASE_URL),
    dataDir: path.resolve(projectRoot, nonEmpty(env.WEFT_DATA_DIR) ?? '.data'),
    temporal: {
      address: nonEmpty(env.TEMPORAL_ADDRESS),
      namespace: nonEmpty(env.TEMPORAL_NAMESPACE),
      taskQueue: nonEmpty(env.WEFT_TASK_QUEUE) ?? 'weft',
      tls: tlsEnabled
        ? {
            certPath: nonEmpty(env.TEMPORAL_TLS_CERT),
            keyPath: nonEmpty(env.TEMPORAL_TLS_KEY),
            caPath: nonEmpty(env.TEMPORAL_TLS_CA),
            serverName: nonEmpty(env.TEMPORAL_TLS_SERVER_NAME),
          }
        : undefined,
      apiKey: nonEmpty(env.TEMPORAL_API_KEY),
      cli: nonEmpty(env.TEMPORAL_CLI),
      devPort: env.WEFT_TEMPORAL_PORT ? intFrom(env, 'WEFT_TEMPORAL_PORT', 0) : undefined,
      devUiPort: env.WEFT_TEMPORAL_UI_PORT ? intFrom(env, 'WEFT_TEMPORAL_UI_PORT', 0) : undefined,
    },
    shutdownGraceMs: intFrom(env, 'WEFT_SHUTDOWN_GRACE_MS', 30_000),
    workflowStackTraces: flagFrom(env, 'WEFT_WORKFLOW_STACK_TRACES'),
    secrets: Object.fromEntries(Object.entries(env).flatMap(([key, value]) =>
      key.startsWith('WEFT_SECRET_') && key.length > 'WEFT_SECRET_'.length && value !== undefined ? [[key.slice('WEFT_SECRET_'.length), value]] : [])),
  };
  return { ...base, ...overrides, temporal: { ...base.temporal, ...overrides.temporal } };
}

/**
 * Makes the process read dates in UTC. Expressions run in the workflow sandbox, where JavaScript and JSONata read
 * a date and time without a zone (`$toMillis("2025-01-31T09:00:00")`) in the process's time zone: workers on
 * machines set to different zones would answer differently, and a run replayed on another would not do what it
 * did. Every worker calls this before its threads start.
 */
export function readDatesInUtc(): void {
  process.env.TZ = 'UTC';
}
