import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../src/config.js';

/** Debian's Chromium: the tests never download a browser. */
export const chromiumPath = '/usr/bin/chromium';

/** Where screenshots go (git-ignored; CI keeps it as an artifact). */
export const resultsDir = path.join(projectRoot, 'test-results');

/** True when this machine has the browser the UI tests drive. */
export const hasChromium = (): boolean => existsSync(chromiumPath);

/** Launches headless Chromium with nothing phoning home. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(resultsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A path under `test-results/`. */
export const resultPath = (name: string): string => path.join(resultsDir, name);

/**
 * A page the size of a laptop screen, with reduced motion (CSS transitions off, so a colour read right after a
 * change is the new one) and the page's own errors logged.
 */
export async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 }, reducedMotion: 'reduce' });
  page.on('pageerror', (err) => console.error('[page]', err));
  return page;
}
