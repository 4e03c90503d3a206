import type { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { DirectoryService } from '../../src/api/directory.service.js';
import { compareCodePoints, encodeCursor } from '../../src/api/listing.js';
import { DigestService } from '../../src/digest/digest.service.js';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { fetchFrom, json } from '../support/http.js';
import { rawRequest } from '../support/raw-http.js';
import { sleep } from '../support/wait.js';

interface Entry {
  name: string;
  path: string;
  type: 'file' | 'folder';
  size?: number;
  lastModified?: string;
  etag?: string;
  url?: string;
}
interface Listing {
  path: string;
  entries: Entry[];
  nextCursor: string | null;
}

const listing = (res: { body: Buffer }) => json(res) as Listing;
const names = (res: { body: Buffer }) => listing(res).entries.map((entry) => `${entry.name}${entry.type === 'folder' ? '/' : ''}`);

describe('metadata and listing API (/.api/files)', () => {
  const first = new TempRoot();
  const second = new TempRoot();
  const outside = new TempRoot();
  let app: INestApplication;
  let port: number;
  let hello: Buffer;

  beforeAll(async () => {
    hello = first.write('hello.txt', 'Hello, API!\n');
    first.write('docs/readme.md', '# read me\n');
    first.write('docs/deep/er.txt', 'deeper');
    first.write('both.txt', 'from the first root');
    second.write('both.txt', 'from the second root, longer');
    second.write('only-second.txt', 'second');
    second.write('docs/from-second.txt', 'merged folder');
    first.write('dual/inside.txt', 'a folder in the first root');
    second.write('dual', 'a file in the second root');
    first.write('.env', 'SECRET=1');
    first.write('.hidden/x.txt', 'hidden');
    first.write('中文 文件.txt', 'unicode');
    first.write('<img src=x onerror=alert(1)>.txt', 'hostile');
    outside.write('secret.txt', 'outside');
    symlinkSync(outside.resolve('secret.txt'), first.resolve('escape.txt'));
    symlinkSync(outside.path, first.resolve('escape-dir'));
    symlinkSync(first.resolve('hello.txt'), first.resolve('alias.txt'));
    symlinkSync(first.resolve('.hidden/x.txt'), first.resolve('into-hidden.txt'));
    symlinkSync(first.resolve('docs'), first.resolve('docs-link'));
    symlinkSync(first.resolve('missing'), first.resolve('broken.txt'));
    execFileSync('mkfifo', [first.resolve('pipe')]);
    mkdirSync(first.resolve('empty'));
    for (let i = 0; i < 2345; i++) first.write(`many/f${String(i).padStart(4, '0')}.txt`, String(i));
    // An hour old, so the digest worker hashes them (files changed in the last second are not hashed yet).
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(first.resolve('hello.txt'), anHourAgo, anHourAgo);
    await sleep(1100); // ctime, which the settle rule also reads, cannot be set back
    ({ app, port } = await startApp({ FILES_ROOT: `${first.path},${second.path}` }));
  });

  afterAll(async () => {
    await app.close();
    for (const folder of [first, second, outside]) folder.cleanup();
  });

  describe('GET /.api/files/{path}', () => {
    it('describes the file a download would serve, with its validators and version-pinned URL', async () => {
      const res = await fetchFrom(app, '/.api/files/hello.txt');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const download = await fetchFrom(app, '/hello.txt');
      const etag = download.headers['etag'];
      expect(json(res)).toEqual({
        path: 'hello.txt',
        size: hello.length,
        contentType: 'text/plain; charset=utf-8',
        etag,
        lastModified: download.headers['last-modified'],
        reprDigest: null, // the first interest in this file: its digest is queued now
        url: `/hello.txt?v=${etag.slice(1, -1)}`,
      });
    });

    it('gives reprDigest null until the digest is computed, then the SHA-256 in base64', async () => {
      const path = '/.api/files/docs/readme.md';
      const before = json(await fetchFrom(app, path)) as { reprDigest: unknown };
      expect(before.reprDigest).toBeNull(); // first interest queues it, as a HEAD would
      await app.get(DigestService).whenIdle();
      const after = json(await fetchFrom(app, path)) as { reprDigest: unknown };
      const header = (await fetchFrom(app, '/docs/readme.md', { method: 'HEAD' })).headers['repr-digest'];
      expect(after.reprDigest).toEqual({ 'sha-256': /^sha-256=:(.+):$/.exec(header)?.[1] });
    });

    it('percent-encodes the pinned URL of a non-ASCII or hostile name, and the URL serves that file', async () => {
      const meta = json(await fetchFrom(app, `/.api/files/${encodeURIComponent('中文 文件.txt')}`)) as { path: string; url: string };
      expect(meta.path).toBe('中文 文件.txt');
      expect(meta.url).toMatch(/^\/%E4%B8%AD%E6%96%87%20%E6%96%87%E4%BB%B6\.txt\?v=[0-9a-f]+-[0-9a-f]+$/);
      expect((await fetchFrom(app, meta.url)).body.toString()).toBe('unicode');
      const hostile = json(await fetchFrom(app, `/.api/files/${encodeURIComponent('<img src=x onerror=alert(1)>.txt')}`)) as {
        url: string;
      };
      expect(hostile.url).toMatch(/^\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E\.txt\?v=/);
    });

    it('follows the first-root-wins rule of downloads', async () => {
      expect(json(await fetchFrom(app, '/.api/files/both.txt'))).toMatchObject({ size: 'from the first root'.length });
      expect(json(await fetchFrom(app, '/.api/files/only-second.txt'))).toMatchObject({ path: 'only-second.txt' });
      expect(json(await fetchFrom(app, '/.api/files/dual'))).toMatchObject({ size: 'a file in the second root'.length });
    });

    test.each(['nope.txt', '.env', '.hidden/x.txt', 'escape.txt', 'into-hidden.txt', 'broken.txt', 'pipe', 'escape-dir/secret.txt'])(
      '404 JSON for %s',
      async (path) => {
        const res = await fetchFrom(app, `/.api/files/${path}`);
        expect(res.status).toBe(404);
        expect(json(res)).toEqual({ statusCode: 404, error: 'Not Found', message: 'file not found' });
      },
    );

    it('redirects a folder named without its trailing slash to its listing, query kept', async () => {
      const res = await fetchFrom(app, '/.api/files/docs?limit=5');
      expect(res.status).toBe(301);
      expect(res.headers['location']).toBe('/.api/files/docs/?limit=5');
      expect((await fetchFrom(app, '/.api/files')).headers['location']).toBe('/.api/files/');
    });

    test.each(['/.api/files/../x', '/.api/files/a%2fb', '/.api/files/a%00b', '/.api/files//etc/passwd', '/.api/files/docs//'])(
      '400 for the invalid path %s',
      async (target) => {
        const res = await rawRequest(port, `GET ${target} HTTP/1.1`);
        expect(res.status).toBe(400);
        expect(JSON.parse(res.body.toString())).toMatchObject({ statusCode: 400, message: 'invalid path' });
      },
    );
  });

  describe('GET /.api/files/{folder}/', () => {
    it('lists the top folder merged across the roots, in code-point order, without dot-entries, FIFOs or escaping links', async () => {
      const res = await fetchFrom(app, '/.api/files/');
      expect(res.status).toBe(200);
      expect(names(res)).toEqual([
        '<img src=x onerror=alert(1)>.txt',
        'alias.txt',
        'both.txt',
        'docs/',
        'docs-link/',
        'dual',
        'dual/', // a file in one root, a folder in another: both can be fetched, both are listed
        'empty/',
        'hello.txt',
        'many/',
        'only-second.txt',
        '中文 文件.txt',
      ]);
      expect(listing(res)).toMatchObject({ path: '', nextCursor: null });
    });

    it('describes files like the metadata endpoint and folders by name and path only', async () => {
      const entries = listing(await fetchFrom(app, '/.api/files/')).entries;
      const meta = json(await fetchFrom(app, '/.api/files/alias.txt')) as Record<string, unknown>;
      expect(entries.find((entry) => entry.name === 'alias.txt')).toEqual({
        name: 'alias.txt',
        path: 'alias.txt',
        type: 'file',
        size: hello.length, // the symlink's target
        lastModified: meta.lastModified,
        etag: meta.etag,
        url: meta.url,
      });
      expect(entries.find((entry) => entry.name === 'docs')).toEqual({ name: 'docs', path: 'docs/', type: 'folder' });
    });

    it('merges a folder present in several roots, and lists nested and linked folders', async () => {
      expect(names(await fetchFrom(app, '/.api/files/docs/'))).toEqual(['deep/', 'from-second.txt', 'readme.md']);
      // The link exists in the first root only, so only that root has the folder (as downloads see it too).
      expect(names(await fetchFrom(app, '/.api/files/docs-link/'))).toEqual(['deep/', 'readme.md']);
      expect(listing(await fetchFrom(app, '/.api/files/docs/deep/'))).toMatchObject({
        path: 'docs/deep/',
        entries: [{ path: 'docs/deep/er.txt' }],
      });
      expect(listing(await fetchFrom(app, '/.api/files/empty/'))).toEqual({ path: 'empty/', entries: [], nextCursor: null });
    });

    test.each(['missing/', 'hello.txt/', '.hidden/', 'escape-dir/', 'pipe/'])('404 JSON for the folder %s', async (folder) => {
      const res = await fetchFrom(app, `/.api/files/${folder}`);
      expect(res.status).toBe(404);
      expect(json(res)).toEqual({ statusCode: 404, error: 'Not Found', message: 'folder not found' });
    });

    it('pages through 2,345 files with the cursor: every name once, in order', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '?limit=1000' : `?limit=1000&cursor=${cursor}`;
        const page = listing(await fetchFrom(app, `/.api/files/many/${query}`));
        seen.push(...page.entries.map((entry) => entry.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(2345);
      expect(seen).toEqual([...seen].sort(compareCodePoints));
      expect(new Set(seen).size).toBe(2345);
    });

    it('defaults to 1000 entries a page', async () => {
      const page = listing(await fetchFrom(app, '/.api/files/many/'));
      expect(page.entries).toHaveLength(1000);
      expect(page.nextCursor).not.toBeNull();
    });

    it('keeps a cursor valid while files are added and removed', async () => {
      const folder = new TempRoot();
      for (const name of ['b', 'd', 'f', 'h', 'j']) folder.write(name, name);
      const own = await startApp({ FILES_ROOT: folder.path });
      try {
        const one = listing(await fetchFrom(own.app, '/.api/files/?limit=2'));
        expect(one.entries.map((entry) => entry.name)).toEqual(['b', 'd']);
        rmSync(folder.resolve('d')); // the cursor's own entry is gone
        rmSync(folder.resolve('f'));
        folder.write('a', 'before the cursor');
        folder.write('e', 'after the cursor');
        const two = listing(await fetchFrom(own.app, `/.api/files/?limit=2&cursor=${one.nextCursor}`));
        expect(two.entries.map((entry) => entry.name)).toEqual(['e', 'h']);
        const three = listing(await fetchFrom(own.app, `/.api/files/?limit=2&cursor=${two.nextCursor}`));
        expect(three).toMatchObject({ entries: [{ name: 'j' }], nextCursor: null });
      } finally {
        await own.app.close();
        folder.cleanup();
      }
    });

    it('pages a name that is both a file and a folder without losing either', async () => {
      const one = listing(await fetchFrom(app, `/.api/files/?limit=1&cursor=${encodeCursor({ name: 'docs-link', type: 'folder' })}`));
      expect(one.entries).toMatchObject([{ name: 'dual', type: 'file' }]);
      const two = listing(await fetchFrom(app, `/.api/files/?limit=1&cursor=${one.nextCursor}`));
      expect(two.entries).toMatchObject([{ name: 'dual', type: 'folder' }]);
    });

    test.each<[string, string]>([
      ['limit=0', 'limit must be an integer between 1 and 10000'],
      ['limit=10001', 'limit must be an integer between 1 and 10000'],
      ['limit=1e3', 'limit must be an integer between 1 and 10000'],
      ['limit=-1', 'limit must be an integer between 1 and 10000'],
      ['limit=', 'limit must be an integer between 1 and 10000'],
      ['limit=1&limit=2', 'limit must be an integer between 1 and 10000'],
      ['cursor=not-a-cursor', 'cursor is not one this service made (pass nextCursor as it was)'],
      ['cursor=a&cursor=b', 'cursor must be given once'],
      ['cursor=A…A (8,000 characters)', 'cursor is not one this service made (pass nextCursor as it was)'],
      ['limt=5', 'unknown query parameter: limt'],
    ])('400 JSON for ?%s', async (label, message) => {
      const query = label.replace('A…A (8,000 characters)', 'A'.repeat(8_000));
      const res = await fetchFrom(app, `/.api/files/many/?${query}`);
      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ statusCode: 400, error: 'Bad Request', message });
    });

    it('costs file-system calls for the page only: the same for the first and the last page', async () => {
      const directories = app.get(DirectoryService);
      const firstPage = await directories.list(['many'], undefined, 100);
      const lastPage = await directories.list(['many'], { name: 'f2299.txt', type: 'file' }, 100);
      expect(firstPage?.entries).toHaveLength(100);
      expect(firstPage?.entryCalls).toBe(100); // one lstat per entry of the page, none for the other 2,245 names
      expect(lastPage?.entries).toHaveLength(45);
      expect(lastPage?.entryCalls).toBe(46); // and the cursor's own name, whose folder entry could follow its file
      expect(lastPage?.next).toBeUndefined();
    });
  });

  describe('LISTING=off', () => {
    it('answers every listing 404, like a missing folder, and keeps the metadata', async () => {
      const own = await startApp({ FILES_ROOT: first.path, LISTING: 'off' });
      try {
        for (const path of ['/.api/files/', '/.api/files/docs/', '/', '/docs/']) {
          const res = await fetchFrom(own.app, path);
          expect([path, res.status]).toEqual([path, 404]);
        }
        expect((await fetchFrom(own.app, '/.api/files/docs')).status).toBe(404); // no redirect to a listing that is not there
        expect((await fetchFrom(own.app, '/.api/files/hello.txt')).status).toBe(200);
      } finally {
        await own.app.close();
      }
    });
  });
});
