import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { refuseNul } from '../../db/storable.js';
import { getRun } from '../../db/runs.js';
import { notFound } from '../../errors.js';
import { controlRun, type RunCommand } from '../../runs/control-run.js';
import { readNodeOutput, readRunOutput } from '../../runs/read-output.js';
import { approvalDecisionSchema, unnamedDecider } from '../../template/node-types/approval.js';
import { runStateSchema } from '../../workflows/state.js';
import type { AppDeps } from '../deps.js';
import { component, problemResponses } from '../schemas.js';

const runParams = z.object({ runId: z.string().openapi({ param: { name: 'runId', in: 'path' } }) });
const nodeParams = runParams.extend({ nodeId: z.string().openapi({ param: { name: 'nodeId', in: 'path' } }) });
const answers = {
  200: { description: 'the run\'s state once the command applied', content: { 'application/json': { schema: component(runStateSchema, 'RunState') } } },
  ...problemResponses(404, 409, 422),
};
const optionalBody = <T extends z.ZodType>(schema: T) => ({ required: false, content: { 'application/json': { schema } } });

const emptyBody = z.object({}).strict();
const cancelBody = z.object({ reason: z.string().max(1000).optional() }).strict();
const retryBody = z.object({ config: z.unknown().optional() }).strict();
const skipBody = z.object({ output: z.unknown().optional() }).strict();
// The decision is recorded in the run's room as it is sent, so what the store cannot hold is refused up front.
const approveBody = approvalDecisionSchema.extend({ by: z.string().min(1).max(200).optional() }).superRefine(refuseNul);
const valueBody = { description: 'the value, whole', content: { 'application/json': { schema: z.unknown() } } };

/**
 * Operator control of a run (pause, resume, cancel; retry, skip and approve a node), each answered with the
 * run's state, and whole outputs (large values resolved from blobs).
 */
export function runControlRoutes(deps: AppDeps) {
  const readers = { db: deps.db.db, client: deps.temporal.client };
  const command = (runId: string, cmd: RunCommand) => controlRun(readers, runId, cmd);
  const runRoute = <B extends z.ZodType>(path: string, summary: string, body: B) =>
    createRoute({ method: 'post', path, summary, request: { params: runParams, body: optionalBody(body) }, responses: answers });
  const nodeRoute = <B extends z.ZodType>(path: string, summary: string, body: B) =>
    createRoute({ method: 'post', path, summary, request: { params: nodeParams, body: optionalBody(body) }, responses: answers });
  const app = new OpenAPIHono();
  // An approval's body is required, so it is checked before the handler runs: an unknown run is a 404 first, as
  // it is for the commands whose body is optional.
  app.use('/:runId/nodes/:nodeId/approve', async (c, next) => {
    const runId = c.req.param('runId');
    if (!(await getRun(readers.db, runId))) throw notFound(`run "${runId}"`);
    await next();
  });
  return app
    .openapi(runRoute('/{runId}/pause', 'Pause: no new node starts; `pausing` until in-flight nodes end, then `paused`', emptyBody), async (c) =>
      c.json(await command(c.req.valid('param').runId, { kind: 'pause' }), 200))
    .openapi(runRoute('/{runId}/resume', 'Resume a paused run', emptyBody), async (c) =>
      c.json(await command(c.req.valid('param').runId, { kind: 'resume' }), 200))
    .openapi(runRoute('/{runId}/cancel', 'Cancel: in-flight activities, timers and child runs are cancelled; status `cancelled`', cancelBody), async (c) =>
      c.json(await command(c.req.valid('param').runId, { kind: 'cancel', ...c.req.valid('json') }), 200))
    .openapi(nodeRoute('/{runId}/nodes/{nodeId}/retry', 'Run a failed node again, optionally with a changed config', retryBody), async (c) => {
      const { runId, nodeId } = c.req.valid('param');
      return c.json(await command(runId, { kind: 'retry', nodeId, ...c.req.valid('json') }), 200);
    })
    .openapi(nodeRoute('/{runId}/nodes/{nodeId}/skip', 'Skip a failed or pending node, with the output its dependents read instead', skipBody), async (c) => {
      const { runId, nodeId } = c.req.valid('param');
      return c.json(await command(runId, { kind: 'skip', nodeId, ...c.req.valid('json') }), 200);
    })
    .openapi(createRoute({
      method: 'post', path: '/{runId}/nodes/{nodeId}/approve', summary: 'Decide a waiting approval node (form data checked against its formSchema)',
      request: { params: nodeParams, body: { required: true, content: { 'application/json': { schema: approveBody } } } }, responses: answers,
    }), async (c) => {
      const { runId, nodeId } = c.req.valid('param');
      const decision = c.req.valid('json');
      const state = await command(runId, { kind: 'approve', nodeId, ...decision });
      // HTTP callers are operators until auth gives them identities: the room records them as owners, by the name
      // the run's decision has.
      await deps.rooms.recordDecision(runId, { id: decision.by ?? unnamedDecider, role: 'owner' }, { nodeId, ...decision });
      return c.json(state, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{runId}/nodes/{nodeId}/output', summary: 'A completed or skipped node\'s whole output (large values resolved)',
      request: { params: nodeParams }, responses: { 200: valueBody, ...problemResponses(404, 409) },
    }), async (c) => {
      const { runId, nodeId } = c.req.valid('param');
      return c.json(await readNodeOutput(readers, runId, nodeId) as never, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{runId}/output', summary: 'A closed run\'s whole output (large values resolved)',
      request: { params: runParams }, responses: { 200: valueBody, ...problemResponses(404, 409) },
    }), async (c) => c.json(await readRunOutput(readers, c.req.valid('param').runId) as never, 200));
}
