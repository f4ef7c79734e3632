import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { getRun } from '../../db/runs.js';
import { notFound } from '../../errors.js';
import { roomEntrySchema } from '../../realtime/rooms/model.js';
import type { AppDeps } from '../deps.js';
import { problemResponses, wholeNumberParam } from '../schemas.js';

/** `GET /api/v1/runs/:runId/room`: a run's room record (joins, leaves, messages, decisions, hand-offs), replayable. */
export function roomRoutes(deps: AppDeps) {
  return new OpenAPIHono().openapi(createRoute({
    method: 'get', path: '/{runId}/room', summary: 'A run\'s room record after entry `after`, oldest first',
    request: {
      params: z.object({ runId: z.string().openapi({ param: { name: 'runId', in: 'path' } }) }),
      // Entry ids are a bigserial; past a safe integer JavaScript cannot name one exactly.
      query: z.object({ after: wholeNumberParam(0, Number.MAX_SAFE_INTEGER).default(0) }),
    },
    responses: { 200: { description: 'room entries', content: { 'application/json': { schema: z.object({ items: z.array(roomEntrySchema) }) } } }, ...problemResponses(404) },
  }), async (c) => {
    const { runId } = c.req.valid('param');
    if (!(await getRun(deps.db.db, runId))) throw notFound(`run "${runId}"`);
    return c.json({ items: await deps.rooms.entries(runId, c.req.valid('query').after) }, 200);
  });
}
