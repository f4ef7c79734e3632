import { ApiError } from './api.js';
import { base, failure } from './layout.js';
import { homePage } from './pages/home.js';
import { runPage } from './pages/run.js';
import { templatePage } from './pages/template.js';

/** Picks the view for the path the shell was served at. */
function route(root: HTMLElement): Promise<void> {
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  const [, kind, id] = /^\/(runs|templates)\/([^/]+)\/?$/.exec(path) ?? [];
  if (kind === 'runs' && id) return runPage(root, decodeURIComponent(id));
  if (kind === 'templates' && id) return templatePage(root, decodeURIComponent(id));
  return homePage(root);
}

const root = document.getElementById('app');
if (root) {
  route(root).catch((err: unknown) => {
    // An answer of the API (an unknown run: 404) is the page's to show, not a fault of the page.
    if (!(err instanceof ApiError)) console.error(err);
    failure(root, err instanceof Error ? err.message : String(err));
  });
}
