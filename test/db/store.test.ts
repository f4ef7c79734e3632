import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRefs, storeValue } from '../../src/activities/blobs.js';
import type { Database } from '../../src/db/client.js';
import { getRun, getRunEvents, insertRun, listRuns, recordRunSummary, type RunSummary } from '../../src/db/runs.js';
import { runsTable } from '../../src/db/schema.js';
import { archiveTemplate, definitionHash, getTemplate, getTemplateVersion, listTemplates, listTemplateVersions, saveTemplate } from '../../src/db/templates.js';
import type { Template } from '../../src/template/model.js';
import type { RunState } from '../../src/workflows/state.js';
import { databaseKinds, hasPostgres, openTestDatabase } from '../support/database.js';

const template = (id: string, url = 'http://127.0.0.1:9/a'): Template => ({
  id, name: `Template ${id}`, nodes: [{ id: 'get', type: 'http', config: { method: 'GET', url } }],
});

describe.each(databaseKinds)('the store on %s', (kind) => {
  let database: Database;
  const skip = kind === 'postgres' && !hasPostgres();

  beforeAll(async () => {
    if (!skip) database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it.skipIf(skip)('versions a template only when its definition changes', async () => {
    const first = await saveTemplate(database.db, template('orders'));
    expect([first.version.version, first.created]).toEqual([1, true]);
    const same = await saveTemplate(database.db, { ...template('orders') });
    expect([same.version.version, same.created]).toEqual([1, false]);
    const changed = await saveTemplate(database.db, template('orders', 'http://127.0.0.1:9/b'));
    expect([changed.version.version, changed.created]).toEqual([2, true]);
    expect((await getTemplateVersion(database.db, 'orders', 1))?.definition.nodes[0]?.config).toEqual({ method: 'GET', url: 'http://127.0.0.1:9/a' });
    expect((await getTemplateVersion(database.db, 'orders'))?.version).toBe(2);
    expect((await listTemplateVersions(database.db, 'orders')).map((v) => v.version)).toEqual([1, 2]);
    expect((await getTemplate(database.db, 'orders'))?.latestVersion).toBe(2);
  });

  it.skipIf(skip)('resolves blob references wherever they are, in stored values too', async () => {
    const big = { text: 'x'.repeat(1_000) };
    const inner = await storeValue(database.db, 'run-blobs', big);
    // A list of references stored whole, as a map's outputs are when the list is large.
    const outer = await storeValue(database.db, 'run-blobs', [inner, { keep: 1, deep: [inner] }]);
    const value = { outputs: outer, plain: [1, 2] };
    expect(await resolveRefs(database.db, value)).toEqual({ outputs: [big, { keep: 1, deep: [big] }], plain: [1, 2] });
    // What holds no reference comes back as it is.
    expect(await resolveRefs(database.db, value.plain)).toBe(value.plain);
    const missing = { ...inner, $ref: 'blob:00000000-0000-0000-0000-000000000000' as const };
    await expect(resolveRefs(database.db, [missing])).rejects.toMatchObject({ type: 'BlobMissing' });
    await expect(resolveRefs(database.db, [missing], (ref) => new Error(`no ${ref.$ref}`))).rejects.toThrow('no blob:00000000');
  });

  it.skipIf(skip)('hashes definitions independently of key order', () => {
    const a = template('x');
    const b = { nodes: a.nodes.map((n) => ({ config: n.config, type: n.type, id: n.id })), name: a.name, id: a.id } as Template;
    expect(definitionHash(a)).toBe(definitionHash(b));
    expect(definitionHash(a)).not.toBe(definitionHash(template('x', 'http://127.0.0.1:9/other')));
  });

  it.skipIf(skip)('gives concurrent uploads distinct, gapless version numbers', async () => {
    const uploads = await Promise.all(Array.from({ length: 6 }, (_, i) => saveTemplate(database.db, template('busy', `http://127.0.0.1:9/${i}`))));
    expect(uploads.map((u) => u.version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.skipIf(skip)('archives a template, hides it from the list, and restores it on upload', async () => {
    await saveTemplate(database.db, template('old'));
    expect(await archiveTemplate(database.db, 'old')).toBe(true);
    expect(await archiveTemplate(database.db, 'never')).toBe(false);
    expect((await listTemplates(database.db, { limit: 100 })).map((t) => t.id)).not.toContain('old');
    expect((await listTemplates(database.db, { limit: 100, includeArchived: true })).map((t) => t.id)).toContain('old');
    await saveTemplate(database.db, template('old'));
    expect((await getTemplate(database.db, 'old'))?.archivedAt).toBeNull();
  });

  it.skipIf(skip)('records a closed run idempotently with its events in order', async () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    await insertRun(database.db, { id: 'run-1', templateId: 'orders', templateVersion: 1, trigger: 'api', input: { a: 1 }, startedAt });
    expect((await getRun(database.db, 'run-1'))?.status).toBe('running');
    const state: RunState = {
      runId: 'run-1', templateId: 'orders', templateVersion: 1, status: 'completed', progress: 100, startedAt: startedAt.toISOString(),
      endedAt: '2026-01-01T00:00:01.000Z', nodes: [], output: { total: 3 }, seq: 2,
    };
    const events = [
      { seq: 1, type: 'run.started' as const, at: '2026-01-01T00:00:00.000Z' },
      { seq: 2, type: 'run.completed' as const, at: '2026-01-01T00:00:01.000Z', data: { output: { total: 3 } } },
    ];
    const summary = { runId: 'run-1', templateId: 'orders', templateVersion: 1, trigger: 'api', input: { a: 1 }, state, events };
    await recordRunSummary(database.db, summary);
    await recordRunSummary(database.db, summary);
    const row = await getRun(database.db, 'run-1');
    expect(row).toMatchObject({ status: 'completed', output: { total: 3 } });
    expect(row?.endedAt?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(await getRunEvents(database.db, 'run-1', 0)).toEqual(events);
    expect(await getRunEvents(database.db, 'run-1', 1)).toEqual([events[1]]);
    // The index repair, which may know less of the run, keeps what is stored.
    const lesser = { ...summary, state: { ...state, status: 'cancelled' as const, seq: 1 }, events: [{ seq: 1, type: 'run.cancelled' as const, at: '2026-01-01T00:00:02.000Z' }] };
    await recordRunSummary(database.db, lesser);
    expect(await getRunEvents(database.db, 'run-1', 0)).toEqual(events);
    // The run's own close replaces them: a refused workflow task may have written others.
    await recordRunSummary(database.db, lesser, { replace: true });
    expect(await getRunEvents(database.db, 'run-1', 0)).toEqual(lesser.events);
  });

  it.skipIf(skip)('records a close while another caller holds a transaction open, and outside it', async () => {
    const closed = (runId: string): RunSummary => ({
      runId, templateId: 'orders', templateVersion: 1, trigger: 'api', input: null, events: [{ seq: 1, type: 'run.completed', at: '2026-01-01T00:00:01.000Z' }],
      state: { runId, templateId: 'orders', templateVersion: 1, status: 'completed', progress: 100, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', nodes: [], seq: 1 },
    });
    let recording: Promise<void> | undefined;
    const rolledBack = database.db.transaction(async (tx) => {
      await insertRun(tx, { id: 'run-in-tx', templateId: 'orders', templateVersion: 1, trigger: 'api', input: null, startedAt: new Date() });
      recording = recordRunSummary(database.db, closed('run-beside-tx'));
      // Time for the write to slip in between this transaction's statements, were it let.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.select().from(runsTable).limit(1);
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    await recording;
    expect(await getRun(database.db, 'run-in-tx')).toBeUndefined();
    expect((await getRun(database.db, 'run-beside-tx'))?.status).toBe('completed');
  });

  it.skipIf(skip)('refuses a close it cannot write, and writes the next one', async () => {
    const state: RunState = { runId: 'run-bad', templateId: 'orders', templateVersion: 1, status: 'completed', progress: 100, startedAt: 'not a time', nodes: [], seq: 0 };
    const bad: RunSummary = { runId: 'run-bad', templateId: 'orders', templateVersion: 1, trigger: 'api', input: null, state, events: [] };
    await expect(recordRunSummary(database.db, bad)).rejects.toThrow(/not a time/);
    await recordRunSummary(database.db, { ...bad, runId: 'run-good', state: { ...state, runId: 'run-good', startedAt: '2026-01-01T00:00:00.000Z' } });
    expect(await getRun(database.db, 'run-bad')).toBeUndefined();
    expect((await getRun(database.db, 'run-good'))?.status).toBe('completed');
  });

  it.skipIf(skip)('reads back a string that looks like JSON as the string it is, in runs, events and blobs', async () => {
    const strings = ['42', 'true', 'null', '{"a":1}', '"quoted"'];
    const state = { runId: 'run-strings', templateId: 'orders', templateVersion: 1, status: 'completed', progress: 100, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', nodes: [], seq: 1, inFlight: [], output: '42' } as RunState;
    const events = [{ seq: 1, type: 'run.completed' as const, at: '2026-01-01T00:00:01.000Z', data: 'true' }];
    await recordRunSummary(database.db, { runId: 'run-strings', templateId: 'orders', templateVersion: 1, trigger: 'api', input: '{"a":1}', state, events });
    const row = await getRun(database.db, 'run-strings');
    expect([row?.output, row?.input]).toEqual(['42', '{"a":1}']);
    expect(await getRunEvents(database.db, 'run-strings', 0)).toEqual(events);
    for (const value of strings) expect(await resolveRefs(database.db, await storeValue(database.db, 'run-strings', value))).toBe(value);
  });

  it.skipIf(skip)('writes text PostgreSQL cannot read in events and jsonb, half of an emoji or U+0000, with U+FFFD in its place', async () => {
    // As a JSON answer can give them ("\ud83d", "\u0000"), beside a whole emoji and a backslash that only looks like an escape.
    const half = 'cut \ud83d and \u0000 here', kept = 'whole \ud83d\ude00 and \\ud83d as text';
    const read = 'cut \ufffd and \ufffd here';
    const state = { runId: 'run-half', templateId: 'orders', templateVersion: 1, status: 'completed', progress: 100, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', nodes: [], seq: 1, output: { half, kept } } as RunState;
    const events = [{ seq: 1, type: 'run.completed' as const, at: '2026-01-01T00:00:01.000Z', data: { output: { half, kept } } }];
    await recordRunSummary(database.db, { runId: 'run-half', templateId: 'orders', templateVersion: 1, trigger: 'api', input: { half }, state, events }, { replace: true });
    const row = await getRun(database.db, 'run-half');
    expect(await getRunEvents(database.db, 'run-half', 0)).toEqual([{ ...events[0], data: { output: { half: read, kept } } }]);
    // `json` columns keep the text as it came: the run's values, and a stored value, read back exactly.
    expect([row?.status, row?.input, row?.output]).toEqual(['completed', { half }, { half, kept }]);
    expect(await resolveRefs(database.db, await storeValue(database.db, 'run-half', { half }))).toEqual({ half });
    // A jsonb column.
    const saved = await saveTemplate(database.db, { ...template('half'), output: { half } });
    expect((await getTemplateVersion(database.db, 'half', saved.version.version))?.definition.output).toEqual({ half: read });
  });

  it.skipIf(skip)('pages runs newest first with a stable cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await insertRun(database.db, { id: `page-${i}`, templateId: 'paged', templateVersion: 1, trigger: 'api', input: null, startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    }
    const first = await listRuns(database.db, { templateId: 'paged', limit: 2 });
    const last = first.at(-1)!;
    const second = await listRuns(database.db, { templateId: 'paged', limit: 10, cursor: { startedAt: last.startedAt, id: last.id } });
    expect([...first, ...second].map((r) => r.id)).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
  });
});
