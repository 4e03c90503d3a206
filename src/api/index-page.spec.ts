import { createHash } from 'node:crypto';
import { escapeHtml, humanSize, INDEX_CSP, renderIndexPage, visibleText, type IndexRow } from './index-page.js';

const file = (name: string, extra: Partial<IndexRow> = {}): IndexRow => ({
  name,
  type: 'file',
  href: `/${encodeURIComponent(name)}?v=5c-1`,
  size: 92,
  modifiedMs: Date.UTC(2026, 10, 23, 20, 34, 25, 999),
  ...extra,
});

describe('renderIndexPage', () => {
  test.each<[string, string, string, RegExp]>([
    ['an HTML tag', '<img src=x onerror=alert(1)>.txt', '&lt;img src=x onerror=alert(1)&gt;.txt', /<img/],
    ['double quotes', 'say "hi".txt', 'say &quot;hi&quot;.txt', /"hi"/],
    ['single quotes', "it's.txt", 'it&#39;s.txt', /it's/],
    ['ampersands', 'a&b&amp;.txt', 'a&amp;b&amp;amp;.txt', /a&b/],
    ['a closing tag', '</td></tr><script>x</script>', '&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;', /<script>/],
    ['an RTL override', 'evil\u202etxt.exe', 'evil<span class="ctl">U+202E</span>txt.exe', /\u202e/],
    [
      'an RTL mark and isolates',
      'a\u200fb\u2067c\u2069',
      'a<span class="ctl">U+200F</span>b<span class="ctl">U+2067</span>c',
      /[\u200f\u2067]/,
    ],
    ['a newline and a tab', 'a\nb\tc', 'a<span class="ctl">U+000A</span>b<span class="ctl">U+0009</span>c', /a\nb/],
  ])('shows a name with %s as text', (_what, name, shown, absent) => {
    const html = renderIndexPage({ segments: [], rows: [file(name)] });
    expect(html).toContain(shown);
    const body = html.slice(html.indexOf('<tbody>'));
    expect(body).not.toMatch(absent);
  });

  it('links each file to its URL with the href escaped, and the visible name isolated', () => {
    const html = renderIndexPage({ segments: [], rows: [file('a"b', { href: '/a%22b?v=5c-1&x=1' })] });
    expect(html).toContain('<a href="/a%22b?v=5c-1&amp;x=1"><bdi>a&quot;b</bdi></a>');
  });

  it('shows size in human units with the exact bytes as a tooltip, modified time in UTC, and the SHA-256 when known', () => {
    const sha = 'ab'.repeat(32);
    const html = renderIndexPage({ segments: ['docs'], rows: [file('a.bin', { size: 1536, sha256Hex: sha }), file('b.bin')] });
    expect(html).toContain('<span title="1536 bytes">1.5 KiB</span>');
    expect(html).toContain('<time datetime="2026-11-23T20:34:25Z">2026-11-23 20:34:25</time>');
    expect(html).toContain(`<code>${sha}</code>`);
    expect(html.match(/<code>/g)).toHaveLength(1); // b.bin: not known, nothing shown
  });

  it('links folders with their trailing slash and shows the slash', () => {
    const html = renderIndexPage({ segments: [], rows: [{ name: 'docs', type: 'folder', href: '/docs/' }] });
    expect(html).toContain('<a href="/docs/"><bdi>docs/</bdi></a>');
  });

  it('has breadcrumbs to every folder on the way, encoded and escaped', () => {
    const html = renderIndexPage({ segments: ['a b', '<x>'], rows: [] });
    expect(html).toContain('<title>Index of /a b/&lt;x&gt;/</title>');
    expect(html).toContain(
      '<nav aria-label="Breadcrumbs"><a href="/">/</a> <a href="/a%20b/"><bdi>a b</bdi></a> / <a href="/a%20b/%3Cx%3E/"><bdi>&lt;x&gt;</bdi></a> /</nav>',
    );
    expect(html).toContain('This folder is empty.');
  });

  it('links the next page when there is one', () => {
    expect(renderIndexPage({ segments: [], rows: [file('a')], nextHref: '?cursor=Zjph' })).toContain(
      '<a href="?cursor=Zjph" rel="next">Next page</a>',
    );
    expect(renderIndexPage({ segments: [], rows: [file('a')] })).not.toContain('rel="next"');
  });

  it('contains no script, no style attribute, and only the style block its CSP hash allows', () => {
    const html = renderIndexPage({ segments: ['x'], rows: [file('<script>alert(1)</script>')] });
    expect(html).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256').update(styles[0]).digest('base64');
    expect(INDEX_CSP).toBe(`default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`);
  });
});

describe('humanSize', () => {
  test.each<[number, string]>([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [123 * 1024 * 1024, '123 MiB'],
    [5 * 1024 ** 4, '5.0 TiB'],
    [Number.MAX_SAFE_INTEGER, '8.0 PiB'],
  ])('%d bytes → %s', (bytes, shown) => {
    expect(humanSize(bytes)).toBe(shown);
  });
});

describe('escapeHtml and visibleText', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('keeps ordinary non-ASCII text, astral characters included', () => {
    expect(visibleText('中文 Ünïcödé 😀.txt')).toBe('中文 Ünïcödé 😀.txt');
  });
});
