import { fill, h, type Child } from './dom.js';

/** Where the UI is mounted (the shell tells the page). */
export const base = document.getElementById('app')?.dataset.base ?? '/ui';

/** Links inside the UI. */
export const links = {
  home: () => base,
  run: (runId: string) => `${base}/runs/${encodeURIComponent(runId)}`,
  template: (templateId: string) => `${base}/templates/${encodeURIComponent(templateId)}`,
};

/** Draws the page frame (brand bar, breadcrumbs) around a view and returns the view's container. */
export function frame(root: HTMLElement, crumbs: Array<{ label: string; href?: string }>, title: string): HTMLElement {
  document.title = `${title} · Weft`;
  const main = h('main', { class: 'page', id: 'main' });
  fill(root,
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: links.home() }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Weft'),
      h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' },
        h('ol', {}, crumbs.map((c, i) => h('li', {}, c.href && i < crumbs.length - 1 ? h('a', { href: c.href }, c.label) : h('span', { 'aria-current': 'page' }, c.label)))))),
    main);
  return main;
}

/** A titled card. */
export function card(title: Child, body: Child, attrs: Record<string, string> = {}): HTMLElement {
  return h('section', { class: 'card', ...attrs }, h('h2', { class: 'card-title' }, title), body);
}

/** A message where a view could not load. */
export function failure(root: HTMLElement, message: string): void {
  fill(root, h('div', { class: 'notice notice-error', role: 'alert' }, message));
}
