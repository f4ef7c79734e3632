import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../config.js';
import { ensureTemporalCli, type TemporalCli } from './cli.js';
import { readDevServerSettings, type DevServerSettings } from './dev-config.js';

/** A running local Temporal dev server. */
export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  cli: TemporalCli;
  /** The process the server runs under (a guard that ends the server with this process); the server is its child. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period); until then, a server that exits is started again. */
  stop(): Promise<void>;
}

/** Per-start changes to the settings of `temporal-dev.yml`. */
export interface DevServerOverrides {
  port?: number;
  uiPort?: number;
  /** SQLite file; `null` keeps state in memory only. */
  dbFile?: string | null;
  headless?: boolean;
  dynamicConfig?: Record<string, unknown>;
  cliOverride?: string;
  log?: (line: string) => void;
}

function argsFor(settings: DevServerSettings, o: DevServerOverrides): string[] {
  const port = o.port ?? settings.port;
  const args = ['server', 'start-dev', '--ip', settings.ip, '--port', String(port), '--namespace', settings.namespace,
    '--log-level', 'warn', '--log-format', 'json'];
  const dbFile = o.dbFile === undefined ? path.resolve(projectRoot, settings.dbFile) : o.dbFile;
  if (dbFile) {
    mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
    for (const [k, v] of Object.entries(settings.sqlitePragmas)) args.push('--sqlite-pragma', `${k}=${v}`);
  }
  if (o.headless) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort ?? settings.uiPort));
  for (const [k, v] of Object.entries(settings.searchAttributes)) args.push('--search-attribute', `${k}=${v}`);
  for (const [k, v] of Object.entries({ ...settings.dynamicConfig, ...o.dynamicConfig })) {
    args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  }
  return args;
}

async function waitUntilServing(child: ChildProcess, address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${child.exitCode} while starting`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Runs the CLI under a small shell guard that stops it when Weft goes away, even by SIGKILL: the guard holds
 * a pipe from this process, and the pipe's end of file (this process died) stops the server.
 */
const guard = [
  'cli="$1"; shift',
  // A background job's stdin is /dev/null unless redirected, so keep the pipe on fd 3 for the watcher.
  'exec 3<&0',
  '"$cli" "$@" </dev/null & t=$!',
  'trap \'kill -TERM $t 2>/dev/null\' TERM INT',
  '(while read -r _ <&3; do :; done; kill -TERM $t 2>/dev/null) & w=$!',
  'wait $t; s=$?',
  'while kill -0 $t 2>/dev/null; do wait $t; s=$?; done',
  'kill $w 2>/dev/null',
  'exit $s',
].join('\n');

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
}

/** The dev server did not start: it exited (`exitedEarly`) or did not answer in time. `stderr` is what it wrote. */
class DevServerDidNotStart extends Error {
  constructor(reason: string, readonly exitedEarly: boolean, readonly stderr: string) {
    super(stderr ? `${reason}\n${stderr}` : reason);
  }
}

/** Spawns the dev server under the guard and waits until its namespace answers; kills it and throws (with its stderr) if it does not. */
async function launch(cli: TemporalCli, args: string[], address: string, namespace: string): Promise<Launched> {
  const child = spawn('/bin/sh', ['-c', guard, 'weft-temporal', cli.path, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_000) stderr += chunk.toString();
  });
  const stderrClosed = new Promise<void>((resolve) => (child.stderr ? child.stderr.once('close', () => resolve()) : resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilServing(child, address, namespace, 60_000);
  } catch (err) {
    const exitedEarly = child.exitCode !== null;
    child.kill('SIGKILL');
    await exited;
    // The exit can be seen before the last of stderr is read. A second at most: a server left running past the
    // guard holds the pipe open.
    await Promise.race([stderrClosed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    throw new DevServerDidNotStart((err as Error).message, exitedEarly, stderr);
  }
  return { child, exited };
}

/**
 * Whether starting the dev server again may work: it exited as it started because a port it chose itself was
 * taken, or without a word (seen once among parallel tests, with nothing on stderr to say why).
 */
function worthRetrying(err: unknown): err is DevServerDidNotStart {
  return err instanceof DevServerDidNotStart && err.exitedEarly && (err.stderr.includes('address already in use') || err.stderr.trim() === '');
}

/**
 * Starts `temporal server start-dev` as a child process with the settings of `temporal-dev.yml`, provisioning
 * the pinned CLI first, and resolves once the namespace answers.
 */
export async function startDevServer(overrides: DevServerOverrides = {}): Promise<DevServer> {
  const settings = readDevServerSettings();
  const log = overrides.log ?? ((line: string) => console.error(`[temporal] ${line}`));
  const cli = await ensureTemporalCli({ version: settings.cli.version, override: overrides.cliOverride, log });
  const port = overrides.port ?? settings.port;
  const address = `${settings.ip}:${port}`;
  if (await portAnswers(settings.ip, port)) {
    throw new Error(`port ${port} on ${settings.ip} is already in use (another Temporal dev server, or Weft already running?). ` +
      'Stop it, or set WEFT_TEMPORAL_PORT to another port, or TEMPORAL_ADDRESS to use a running server.');
  }
  // The CLI picks the HTTP API's and the cluster's internal ports itself, as free ports it then lets go of:
  // another process can take one in between, and the server exits with "address already in use". Try again
  // (see worthRetrying).
  let started: Launched | undefined;
  for (let attempt = 1; !started; attempt++) {
    try {
      started = await launch(cli, argsFor(settings, overrides), address, settings.namespace);
    } catch (err) {
      if (attempt >= 3 || !worthRetrying(err)) throw err;
      log(`the dev server exited as it started (attempt ${attempt}: ${err.stderr.trim() || 'no message'}); starting it again`);
    }
  }
  // The server is Weft's to keep: should it die (a crash, an OOM kill), it is started again on the same port and
  // file, and the worker and clients, which retry their connections, go on with every run where it was.
  let current = started;
  let stopping = false;
  const args = argsFor(settings, overrides);
  const keep = (launched: Launched): void => {
    void launched.exited.then(async () => {
      if (stopping || current !== launched) return;
      const { exitCode, signalCode } = launched.child;
      log(`the dev server exited (${signalCode ?? `code ${String(exitCode)}`}); starting it again: runs go on where they were`);
      for (let attempt = 1; !stopping; attempt++) {
        try {
          const again = await launch(cli, args, address, settings.namespace);
          if (stopping) {
            again.child.kill('SIGTERM');
            return;
          }
          current = again;
          log('the dev server is serving again');
          keep(again);
          return;
        } catch (err) {
          log(`the dev server did not start again (attempt ${attempt}): ${(err as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 10_000)));
        }
      }
    });
  };
  keep(current);
  return {
    address,
    namespace: settings.namespace,
    uiUrl: overrides.headless ? undefined : `http://${settings.ip === '127.0.0.1' ? 'localhost' : settings.ip}:${overrides.uiPort ?? settings.uiPort}`,
    cli,
    get pid() {
      return current.child.pid;
    },
    async stop() {
      stopping = true;
      const { child, exited } = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
