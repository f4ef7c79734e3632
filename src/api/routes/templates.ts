import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { HonoRequest } from 'hono';
import { maxStoredInt } from '../../db/storable.js';
import { archiveTemplate, getTemplate, getTemplateVersion, listTemplateVersions, listTemplates, saveTemplate, type StoredTemplateVersion } from '../../db/templates.js';
import { invalid, notFound, WeftError } from '../../errors.js';
import { startRun } from '../../runs/start-run.js';
import { validateTemplateSource } from '../../template/validate.js';
import { sourceLimits } from '../../template/source.js';
import type { AppDeps } from '../deps.js';
import { runStatusSchema } from '../../workflows/state.js';
import { pageQuerySchema, pageSchema, problemResponses, wholeNumberParam } from '../schemas.js';

const templateVersionSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  hash: z.string(),
  createdAt: z.string(),
  definition: z.record(z.string(), z.unknown()),
}).openapi('TemplateVersion');

const templateSummarySchema = z.object({
  id: z.string(), name: z.string(), description: z.string().nullable(), latestVersion: z.number().int(),
  createdAt: z.string(), updatedAt: z.string(), archivedAt: z.string().nullable(),
}).openapi('TemplateSummary');

const idParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const templateBody = {
  required: true,
  description: 'The template, as JSON or YAML',
  content: { 'application/json': { schema: z.record(z.string(), z.unknown()) }, 'application/yaml': { schema: z.string() } },
};

function versionJson(v: StoredTemplateVersion) {
  return { id: v.templateId, version: v.version, hash: v.hash, createdAt: v.createdAt.toISOString(), definition: v.definition };
}

/** Reads a template upload (JSON or YAML text) and validates it; every problem is reported at once. */
async function readTemplate(request: HonoRequest) {
  // The body cache: the JSON validator may have read the body already.
  const text = await request.text();
  if (Buffer.byteLength(text) > sourceLimits.maxBytes) throw new WeftError('payload-too-large', `the template is larger than ${sourceLimits.maxBytes} bytes`);
  const result = validateTemplateSource(text);
  if (!result.ok) throw invalid('the template is not valid', result.errors);
  return result.template;
}

const startBody = z.object({
  input: z.unknown().optional(),
  version: z.number().int().min(1).max(maxStoredInt).optional(),
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, "_" and "-", at most 128').optional().openapi({
    description: 'The run\'s id, so that a start can be sent again safely: the same id with the same template, version and input answers 200 with that run and starts nothing new; with anything else, 409',
  }),
}).strict();
const startedSchema = z.object({
  runId: z.string(), templateId: z.string(), templateVersion: z.number().int(), status: runStatusSchema, startedAt: z.string(), links: z.record(z.string(), z.string()),
});

