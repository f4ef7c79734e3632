import { and, asc, desc, eq, getTableName, gt, inArray, isNull, min, ne, not, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { terminalRunStatuses, type RunEvent, type RunState } from '../workflows/state.js';
import type { Db } from './client.js';
import { jsonText } from './json-text.js';
import { executePrepared, type PreparedWrite } from './prepared-write.js';
import { blobsTable, runEventsTable, runsTable, type RunRow } from './schema.js';

/** What a closing run records about itself. */
export interface RunSummary {
  runId: string;
  templateId: string;
  templateVersion: number;
  trigger: string;
  input: unknown;
  state: RunState;
  events: RunEvent[];
}

/** Adds a run to the index as it starts, unless a row of that id is there already; false when it was. */
export async function insertRun(db: Db, run: { id: string; templateId: string; templateVersion: number; trigger: string; input: unknown; startedAt: Date }): Promise<boolean> {
  const inserted = await db.insert(runsTable).values({ ...run, status: 'running' }).onConflictDoNothing({ target: runsTable.id }).returning({ id: runsTable.id });
  return inserted.length > 0;
}

/** Removes a run that never started (its workflow could not be created). */
export async function deleteRun(db: Db, id: string): Promise<void> {
  await db.delete(runsTable).where(eq(runsTable.id, id));
}

// Absent values are SQL nulls, as the columns hold them when written through the schema.
const jsonParam = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** The close's write: the run's upsert and its events' insert as one data-modifying statement. */
const recordRunStatement: PreparedWrite = {
  name: 'weft_record_run_summary',
  text: `
    with run as (
      insert into ${getTableName(runsTable)} (id, template_id, template_version, trigger, input, status, output, error, state, started_at, ended_at, updated_at)
      values ($1, $2, $3::integer, $4, $5::json, $6, $7::json, $8::json, $9::json, $10::timestamptz, $11::timestamptz, now())
      on conflict (id) do update set
        template_id = excluded.template_id, template_version = excluded.template_version, trigger = excluded.trigger,
        input = excluded.input, status = excluded.status, output = excluded.output, error = excluded.error,
        state = excluded.state, started_at = excluded.started_at, ended_at = excluded.ended_at, updated_at = excluded.updated_at
    )
    , beyond as (
      delete from ${getTableName(runEventsTable)} where run_id = $1 and seq > $13::integer and $14::integer = 1
    )
    insert into ${getTableName(runEventsTable)} (run_id, seq, type, node_id, at, data)
    select $1, e.seq, e.type, e.node_id, e.at, e.data
    from json_to_recordset($12::json) as e(seq integer, type text, node_id text, at timestamptz, data json)
    on conflict (run_id, seq) do update set type = excluded.type, node_id = excluded.node_id, at = excluded.at, data = excluded.data
      where $14::integer = 1`,
};

/**
 * Writes a closed run's summary and events. Idempotent: a retried or replayed call writes the same rows.
 *
 * With `replace` (the run's own close, written by its workflow), the events replace any stored at the same
 * seqs, and any stored past the run's last one go: they were written in a workflow task Temporal then refused
 * (something happened meanwhile), and the task that took its place may have numbered the events otherwise.
 * Without it (the index repair, which may know only part of a run), stored events are kept.
 *
 * One statement, so it is atomic without a transaction and costs one round trip, and a prepared one
 * ({@link executePrepared}): it sits on every run's path to its close.
 */
export async function recordRunSummary(db: Db, summary: RunSummary, { replace = false }: { replace?: boolean } = {}): Promise<void> {
  const { state } = summary;
  // `json_to_recordset` reads each event's strings, and refuses what `jsonText` replaces.
  const events = jsonText(summary.events.map((e) => ({ seq: e.seq, type: e.type, node_id: e.nodeId ?? null, at: e.at, data: e.data ?? null }))) ?? '[]';
  await executePrepared(db, recordRunStatement, [
    summary.runId, summary.templateId, String(summary.templateVersion), summary.trigger, jsonParam(summary.input),
    state.status, jsonParam(state.output), jsonParam(state.error), jsonParam(state), state.startedAt, state.endedAt ?? null, events, String(state.seq), replace ? '1' : '0',
  ]);
}

/** One run of the index. */
export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(runsTable).where(eq(runsTable.id, id)).limit(1);
  return row;
}

