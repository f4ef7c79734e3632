import type { RunSummary } from './api.js';
import { h } from './dom.js';
import { duration, shortId, when } from './format.js';
import { links } from './layout.js';
import { badge } from './status.js';

/** A table of runs, newest first; each run id links to its live page. */
export function runsTable(runs: readonly RunSummary[], options: { showTemplate?: boolean } = {}): HTMLElement {
  if (runs.length === 0) return h('p', { class: 'empty' }, 'No runs yet.');
  return h('table', { class: 'table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Run'),
      options.showTemplate !== false && h('th', { scope: 'col' }, 'Template'),
      h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Started'),
      h('th', { scope: 'col', class: 'num' }, 'Duration'))),
    h('tbody', {}, runs.map((r) => h('tr', { 'data-run-id': r.runId },
      h('td', {}, h('a', { href: links.run(r.runId), class: 'mono', title: r.runId }, shortId(r.runId))),
      options.showTemplate !== false && h('td', {}, h('a', { href: links.template(r.templateId) }, r.templateId), h('span', { class: 'muted' }, ` v${r.templateVersion}`)),
      h('td', {}, badge(r.status)),
      h('td', {}, when(r.startedAt)),
      h('td', { class: 'num' }, duration(r.startedAt, r.endedAt ?? undefined))))));
}