/** Template routes: upload (versioned), read, list, archive, validate, and start a run. */
export function templateRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return new OpenAPIHono()
    .openapi(createRoute({
      method: 'post', path: '/', summary: 'Upload a template (a new version when its definition changed)', request: { body: templateBody },
      responses: {
        200: { description: 'unchanged: the latest version', content: { 'application/json': { schema: templateVersionSchema } } },
        201: { description: 'a new version', content: { 'application/json': { schema: templateVersionSchema } } },
        ...problemResponses(413, 422),
      },
    }), async (c) => {
      const { version, created } = await saveTemplate(db, await readTemplate(c.req));
      c.header('location', `/api/v1/templates/${version.templateId}/versions/${version.version}`);
      return c.json(versionJson(version), created ? 201 : 200);
    })
    .openapi(createRoute({
      method: 'post', path: '/validate', summary: 'Validate a template without storing it', request: { body: templateBody },
      responses: { 200: { description: 'valid', content: { 'application/json': { schema: z.object({ valid: z.literal(true), definition: z.record(z.string(), z.unknown()) }) } } }, ...problemResponses(413, 422) },
    }), async (c) => c.json({ valid: true as const, definition: await readTemplate(c.req) }, 200))
    .openapi(createRoute({
      method: 'get', path: '/', summary: 'List templates', request: { query: pageQuerySchema.extend({ includeArchived: z.enum(['true', 'false']).optional() }) },
      responses: { 200: { description: 'a page of templates', content: { 'application/json': { schema: pageSchema(templateSummarySchema) } } } },
    }), async (c) => {
      const q = c.req.valid('query');
      const rows = await listTemplates(db, { cursor: q.cursor, limit: q.limit + 1, includeArchived: q.includeArchived === 'true' });
      const page = rows.slice(0, q.limit);
      const items = page.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(), archivedAt: r.archivedAt?.toISOString() ?? null }));
      return c.json({ items, nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null }, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{id}', summary: 'The latest version of a template', request: { params: idParams },
      responses: { 200: { description: 'the latest version', content: { 'application/json': { schema: templateVersionSchema.extend({ archived: z.boolean(), archivedAt: z.string().nullable() }) } } }, ...problemResponses(404) },
    }), async (c) => {
      const { id } = c.req.valid('param');
      const [template, latest] = await Promise.all([getTemplate(db, id), getTemplateVersion(db, id)]);
      if (!template || !latest) throw notFound(`template "${id}"`);
      return c.json({ ...versionJson(latest), archived: template.archivedAt !== null, archivedAt: template.archivedAt?.toISOString() ?? null }, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{id}/versions', summary: 'Every version of a template', request: { params: idParams },
      responses: { 200: { description: 'versions, oldest first', content: { 'application/json': { schema: z.object({ items: z.array(templateVersionSchema) }) } } }, ...problemResponses(404) },
    }), async (c) => {
      const { id } = c.req.valid('param');
      const versions = await listTemplateVersions(db, id);
      if (versions.length === 0) throw notFound(`template "${id}"`);
      return c.json({ items: versions.map(versionJson) }, 200);
    })
    .openapi(createRoute({
      method: 'get', path: '/{id}/versions/{version}', summary: 'One version of a template',
      request: { params: idParams.extend({ version: wholeNumberParam(1, maxStoredInt).openapi({ param: { name: 'version', in: 'path' } }) }) },
      responses: { 200: { description: 'the version', content: { 'application/json': { schema: templateVersionSchema } } }, ...problemResponses(404) },
    }), async (c) => {
      const { id, version } = c.req.valid('param');
      const stored = await getTemplateVersion(db, id, version);
      if (!stored) throw notFound(`version ${version} of template "${id}"`);
      return c.json(versionJson(stored), 200);
    })
    .openapi(createRoute({
      method: 'delete', path: '/{id}', summary: 'Archive a template: no new runs, history kept', request: { params: idParams },
      responses: { 204: { description: 'archived' }, ...problemResponses(404) },
    }), async (c) => {
      const { id } = c.req.valid('param');
      if (!(await archiveTemplate(db, id))) throw notFound(`template "${id}"`);
      return c.body(null, 204);
    })
    .openapi(createRoute({
      method: 'post', path: '/{id}/runs', summary: 'Start a run of a template',
      request: {
        params: idParams,
        body: { required: false, content: { 'application/json': { schema: startBody } } },
      },
      responses: {
        201: { description: 'started', content: { 'application/json': { schema: startedSchema } } },
        200: { description: 'started before, by a start with the same `runId`, template, version and input: nothing new started', content: { 'application/json': { schema: startedSchema } } },
        ...problemResponses(404, 409, 422),
      },
    }), async (c) => {
      const { id } = c.req.valid('param');
      // No body is `{}` here: without a content type the OpenAPI layer gives `{}`, and empty JSON reads as `{}`.
      const body = c.req.valid('json');
      const { repeated, ...run } = await startRun({ db, temporal: deps.temporal }, { templateId: id, version: body.version, input: body.input, runId: body.runId, trigger: 'api' });
      c.header('location', `/api/v1/runs/${run.runId}`);
      const answer = { ...run, links: { self: `/api/v1/runs/${run.runId}`, events: `/api/v1/runs/${run.runId}/events`, result: `/api/v1/runs/${run.runId}/result` } };
      return repeated ? c.json(answer, 200) : c.json(answer, 201);
    });
}