/** How many events the index answers with at most, per read: a page. */
export const eventPageSize = 1000;

/** A closed run's stored events after `afterSeq`. */
export async function getRunEvents(db: Db, runId: string, afterSeq: number, limit = eventPageSize): Promise<RunEvent[]> {
  const rows = await db.select().from(runEventsTable)
    .where(and(eq(runEventsTable.runId, runId), gt(runEventsTable.seq, afterSeq)))
    .orderBy(asc(runEventsTable.seq)).limit(limit);
  return rows.map((r) => {
    const event: RunEvent = { seq: r.seq, type: r.type as RunEvent['type'], at: r.at.toISOString() };
    if (r.nodeId !== null) event.nodeId = r.nodeId;
    if (r.data !== null) event.data = r.data;
    return event;
  });
}

// A row (of `runs`, or of an alias of it) is open until its close is recorded: a final status and the state that
// goes with it. `or` of two conditions is never undefined.
const isOpen = (t: { status: AnyPgColumn; state: AnyPgColumn } = runsTable): SQL => or(notInArray(t.status, [...terminalRunStatuses]), isNull(t.state))!;

/** The rows among `ids` whose close the index has not recorded, in one query however many ids there are. */
export async function getOpenRuns(db: Db, ids: string[]): Promise<RunRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(runsTable).where(and(inArray(runsTable.id, ids), isOpen()));
}

/**
 * Open rows of child runs whose parent's close is recorded, at most `limit`: those a parent wrote, then ended
 * before it started the child, are among them (see `repair-index.ts`).
 */
export async function openChildRunsOfClosedParents(db: Db, limit: number): Promise<RunRow[]> {
  const parents = alias(runsTable, 'parents');
  const rows = await db.select({ child: runsTable }).from(runsTable)
    .innerJoin(parents, eq(runsTable.parentRunId, parents.id))
    .where(and(isOpen(), not(isOpen(parents))))
    .limit(limit);
  return rows.map((r) => r.child);
}

/** Where a walk over rows by start stands: the last row it took. */
export interface StartCursor {
  startedAt: Date;
  id: string;
}

/**
 * Open rows of runs started from outside (not child runs) that started after `after` and no later than `until`,
 * oldest first, at most `limit`: those whose start never reached Temporal are among them (see `repair-index.ts`).
 */
export async function openTopLevelRunsStartedBetween(db: Db, after: StartCursor | undefined, until: Date, limit: number): Promise<RunRow[]> {
  const where = [isOpen(), ne(runsTable.trigger, 'subworkflow'), sql`${runsTable.startedAt} <= ${until.toISOString()}::timestamptz`];
  if (after) where.push(sql`(${runsTable.startedAt}, ${runsTable.id}) > (${after.startedAt.toISOString()}::timestamptz, ${after.id})`);
  return db.select().from(runsTable).where(and(...where)).orderBy(asc(runsTable.startedAt), asc(runsTable.id)).limit(limit);
}

/** When the oldest run the index holds as open started; undefined when every run's close is recorded. */
export async function oldestOpenRunStart(db: Db): Promise<Date | undefined> {
  const [row] = await db.select({ startedAt: min(runsTable.startedAt) }).from(runsTable).where(isOpen());
  return row?.startedAt ?? undefined;
}

