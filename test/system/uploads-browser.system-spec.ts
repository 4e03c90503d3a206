import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { TempRoot } from '../support/fixtures.js';
import { ServerProcess } from '../support/server-process.js';
import { downloadDigest, WRITE_TOKEN, writeRandomFile, uploadSettings } from '../support/tus.js';

const SIZE = 24 * 1024 * 1024;

/**
 * The page: a file input and tus-js-client's browser bundle. It uploads the chosen file in 1 MiB
 * PATCHes; the first time it gets past 30 % it reloads itself mid-upload. After the reload the file
 * is chosen again, tus-js-client finds the earlier upload (its URL is kept in localStorage) and
 * resumes it. What happened is left in window.report for the test to read.
 */
function page(endpoint: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>upload</title><script src="/tus.min.js"></script></head>
<body>
<input type="file" id="file">
<script>
  window.report = { patchOffsets: [], resumedFrom: null, done: false, error: null, reloaded: sessionStorage.getItem('reloaded') === '1' };
  document.getElementById('file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    const upload = new tus.Upload(file, {
      endpoint: ${JSON.stringify(endpoint)},
      chunkSize: 1024 * 1024,
      headers: { Authorization: 'Bearer ${WRITE_TOKEN}' },
      metadata: { filename: file.name, filetype: file.type },
      retryDelays: null,
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') window.report.patchOffsets.push(Number(req.getHeader('Upload-Offset')));
      },
      onProgress: (sent, total) => {
        if (!window.report.reloaded && sent > total * 0.3) {
          sessionStorage.setItem('reloaded', '1');
          location.reload();
        }
      },
      onSuccess: () => { window.report.done = true; },
      onError: (error) => { window.report.error = String(error); },
    });
    const previous = await upload.findPreviousUploads();
    if (previous.length > 0) {
      window.report.resumedFrom = previous[0].uploadUrl;
      upload.resumeFromPreviousUpload(previous[0]);
    }
    upload.start();
  });
</script>
</body></html>`;
}

interface Report {
  patchOffsets: number[];
  resumedFrom: string | null;
  done: boolean;
  error: string | null;
  reloaded: boolean;
}

/**
 * Headless Chromium with tus-js-client in a page on another origin: a file input, a reload
 * mid-upload, the upload resumed. The page is cross-origin, so every request goes through the
 * app's real CORS (CORS_ORIGINS set to the page's origin, the uploads profile of /.uploads):
 * preflights for POST, HEAD and PATCH with tus's headers, and Location and Upload-Offset exposed
 * to the script.
 */
describe('uploads from a browser (headless Chromium, tus-js-client)', () => {
  const root = new TempRoot();
  const work = new TempRoot();
  let server: ServerProcess;
  let pages: Server;
  let pageOrigin: string;
  let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;

  beforeAll(async () => {
    const bundle = readFileSync(resolve('node_modules/tus-js-client/dist/tus.min.js'));
    // The page's own static server, on another loopback origin than the service (127.0.0.2).
    let html = '';
    pages = createServer((req, res) => {
      if (req.url === '/tus.min.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
      else if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => pages.listen(0, '127.0.0.2', done));
    pageOrigin = `http://127.0.0.2:${(pages.address() as AddressInfo).port}`;
    server = await ServerProcess.start({
      ...uploadSettings(root.path),
      CORS_ORIGINS: pageOrigin,
    });
    html = page(`${server.url}/.uploads/`);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server.stop();
    await new Promise((done) => pages.close(done));
    root.cleanup();
    work.cleanup();
  });

  it('uploads a file chosen through a file input, and resumes it after a reload', async () => {
    const path = join(work.path, 'from-the-browser.bin');
    const sha256 = await writeRandomFile(path, SIZE);
    if (browser === undefined) throw new Error('Chromium did not start');
    const tab = await browser.context.newPage();
    const reloaded = tab.waitForEvent('load', { timeout: 60_000 }).then(() => tab.waitForEvent('load', { timeout: 60_000 }));
    await tab.goto(`${pageOrigin}/`);
    await tab.setInputFiles('#file', path);
    // The page reloads itself past 30 %; an upload that fails before that (no CORS grant, say) is reported at once.
    const failedFirst = tab
      .waitForFunction(() => (globalThis as unknown as { report: Report }).report.error !== null, undefined, { timeout: 60_000 })
      .then(
        async () => {
          const report = await tab.evaluate(() => (globalThis as unknown as { report: Report }).report);
          throw new Error(`the upload failed in the page before the reload: ${report.error}`);
        },
        () => new Promise<never>(() => undefined), // the reload destroyed the page being watched: as intended
      );
    await Promise.race([reloaded, failedFirst]);

    const before = await tab.evaluate(() => (globalThis as unknown as { report: Report }).report);
    expect(before.reloaded).toBe(true);
    await tab.setInputFiles('#file', path); // chosen again, as a person would
    await tab.waitForFunction(
      () => {
        const report = (globalThis as unknown as { report: Report }).report;
        return report.done || report.error !== null;
      },
      undefined,
      { timeout: 120_000 },
    );
    const after = await tab.evaluate(() => (globalThis as unknown as { report: Report }).report);
    expect(after.error).toBeNull();
    expect(after.resumedFrom).toMatch(/\/\.uploads\/[0-9a-f]{32}$/);
    // Resumed, not restarted: the first PATCH after the reload starts where the server was.
    expect(after.patchOffsets[0]).toBeGreaterThan(0);

    const download = await downloadDigest(`${server.url}/from-the-browser.bin`);
    expect(download.length).toBe(SIZE);
    expect(download.sha256).toBe(sha256);
    expect(download.headers.get('repr-digest')).toBe(`sha-256=:${sha256}:`);
  }, 180_000);
});
