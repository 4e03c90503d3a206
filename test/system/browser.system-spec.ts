import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, servePage } from '../support/browser.js';
import { TestCredentials } from '../support/access.js';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';

const HOSTILE = '<img src=x onerror=alert(1)>.txt';
const ARTEFACTS = '.tmp';

/** What a script on another origin can read from a resumed (suffix) range request. */
interface CrossOriginRead {
  status: number;
  contentRange: string | null;
  etag: string | null;
  reprDigest: string | null;
  bytes: number[];
}

/**
 * Headless Chromium (Debian's, driven by playwright-core) against the compiled service: the HTML
 * index as a person sees it, a cross-origin script resuming a download, and Swagger UI.
 */
describe('in a browser (headless Chromium)', () => {
  const root = new TempRoot();
  let server: ServerProcess;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let listed: { origin: string; close: () => Promise<void> };
  let unlisted: { origin: string; close: () => Promise<void> };
  let big: Buffer;

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    big = root.writeRandom('data/big.bin', 300_000);
    root.write('hello.txt', 'Hello from the index!\n');
    root.write(HOSTILE, 'a hostile name, harmless bytes');
    root.write('docs/readme.md', '# docs\n');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of ['data/big.bin', 'hello.txt', HOSTILE]) utimesSync(root.resolve(file), anHourAgo, anHourAgo);
    browser = await launchChromium();
    listed = await servePage('<!DOCTYPE html><title>listed app</title><p>an app on another origin</p>');
    unlisted = await servePage('<!DOCTYPE html><title>unlisted</title><p>a page whose origin is not listed</p>');
    server = await ServerProcess.start({
      FILES_ROOT: root.path,
      CORS_ORIGINS: listed.origin,
      DIGEST_PRECOMPUTE: 'true',
      LOG_LEVEL: 'warn',
    });
    // The digests are computed in the background once the files have settled (a second after their ctime).
    await until(async () => {
      const meta = (await (await fetch(`${server.url}/.api/files/data/big.bin`)).json()) as { reprDigest: unknown };
      return meta.reprDigest !== null;
    }, 'the digest of big.bin');
  });

  afterAll(async () => {
    await browser?.close();
    await listed?.close();
    await unlisted?.close();
    await server?.stop();
    root.cleanup();
  });

  /** A new page that records dialogs, console messages and every request it makes. */
  async function openPage(): Promise<{ page: Page; dialogs: string[]; console: string[]; requests: string[] }> {
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    const consoleMessages: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    page.on('request', (request) => requests.push(request.url()));
    return { page, dialogs, console: consoleMessages, requests };
  }

  it('renders the index of a folder: breadcrumbs, names, sizes, times, SHA-256; a hostile name shows as text and fires no dialog', async () => {
    const { page, dialogs, console: messages, requests } = await openPage();
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    await page.screenshot({ path: `${ARTEFACTS}/index-page.png`, fullPage: true });
    const rows = await Promise.all((await page.locator('tbody tr').all()).map((row) => row.locator('td').allTextContents()));
    expect(rows.map((cells) => cells[0])).toEqual([HOSTILE, 'data/', 'docs/', 'hello.txt']);
    const hello = rows[3];
    expect(hello[1]).toBe('22 B');
    expect(hello[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(hello[3]).toBe(createHash('sha256').update('Hello from the index!\n').digest('hex'));
    expect(await page.$$('tbody img')).toHaveLength(0); // the name is text, not an element
    expect(dialogs).toEqual([]);
    expect(messages.filter((message) => /Content Security Policy/i.test(message))).toEqual([]);
    expect(requests.every((url) => url.startsWith(server.url))).toBe(true);
    await page.close();
  });

  it('follows the breadcrumbs and folder links, and a file link downloads the file byte-exactly', async () => {
    const { page } = await openPage();
    await page.goto(`${server.url}/`);
    await page.click('a[href="/data/"]');
    expect(page.url()).toBe(`${server.url}/data/`);
    expect(await page.textContent('nav')).toBe('/ data /');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('tbody a')]);
    expect(download.url()).toMatch(new RegExp(`^${server.url}/data/big\\.bin\\?v=[0-9a-f]+-[0-9a-f]+$`));
    expect(download.suggestedFilename()).toBe('big.bin');
    const saved = readFileSync(await download.path());
    expect(saved.equals(big)).toBe(true);
    await page.click('nav a[href="/"]');
    expect(page.url()).toBe(`${server.url}/`);
    await page.close();
  });

  it('lets a listed origin resume with `Range: bytes=-500` and If-Range, and read Content-Range, ETag and Repr-Digest', async () => {
    const { page } = await openPage();
    await page.goto(`${listed.origin}/`);
    const read = await page.evaluate(async (url): Promise<CrossOriginRead> => {
      const first = await fetch(url, { method: 'HEAD' });
      const etag = first.headers.get('ETag') ?? '';
      const res = await fetch(url, { headers: { Range: 'bytes=-500', 'If-Range': etag } });
      return {
        status: res.status,
        contentRange: res.headers.get('Content-Range'),
        etag: res.headers.get('ETag'),
        reprDigest: res.headers.get('Repr-Digest'),
        bytes: [...new Uint8Array(await res.arrayBuffer())],
      };
    }, `${server.url}/data/big.bin`);
    expect(read.status).toBe(206);
    expect(read.contentRange).toBe(`bytes ${big.length - 500}-${big.length - 1}/${big.length}`);
    expect(read.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(read.reprDigest).toBe(`sha-256=:${createHash('sha256').update(big).digest('base64')}:`);
    expect(Buffer.from(read.bytes).equals(big.subarray(big.length - 500))).toBe(true);
    await page.close();
  });

  it('refuses a page on an origin that is not listed: its fetch fails and it reads nothing', async () => {
    const { page, console: messages } = await openPage();
    await page.goto(`${unlisted.origin}/`);
    const outcome = await page.evaluate(async (url) => {
      try {
        const res = await fetch(url, { headers: { Range: 'bytes=-500' } });
        return `read ${res.status}`;
      } catch (error) {
        return `refused: ${String(error)}`;
      }
    }, `${server.url}/data/big.bin`);
    expect(outcome).toBe('refused: TypeError: Failed to fetch');
    expect(messages.some((message) => message.includes('CORS policy'))).toBe(true);
    await page.close();
  });

  it('renders Swagger UI from the service itself under its self-only CSP', async () => {
    const { page, console: messages, requests } = await openPage();
    await page.goto(`${server.url}/.api/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    const paths = (await page.locator('.opblock-summary-path').allTextContents()).map((text) => text.replace(/\u200b/g, ''));
    expect(paths).toEqual(expect.arrayContaining(['/{path}', '/.api/files/{path}', '/.api/files/{folder}/']));
    await page.screenshot({ path: `${ARTEFACTS}/swagger-ui.png` });
    expect(messages.filter((message) => /Content Security Policy|Refused to/i.test(message))).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});

/** ACCESS=private: a listed origin's script sends a bearer token (a preflighted header) and reads what it got. */
describe('in a browser (headless Chromium), private mode', () => {
  const root = new TempRoot();
  const credentials = new TestCredentials();
  let server: ServerProcess;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let listed: { origin: string; close: () => Promise<void> };
  let bytes: Buffer;

  beforeAll(async () => {
    bytes = root.writeRandom('private/big.bin', 100_000);
    browser = await launchChromium();
    listed = await servePage('<!DOCTYPE html><title>listed app</title><p>an app with a token</p>');
    server = await ServerProcess.start({
      FILES_ROOT: root.path,
      CORS_ORIGINS: listed.origin,
      LOG_LEVEL: 'warn',
      ...credentials.settings('private'),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await listed?.close();
    await server?.stop();
    root.cleanup();
  });

  it('a listed origin sends Authorization: Bearer with a range and reads the answer; without the token it reads the 401', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${listed.origin}/`);
    const read = await page.evaluate(
      async ({ url, token }) => {
        const denied = await fetch(url, { headers: { Range: 'bytes=-100' } });
        const res = await fetch(url, { headers: { Range: 'bytes=-100', Authorization: `Bearer ${token}` } });
        return {
          denied: [denied.status, denied.headers.get('WWW-Authenticate')],
          status: res.status,
          contentRange: res.headers.get('Content-Range'),
          cacheControl: res.headers.get('Cache-Control'),
          bytes: [...new Uint8Array(await res.arrayBuffer())],
        };
      },
      { url: `${server.url}/private/big.bin`, token: credentials.readToken },
    );
    expect(read.denied).toEqual([401, 'Bearer realm="files"']);
    expect([read.status, read.contentRange, read.cacheControl]).toEqual([206, `bytes 99900-99999/100000`, 'private']);
    expect(Buffer.from(read.bytes).equals(bytes.subarray(99_900))).toBe(true);
    await page.close();
  });
});
