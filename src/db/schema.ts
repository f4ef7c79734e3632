import { bigserial, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { json, jsonb } from './json-columns.js';

/** A template id: the stable name users upload versions under. Archived templates start no new runs. */
export const templatesTable = pgTable('templates', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  latestVersion: integer('latest_version').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
});

/** One immutable version of a template: the canonical definition, and the source it was uploaded as. */
export const templateVersionsTable = pgTable(
  'template_versions',
  {
    templateId: text('template_id').notNull().references(() => templatesTable.id),
    version: integer('version').notNull(),
    /** The canonical template (JSON), what runs execute. */
    definition: jsonb('definition').notNull(),
    /** SHA-256 of the canonical definition: an upload with the same hash is the same version. */
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] }), index('template_versions_hash_idx').on(t.templateId, t.hash)],
);

/**
 * The run index: a durable summary of every run, written when it starts and when it closes.
 *
 * Run values, events and blobs are `json`, not `jsonb`: they are written on every run's path to its close and
 * read back whole, never queried inside. `json` stores the text as it comes, where `jsonb` parses it into its
 * binary form first, which in PGlite made the closing write about half as dear again.
 */
export const runsTable = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    status: text('status').notNull(),
    trigger: text('trigger').notNull().default('api'),
    /** The run that started this one as a child; set as the child starts, before its close is recorded. */
    parentRunId: text('parent_run_id'),
    input: json('input'),
    output: json('output'),
    error: json('error'),
    /** The final run state (as the state query returns it), kept for reads after the workflow closes. */
    state: json('state'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('runs_template_idx').on(t.templateId, t.startedAt),
    index('runs_status_idx').on(t.status, t.startedAt),
    index('runs_parent_idx').on(t.parentRunId, t.startedAt),
  ],
);

/** A closed run's event log, in seq order. */
export const runEventsTable = pgTable(
  'run_events',
  {
    runId: text('run_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    nodeId: text('node_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
    data: json('data'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Values too large for a Temporal payload, stored here and referenced from run state by id. */
export const blobsTable = pgTable('blobs', {
  id: text('id').primaryKey(),
  runId: text('run_id'),
  value: json('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A run's room record: who joined and left, messages, decisions and hand-offs, in the order they happened
 * (`id`), kept after the run ends so the room can be replayed.
 */
export const roomEntriesTable = pgTable(
  'room_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id').notNull(),
    kind: text('kind').notNull(),
    participantId: text('participant_id').notNull(),
    participantName: text('participant_name'),
    role: text('role').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    data: jsonb('data'),
  },
  (t) => [index('room_entries_run_idx').on(t.runId, t.id)],
);

/** A row of {@link templatesTable}. */
export type TemplateRow = typeof templatesTable.$inferSelect;
/** A row of {@link templateVersionsTable}. */
export type TemplateVersionRow = typeof templateVersionsTable.$inferSelect;
/** A row of {@link runsTable}. */
export type RunRow = typeof runsTable.$inferSelect;
/** A row of {@link roomEntriesTable}. */
export type RoomEntryRow = typeof roomEntriesTable.$inferSelect;
/** A row of {@link runEventsTable}. */
export type RunEventRow = typeof runEventsTable.$inferSelect;
