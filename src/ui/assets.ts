import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildUi, uiPaths, type UiManifest } from './build.js';

/** The built page, or why there is none. */
export type UiBuild = { ok: true; dir: string; manifest: UiManifest } | { ok: false; reason: string };

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The content type of a built asset, by its extension. */
export function contentTypeOf(file: string): string {
  return contentTypes[path.extname(file)] ?? 'application/octet-stream';
}

async function readManifest(dir: string): Promise<UiManifest | undefined> {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Partial<UiManifest>;
  if (typeof manifest.script !== 'string' || typeof manifest.style !== 'string') return undefined;
  if (!existsSync(path.join(dir, manifest.script)) || !existsSync(path.join(dir, manifest.style))) return undefined;
  return manifest as UiManifest;
}

/**
 * Finds the page that `npm install` built. When an install skipped its scripts there is none: the first request
 * builds it (esbuild is part of the install either way), and if that fails too the answer says how to fix it.
 */
export function uiBuild(dir: string = uiPaths.dist): () => Promise<UiBuild> {
  let found: Promise<UiBuild> | undefined;
  const locate = async (): Promise<UiBuild> => {
    // A missing or unreadable manifest means: build again.
    const built = await readManifest(dir).catch(() => undefined);
    if (built) return { ok: true, dir, manifest: built };
    try {
      return { ok: true, dir, manifest: await buildUi({ outDir: dir }) };
    } catch (err) {
      return { ok: false, reason: `the UI is not built and building it failed (${err instanceof Error ? err.message : String(err)}); run \`npm run build:ui\`` };
    }
  };
  return () => {
    found ??= locate().then((build) => {
      // A failed build is retried on a later request, after someone fixed the install.
      if (!build.ok) found = undefined;
      return build;
    });
    return found;
  };
}

/** A built asset's bytes, or `undefined` when the name is not a file the build wrote. */
export async function readAsset(dir: string, name: string): Promise<Uint8Array | undefined> {
  // Names are flat and hashed: anything else (a slash, `..`) is never a built file.
  if (!/^[\w-]+(\.[\w-]+)+$/.test(name)) return undefined;
  const file = path.join(dir, 'assets', name);
  return existsSync(file) ? readFile(file) : undefined;
}
