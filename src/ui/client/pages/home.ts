import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { when } from '../format.js';
import { card, frame, links } from '../layout.js';
import { runsTable } from '../runs-table.js';

const refreshEveryMs = 5000;

/** The start page: every template, and the latest runs (refreshed while the page is visible). */
export async function homePage(root: HTMLElement): Promise<void> {
  const main = frame(root, [{ label: 'Overview' }], 'Overview');
  const runsBody = h('div', { 'aria-live': 'polite' });
  const [templates, runs] = await Promise.all([api.templates(), api.runs()]);
  fill(runsBody, runsTable(runs.items));
  fill(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Templates and runs'), h('p', { class: 'muted' }, 'Pick a template to see its graph and start a run, or a run to watch it live.')),
    h('div', { class: 'columns' },
      card('Templates', templates.items.length === 0
        ? h('p', { class: 'empty' }, 'No templates yet. Upload one with ', h('code', {}, 'POST /api/v1/templates'), '.')
        : h('ul', { class: 'template-list' }, templates.items.map((t) => h('li', { 'data-template-id': t.id },
          h('a', { href: links.template(t.id), class: 'template-link' }, h('span', { class: 'template-name' }, t.name), h('span', { class: 'mono muted' }, `${t.id} · v${t.latestVersion}`)),
          t.description && h('p', { class: 'muted small' }, t.description),
          h('p', { class: 'muted small' }, `Updated ${when(t.updatedAt)}`, t.archivedAt ? ' · archived' : ''))))),
      card('Recent runs', runsBody, { class: 'card wide' })));
  setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    api.runs().then((r) => fill(runsBody, runsTable(r.items)), () => {});
  }, refreshEveryMs);
}
