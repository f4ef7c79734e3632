import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';

const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ database: z.string(), temporal: z.string() }),
});

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3_000))]);
    return 'ok';
  } catch (err) {
    return `failing: ${(err as Error).message}`;
  }
}

/** `GET /health` (the process is alive) and `GET /ready` (the database and Temporal answer). */
export function healthRoutes(deps: AppDeps) {
  return new OpenAPIHono()
    .openapi(createRoute({ method: 'get', path: '/health', responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } } }),
      (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(createRoute({
      method: 'get', path: '/ready',
      responses: {
        200: { description: 'ready', content: { 'application/json': { schema: readySchema } } },
        503: { description: 'a dependency does not answer', content: { 'application/json': { schema: readySchema } } },
      },
    }), async (c) => {
      const [database, temporal] = await Promise.all([
        check(() => deps.db.ping()),
        check(() => deps.temporal.connection.workflowService.getSystemInfo({})),
      ]);
      const ok = database === 'ok' && temporal === 'ok';
      return c.json({ status: ok ? ('ready' as const) : ('unavailable' as const), checks: { database, temporal } }, ok ? 200 : 503);
    });
}
