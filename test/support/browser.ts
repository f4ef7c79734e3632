import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
