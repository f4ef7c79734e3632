import { Hono, type Context } from 'hono';
import { contentTypeOf, readAsset, uiBuild } from './assets.js';
import { shellHtml, unavailableHtml } from './shell.js';

/**
 * The live DAG page, mounted at `/ui`: the same HTML shell for the list (`/ui`), a run (`/ui/runs/:id`) and a
 * template (`/ui/templates/:id`), and the built assets under `/ui/assets/`. Asset names carry a content hash,
 * so they are cached for good; the shell is revalidated on every load so a new build is picked up at once.
 */
export function uiRoutes(options: { dist?: string } = {}) {
  const build = uiBuild(options.dist);
  // Find (or, after an install that skipped its scripts, make) the page now rather than on the first visit.
  void build();
  const page = async (c: Context) => {
    const found = await build();
    c.header('cache-control', 'no-cache');
    if (!found.ok) return c.html(unavailableHtml(found.reason), 503);
    return c.html(shellHtml(found.manifest));
  };
  return new Hono()
    .get('/', page)
    .get('/runs/:id', page)
    .get('/templates/:id', page)
    .get('/assets/:file', async (c) => {
      const found = await build();
      const name = c.req.param('file');
      const bytes = found.ok ? await readAsset(found.dir, name) : undefined;
      if (!bytes) return c.text(`no asset ${name}`, 404);
      c.header('content-type', contentTypeOf(name));
      c.header('cache-control', 'public, max-age=31536000, immutable');
      c.header('x-content-type-options', 'nosniff');
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200);
    })
    // `/ui/` and `/ui/runs/x/`: the same page without the trailing slash.
    .get('/*', (c) => (c.req.path.endsWith('/') ? c.redirect(c.req.path.replace(/\/+$/, '')) : c.text(`no page ${c.req.path}`, 404)));
}
