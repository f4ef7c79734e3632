import type { UiManifest } from './build.js';

/** Where the UI is mounted; the page's links and asset URLs start here. */
export const uiBase = '/ui';

/** The single page every UI route answers with; the client reads the path and draws the right view. */
export function shellHtml(manifest: UiManifest): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weft</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23334e68'/%3E%3Cpath d='M3 5h10M3 8h10M3 11h10' stroke='%23fff' stroke-width='1.5'/%3E%3C/svg%3E">
<link rel="stylesheet" href="${uiBase}/${manifest.style}">
<script type="module" src="${uiBase}/${manifest.script}"></script>
</head>
<body>
<div id="app" data-base="${uiBase}"><p class="boot">Loading…</p></div>
<noscript>The Weft page needs JavaScript. The API is at <a href="/api/v1/runs">/api/v1/runs</a>.</noscript>
</body>
</html>
`;
}

/** What `/ui` answers when there is no built page and it cannot be built. */
export function unavailableHtml(reason: string): string {
  const escaped = reason.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft: UI unavailable</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The Weft UI is not available</h1>
<p>${escaped}</p>
<p>The API still works: <a href="/api/v1/runs">/api/v1/runs</a>.</p>
</body></html>
`;
}
