import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listRuns } from '../../db/runs.js';
import { maxStoredInt } from '../../db/storable.js';
import { WeftError } from '../../errors.js';
import { awaitRunState, readRunEvents, readRunState } from '../../runs/read-run.js';
import { eventPageSchema, runStateSchema, runStatusSchema } from '../../workflows/state.js';
import type { AppDeps } from '../deps.js';
import { component, pageQuerySchema, pageSchema, problemResponses, secondsParam, wholeNumberParam } from '../schemas.js';
import { runControlRoutes } from './run-control.js';

const runParams = z.object({ runId: z.string().openapi({ param: { name: 'runId', in: 'path' } }) });
const runState = component(runStateSchema, 'RunState');
const eventPage = component(eventPageSchema, 'EventPage');

const runSummarySchema = z.object({
  runId: z.string(), templateId: z.string(), templateVersion: z.number().int(), status: z.string(), trigger: z.string(),
  parentRunId: z.string().nullable(), startedAt: z.string(), endedAt: z.string().nullable(),
}).openapi('RunSummary');

// An empty filter is more likely a variable that was not set than a wish for every run.
const filter = () => z.string().min(1, 'is empty: leave the parameter out to list runs without this filter');

const listQuery = pageQuerySchema.extend({
  templateId: filter().optional(),
  status: runStatusSchema.optional(),
  parentRunId: filter().optional().openapi({ description: 'only the child runs this run started (its sub-workflows and map items)' }),
  topLevel: z.enum(['true', 'false']).optional().openapi({ description: '`true`: only runs started from outside (the API, later schedules and triggers), no child runs; `false`: only child runs' }),
});

function encodeCursor(startedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([startedAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const startedAt = new Date(at);
    // As encodeCursor writes it: a time PostgreSQL can compare (years 1 to 9999), in the same ISO form.
    if (typeof id !== 'string' || Number.isNaN(startedAt.getTime()) || startedAt.toISOString() !== at || startedAt.getUTCFullYear() < 1 || startedAt.getUTCFullYear() > 9999) throw new TypeError('bad cursor');
    return { startedAt, id };
  } catch {
    throw new WeftError('bad-request', 'cursor is not one this API issued', [{ path: 'cursor', message: 'pass nextCursor from a previous page' }]);
  }
}

/** Run routes: state, events, result (long poll), listing, and operator control (see {@link runControlRoutes}). */
export function runRoutes(deps: AppDeps) {
  const readers = { db: deps.db.db, client: deps.temporal.client };
  return new OpenAPIHono()
    .route('/', runControlRoutes(deps))
    .openapi(createRoute({
      method: 'get', path: '/', summary: 'List runs, newest first',
      request: { query: listQuery },
      responses: { 200: { description: 'a page of runs', content: { 'application/json': { schema: pageSchema(runSummarySchema) } } }, ...problemResponses(400) },
    }), async (c) => {
      const q = c.req.valid('query');
      const rows = await listRuns(readers.db, { templateId: q.templateId, status: q.status, parentRunId: q.parentRunId, topLevel: q.topLevel === undefined ? undefined : q.topLevel === 'true', cursor: q.cursor ? decodeCursor(q.cursor) : undefined, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return c.json({
        items: page.map((r) => ({
          runId: r.id, templateId: r.templateId, templateVersion: r.templateVersion, status: r.status, trigger: r.trigger,
          parentRunId: r.parentRunId, startedAt: r.startedAt.toISOString(), endedAt: r.endedAt?.toISOString() ?? null,
        })),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.startedAt, last.id) : null,
      }, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{runId}', summary: 'A run\'s state: status, progress, each node, output or error', request: { params: runParams },
      responses: { 200: { description: 'the run', content: { 'application/json': { schema: runState } } }, ...problemResponses(404) },
    }), async (c) => c.json(await readRunState(readers, c.req.valid('param').runId), 200))
    .openapi(createRoute({
      method: 'get', path: '/{runId}/result', summary: 'Wait for a run to end (up to `wait` seconds), then its state',
      request: { params: runParams, query: z.object({ wait: secondsParam(300).default(30) }) },
      responses: { 200: { description: 'the run, ended or not', content: { 'application/json': { schema: runState } } }, ...problemResponses(404) },
    }), async (c) => c.json(await awaitRunState(readers, c.req.valid('param').runId, c.req.valid('query').wait * 1000), 200))
    .openapi(createRoute({
      method: 'get', path: '/{runId}/events', summary: 'A run\'s events after `after`, in seq order',
      description: 'A page of events. While `more` is true, ask again with `after` set to the page\'s last seq; an open run\'s page without `more` holds every event so far.',
      request: { params: runParams, query: z.object({ after: wholeNumberParam(0, maxStoredInt).default(0) }) },
      responses: { 200: { description: 'events', content: { 'application/json': { schema: eventPage } } }, ...problemResponses(404) },
    }), async (c) => c.json(await readRunEvents(readers, c.req.valid('param').runId, c.req.valid('query').after), 200));
}
