import { OpenAPIHono } from '@hono/zod-openapi';
import { invalid } from '../errors.js';
import { sseEventsHandler } from '../realtime/sse.js';
import { formatPath } from '../template/source.js';
import { uiRoutes } from '../ui/routes.js';
import { allowedMethods } from './allowed-methods.js';
import type { AppDeps } from './deps.js';
import { emptyJsonBodyAsObject } from './empty-json-body.js';
import { onError } from './on-error.js';
import { problem } from './problem.js';
import { refuseNulInUrl } from './refuse-nul-in-url.js';
import { healthRoutes } from './routes/health.js';
import { roomRoutes } from './routes/rooms.js';
import { runRoutes } from './routes/runs.js';
import { schemaRoutes } from './routes/schema.js';
import { templateRoutes } from './routes/templates.js';

export type { AppDeps } from './deps.js';

/**
 * Builds the HTTP API. Request shapes are zod schemas, so a bad request is a 422 problem+json naming each
 * wrong field, and `GET /openapi.json` describes every route from the same schemas.
 */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === 'json' ? [] : [result.target];
        throw invalid(`the request ${result.target} is not valid`, result.error.issues.map((i) => ({
          path: formatPath([...where, ...i.path.filter((k): k is string | number => typeof k !== 'symbol')]),
          message: i.message,
        })));
      }
    },
  });
  app.onError(onError);
  app.use('*', refuseNulInUrl);
  app.use('*', emptyJsonBodyAsObject);
  app.route('/', healthRoutes(deps));
  app.route('/api/v1/templates', templateRoutes(deps));
  app.get('/api/v1/runs/:runId/events', sseEventsHandler({ readers: { db: deps.db.db, client: deps.temporal.client }, hubs: deps.hubs }));
  app.route('/api/v1/runs', runRoutes(deps));
  app.route('/api/v1/runs', roomRoutes(deps));
  app.route('/api/v1', schemaRoutes());
  app.route('/ui', uiRoutes());
  app.get('/', (c) => c.redirect('/ui'));
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 'Weft API', version: '1' } });
  // Every route is registered by now.
  const allowedAt = allowedMethods(app.routes);
  app.notFound((c) => {
    const allowed = allowedAt(c.req.path);
    // A handler that found nothing for a method the path takes is a plain 404.
    if (allowed.length === 0 || allowed.includes(c.req.method)) return problem(c, 404, 'not-found', `no route ${c.req.method} ${c.req.path}`);
    c.header('Allow', allowed.join(', '));
    return problem(c, 405, 'method-not-allowed', `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}`, { allowed });
  });
  return app;
}
