import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { uiRoutes } from '../../src/ui/routes.js';

/** The UI mounted as app.ts mounts it, on a build of its own in a temporary directory. */
function mounted(dist: string) {
  return new Hono().route('/ui', uiRoutes({ dist }));
}

describe('the /ui routes', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'weft-ui-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds the page on first use when the install did not, then serves the shell for every view', async () => {
    const dist = path.join(tmp, 'dist');
    const app = mounted(dist);
    for (const url of ['/ui', '/ui/runs/some-run', '/ui/templates/digest']) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="app"');
    }
    expect(existsSync(path.join(dist, 'manifest.json'))).toBe(true);
    const slash = await app.request('/ui/');
    expect([slash.status, slash.headers.get('location')]).toEqual([302, '/ui']);
  }, 30_000);

  it('serves hashed assets with their content type, cached for good, and nothing outside them', async () => {
    const app = mounted(path.join(tmp, 'dist'));
    const html = await (await app.request('/ui')).text();
    const script = /<script type="module" src="(\/ui\/assets\/main-\w+\.js)"/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(\/ui\/assets\/styles-\w+\.css)"/.exec(html)?.[1];
    expect(script && style).toBeTruthy();
    const js = await app.request(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await app.request(style!);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const bad of ['/ui/assets/missing-ABC.js', '/ui/assets/..%2Fmanifest.json', '/ui/assets/..%5Cmanifest.json']) {
      expect((await app.request(bad)).status, bad).toBe(404);
    }
  });

  it('says how to fix it when there is no page and it cannot be built', async () => {
    // A file where the output's parent directory should be: the build cannot write there.
    const blocked = path.join(tmp, 'blocked');
    writeFileSync(blocked, 'not a directory');
    const res = await mounted(path.join(blocked, 'dist')).request('/ui');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:ui');
  });
});