/** A page of runs, newest first; `cursor` is the last row's `startedAt|id` of the previous page. */
export async function listRuns(db: Db, filter: { templateId?: string; status?: string; parentRunId?: string; topLevel?: boolean; cursor?: { startedAt: Date; id: string }; limit: number }): Promise<RunRow[]> {
  const where: SQL[] = [];
  if (filter.templateId) where.push(eq(runsTable.templateId, filter.templateId));
  if (filter.parentRunId) where.push(eq(runsTable.parentRunId, filter.parentRunId));
  // By trigger, not by parent: rows of child runs written before the parent was kept have none.
  if (filter.topLevel !== undefined) where.push(filter.topLevel ? ne(runsTable.trigger, 'subworkflow') : eq(runsTable.trigger, 'subworkflow'));
  if (filter.status) where.push(eq(runsTable.status, filter.status));
  if (filter.cursor) where.push(sql`(${runsTable.startedAt}, ${runsTable.id}) < (${filter.cursor.startedAt.toISOString()}::timestamptz, ${filter.cursor.id})`);
  return db.select().from(runsTable).where(and(...where)).orderBy(desc(runsTable.startedAt), desc(runsTable.id)).limit(filter.limit);
}


/**
 * Sets an open run's status (paused, waiting for an operator, running again), so that listing by status finds
 * it. A row whose close is recorded is left as it is: its status is final.
 */
export async function setOpenRunStatus(db: Db, runId: string, status: RunState['status']): Promise<void> {
  // A final status alone keeps the row: a closed run's status never moves back, whether or not its state is in.
  await db.update(runsTable).set({ status, updatedAt: new Date() }).where(and(eq(runsTable.id, runId), notInArray(runsTable.status, [...terminalRunStatuses])));
}

/** Adds a child run (a sub-workflow or a map item's run) to the index as it starts; a repeat is a no-op. */
export async function insertChildRun(db: Db, run: { id: string; parentRunId: string; templateId: string; templateVersion: number; input: unknown; startedAt: Date }): Promise<void> {
  await db.insert(runsTable).values({ ...run, trigger: 'subworkflow', status: 'running' }).onConflictDoNothing();
}

/** Stores events of a run that goes on in a new execution; idempotent, like {@link recordRunSummary}. */
export async function appendEvents(db: Db, runId: string, events: RunEvent[]): Promise<void> {
  const rows = events.map((e) => ({ runId, seq: e.seq, type: e.type, nodeId: e.nodeId ?? null, at: new Date(e.at), data: e.data ?? null }));
  // What a refused workflow task wrote is replaced (see recordRunSummary).
  const set = { type: sql.raw('excluded.type'), nodeId: sql.raw('excluded.node_id'), at: sql.raw('excluded.at'), data: sql.raw('excluded.data') };
  for (let i = 0; i < rows.length; i += 500) {
    await db.insert(runEventsTable).values(rows.slice(i, i + 500)).onConflictDoUpdate({ target: [runEventsTable.runId, runEventsTable.seq], set });
  }
}

/** Stores a value too large for a Temporal payload. */
export async function insertBlob(db: Db, blob: { id: string; runId: string | null; value: unknown }): Promise<void> {
  await db.insert(blobsTable).values(blob);
}

/** Removes a stored blob that nothing refers to (an operator's command that was refused). */
export async function deleteBlob(db: Db, id: string): Promise<void> {
  await db.delete(blobsTable).where(eq(blobsTable.id, id));
}

/** A stored blob's value, or undefined when there is none with that id. */
export async function getBlob(db: Db, id: string): Promise<{ value: unknown } | undefined> {
  const [row] = await db.select({ value: blobsTable.value }).from(blobsTable).where(eq(blobsTable.id, id)).limit(1);
  return row;
}

/** The newest event that gave a node its output (`node.completed`, or an operator's `node.skipped`). */
export async function getNodeOutputEvent(db: Db, runId: string, nodeId: string): Promise<RunEvent | undefined> {
  const [row] = await db.select().from(runEventsTable)
    .where(and(eq(runEventsTable.runId, runId), eq(runEventsTable.nodeId, nodeId), inArray(runEventsTable.type, ['node.completed', 'node.skipped'])))
    .orderBy(desc(runEventsTable.seq)).limit(1);
  return row ? { seq: row.seq, type: row.type as RunEvent['type'], nodeId, at: row.at.toISOString(), data: row.data ?? undefined } : undefined;
}
