import type { Template } from '../../template/model.js';
import type { EventPage, RunState, RunStatus } from '../../workflows/state.js';

/** A template as `GET /api/v1/templates` lists it (the OpenAPI `TemplateSummary`). */
export interface TemplateSummary {
  id: string;
  name: string;
  description: string | null;
  latestVersion: number;
  updatedAt: string;
  archivedAt: string | null;
}

/** A run as `GET /api/v1/runs` lists it (the OpenAPI `RunSummary`). */
export interface RunSummary {
  runId: string;
  templateId: string;
  templateVersion: number;
  status: RunStatus;
  /** The run that started this one (a sub-workflow or a map item's run), or null. */
  parentRunId: string | null;
  startedAt: string;
  endedAt: string | null;
}

/** One version of a template, definition included. */
export interface TemplateVersion {
  id: string;
  version: number;
  createdAt: string;
  definition: Template;
  archived?: boolean;
}

/** A problem+json answer, as an exception the views show. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly problems: Array<{ path?: string; message: string }> = []) {
    super(message);
  }
}

/** An error's located problems, one line each, when the API gave any (`data.amount: must be number`). */
export function problemLines(err: unknown): string[] {
  return err instanceof ApiError ? err.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`) : [];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(path, init);
  const text = await res.text();
  const value = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const problem = (value ?? {}) as { title?: string; detail?: string; errors?: Array<{ path?: string; message: string }> };
    throw new ApiError(res.status, problem.detail ?? problem.title ?? `${method} ${path} answered ${res.status}`, problem.errors);
  }
  return value as T;
}

const enc = encodeURIComponent;

/** The HTTP API, as the page uses it. */
export const api = {
  templates: () => call<{ items: TemplateSummary[] }>('GET', '/api/v1/templates?limit=100'),
  template: (id: string) => call<TemplateVersion>('GET', `/api/v1/templates/${enc(id)}`),
  templateVersion: (id: string, version: number) => call<TemplateVersion>('GET', `/api/v1/templates/${enc(id)}/versions/${version}`),
  /** The latest runs: of one template (child runs included), or of every template started from outside. */
  runs: (templateId?: string) => call<{ items: RunSummary[] }>('GET', `/api/v1/runs?limit=50${templateId ? `&templateId=${enc(templateId)}` : '&topLevel=true'}`),
  /** The child runs a run started: its sub-workflows and map items' runs, newest first. */
  childRuns: (runId: string) => call<{ items: RunSummary[] }>('GET', `/api/v1/runs?limit=100&parentRunId=${enc(runId)}`),
  run: (runId: string) => call<RunState>('GET', `/api/v1/runs/${enc(runId)}`),
  events: (runId: string, after = 0) => call<EventPage>('GET', `/api/v1/runs/${enc(runId)}/events?after=${after}`),
  startRun: (templateId: string, input: unknown) => call<{ runId: string }>('POST', `/api/v1/templates/${enc(templateId)}/runs`, { input }),
  /** Operator commands on the whole run. */
  control: (runId: string, action: 'pause' | 'resume' | 'cancel') => call<RunState>('POST', `/api/v1/runs/${enc(runId)}/${action}`, {}),
  /** Operator commands on one node. */
  node: (runId: string, nodeId: string, action: 'retry' | 'skip', body: Record<string, unknown> = {}) =>
    call<RunState>('POST', `/api/v1/runs/${enc(runId)}/nodes/${enc(nodeId)}/${action}`, body),
  approve: (runId: string, nodeId: string, decision: { decision: 'approve' | 'reject'; comment?: string; data?: unknown; by?: string }) =>
    call<RunState>('POST', `/api/v1/runs/${enc(runId)}/nodes/${enc(nodeId)}/approve`, decision),
};
