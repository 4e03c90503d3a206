import { createHash } from 'node:crypto';
import type { HeaderList } from '../http/response-plan.js';

/**
 * The HTML index of a folder: a pure function from entries to a page. The page runs no script and
 * loads nothing: its only style is the one inline block below, allowed by its hash, and every
 * name is escaped and shown with its invisible characters made visible.
 */

export interface IndexRow {
  readonly name: string;
  readonly type: 'file' | 'folder';
  /** Where the name links: a file's version-pinned URL, a folder's URL with its trailing slash. */
  readonly href: string;
  readonly size?: number;
  readonly modifiedMs?: number;
  /** The SHA-256 of the file in hex (as `sha256sum` prints it), when the digest is already known. */
  readonly sha256Hex?: string;
}

export interface IndexPage {
  /** The folder: [] for the top, ['docs', 'sub'] for /docs/sub/. */
  readonly segments: readonly string[];
  readonly rows: readonly IndexRow[];
  /** The next page's URL (`?cursor=...`) when there is one. */
  readonly nextHref?: string;
}

const STYLE = [
  'body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff}',
  'h1{font-size:1.2rem;font-weight:600;margin:0 0 1rem}',
  'nav a{text-decoration:none}',
  'table{border-collapse:collapse;width:100%}',
  'th,td{text-align:left;padding:.3rem .8rem .3rem 0;border-bottom:1px solid #e4e4e4;vertical-align:top}',
  'th{font-weight:600;color:#555}',
  'td.size,td.time{white-space:nowrap}',
  'td.size{text-align:right}',
  'code{font-size:.8rem;word-break:break-all;color:#444}',
  '.ctl{font-size:.75rem;color:#a00;border:1px solid #dbb;border-radius:2px;padding:0 2px}',
  'p.more{margin-top:1rem}',
].join('');

/**
 * `default-src 'none'`: no script, image, font, frame or connection, from anywhere. The one style
 * block is allowed by its SHA-256 (stricter than `'unsafe-inline'`); no style attributes are used.
 */
export const INDEX_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers of every index page (the global middleware adds `X-Content-Type-Options: nosniff`). */
export const INDEX_PAGE_HEADERS: HeaderList = [
  ['Content-Type', 'text/html; charset=utf-8'],
  ['Content-Security-Policy', INDEX_CSP],
  // Links on the page may carry signed or pinned query strings: never pass them on.
  ['Referrer-Policy', 'no-referrer'],
];

export function renderIndexPage(page: IndexPage): string {
  const title = `Index of ${visibleText(folderPath(page.segments))}`;
  const rows = page.rows.map(renderRow).join('\n');
  const more = page.nextHref === undefined ? '' : `\n<p class="more"><a href="${escapeHtml(page.nextHref)}" rel="next">Next page</a></p>`;
  return `<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<nav aria-label="Breadcrumbs">${breadcrumbs(page.segments)}</nav>
<table>
<thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th><th>SHA-256</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>${page.rows.length === 0 ? '\n<p>This folder is empty.</p>' : ''}${more}
</body>
</html>
`;
}

function renderRow(row: IndexRow): string {
  const label = row.type === 'folder' ? `${visibleText(row.name)}/` : visibleText(row.name);
  const name = `<a href="${escapeHtml(row.href)}"><bdi>${label}</bdi></a>`;
  const size = row.size === undefined ? '' : `<span title="${row.size} bytes">${humanSize(row.size)}</span>`;
  const time = row.modifiedMs === undefined ? '' : renderTime(row.modifiedMs);
  const digest = row.sha256Hex === undefined ? '' : `<code>${escapeHtml(row.sha256Hex)}</code>`;
  return `<tr><td>${name}</td><td class="size">${size}</td><td class="time">${time}</td><td>${digest}</td></tr>`;
}

/** `/ docs / sub /`, each part a link to its folder. */
function breadcrumbs(segments: readonly string[]): string {
  const parts = ['<a href="/">/</a>'];
  let href = '';
  for (const segment of segments) {
    href += `/${encodeURIComponent(segment)}`;
    parts.push(`<a href="${escapeHtml(`${href}/`)}"><bdi>${visibleText(segment)}</bdi></a> /`);
  }
  return parts.join(' ');
}

function folderPath(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : `/${segments.join('/')}/`;
}

function renderTime(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)}</time>`;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Binary units, three significant digits: 0 B, 1023 B, 1.0 KiB, 12.3 MiB, 512 GiB. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 KiB would print as "1024 KiB": show the next unit instead.
  if (value >= 1023.95 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value (always double-quoted here) → HTML that shows exactly that text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

/**
 * A name as text a person can trust: escaped, and with every control character and every
 * bidirectional formatting character (which could make `evil\u202Etxt.exe` look like
 * `evilexe.txt`) shown as a visible `U+XXXX` marker instead of taking effect.
 */
export function visibleText(name: string): string {
  let html = '';
  for (const character of name) {
    const code = character.codePointAt(0) ?? 0;
    html += isInvisibleControl(code)
      ? `<span class="ctl">U+${code.toString(16).toUpperCase().padStart(4, '0')}</span>`
      : (ESCAPES[character] ?? character);
  }
  return html;
}

function isInvisibleControl(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}
