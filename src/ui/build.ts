import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../config.js';

/** Where the page's sources live and where the install writes the bundle (git-ignored). */
export const uiPaths = {
  client: path.join(projectRoot, 'src/ui/client'),
  dist: path.join(projectRoot, 'src/ui/dist'),
} as const;

/** What the build wrote, by role; paths are relative to `dist/`. The HTML shell links these. */
export interface UiManifest {
  script: string;
  style: string;
}

/**
 * Bundles the browser client (TypeScript and CSS) into `dist/assets/` with content-hashed names, so the server
 * can cache them forever, and writes `dist/manifest.json` naming them.
 *
 * esbuild is imported on demand: a server whose install already built the page never loads it.
 */
export async function buildUi(options: { outDir?: string; minify?: boolean } = {}): Promise<UiManifest> {
  const outDir = options.outDir ?? uiPaths.dist;
  // Built beside the target and swapped in whole, so a server (or a parallel build) never sees half a page.
  const staging = `${outDir}.building-${process.pid}-${Date.now()}`;
  const { build } = await import('esbuild');
  try {
    const result = await build({
      entryPoints: [path.join(uiPaths.client, 'main.ts'), path.join(uiPaths.client, 'styles.css')],
      outdir: path.join(staging, 'assets'),
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
      minify: options.minify ?? true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
    });
    const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(staging, path.resolve(file)));
    const script = outputs.find((f) => /main-[\w]+\.js$/.test(f));
    const style = outputs.find((f) => /styles-[\w]+\.css$/.test(f));
    if (!script || !style) throw new Error(`the UI build wrote no script or stylesheet: ${outputs.join(', ')}`);
    const manifest: UiManifest = { script, style };
    await writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const previous = `${staging}.old`;
    await rename(outDir, previous).catch(() => {});
    await rename(staging, outDir);
    await rm(previous, { recursive: true, force: true });
    return manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
