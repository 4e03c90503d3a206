import type { INestApplication } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { rawRequest } from '../support/raw-http.js';
import {
  API_TOKENS,
  appendTo,
  createUpload,
  errorBodyOf,
  READ_TOKEN,
  sha256Base64,
  tusRequest,
  uploadMetadata,
  WRITE_AUTH,
  WRITE_TOKEN,
} from '../support/tus.js';

const STAGING = '.upload-staging';

async function serve(env: Record<string, string>): Promise<{ app: INestApplication; base: string; port: number }> {
  const { app, port } = await startApp({ API_TOKENS, UPLOAD_MIN_FREE: '0', ...env });
  return { app, base: `http://127.0.0.1:${port}`, port };
}

/** Names in the served folder, the staging folder excepted. */
function servedNames(root: TempRoot): string[] {
  return readdirSync(root.path).filter((name) => name !== STAGING);
}

/** Data and info files of uploads in progress (the locks folder excepted). */
function stagedNames(root: TempRoot): string[] {
  return readdirSync(root.resolve(STAGING)).filter((name) => name !== 'locks');
}

describe('uploads off (UPLOAD_ROOT unset)', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  beforeAll(async () => ({ app, base } = await serve({ FILES_ROOT: root.path })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  test.each(['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE'] as const)(
    '%s /.uploads/ answers 404, with or without a token',
    async (method) => {
      for (const headers of [{}, WRITE_AUTH]) {
        const res = await fetch(`${base}/.uploads/${'a'.repeat(32)}`, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } });
        expect(res.status).toBe(404);
      }
      const res = await fetch(`${base}/.uploads/`, { method: 'POST', headers: WRITE_AUTH });
      expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'uploads are not enabled' });
    },
  );
});

describe('uploads (tus 1.0 under /.uploads/)', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  let port: number;
  beforeAll(async () => ({ app, base, port } = await serve({ FILES_ROOT: root.path, UPLOAD_ROOT: root.path, UPLOAD_MAX_SIZE: '1MiB' })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('OPTIONS advertises tus 1.0, the four extensions and Tus-Max-Size, without a token', async () => {
    const res = await fetch(`${base}/.uploads/`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination,expiration');
    expect(res.headers.get('tus-max-size')).toBe(String(1024 * 1024));
    // CORS is the app's policy, not tus's `*`.
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('access: only write tokens', () => {
    const unknown = `${'b'.repeat(32)}`;
    test.each([
      ['POST', '/.uploads/'],
      ['HEAD', `/.uploads/${unknown}`],
      ['PATCH', `/.uploads/${unknown}`],
      ['DELETE', `/.uploads/${unknown}`],
    ] as const)('%s %s: 401 without a token, 403 with an unknown one or a read token', async (method, path) => {
      const tus = {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '1',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      };
      const none = await fetch(`${base}${path}`, { method, headers: tus });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await fetch(`${base}${path}`, { method, headers: { ...tus, Authorization: 'Bearer not-a-known-token' } });
      expect(wrong.status).toBe(403);
      const read = await fetch(`${base}${path}`, { method, headers: { ...tus, Authorization: `Bearer ${READ_TOKEN}` } });
      expect(read.status).toBe(403);
      if (method !== 'HEAD')
        expect(await read.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'this token may not upload' });
    });
  });

  it('never serves partial bytes: GET on an upload is 405, the staging folder is neither served nor listed, the name is not there yet', async () => {
    const data = randomBytes(20_000);
    const { res, url } = await createUpload(base, data.length, { filename: 'partial.bin' });
    expect(res.status).toBe(201);
    expect((await appendTo(url, 0, data.subarray(0, 10_000))).status).toBe(204);
    const id = url.split('/').pop() ?? '';

    const get = await tusRequest(url, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('OPTIONS, POST, HEAD, PATCH, DELETE');
    expect((await fetch(`${base}/partial.bin`)).status).toBe(404);
    expect((await fetch(`${base}/${STAGING}/${id}`)).status).toBe(404);
    expect((await fetch(`${base}/${STAGING}/${id}.json`)).status).toBe(404);
    expect(servedNames(root)).not.toContain('partial.bin');
    expect(readdirSync(root.resolve(STAGING))).toContain(id); // staged, so the checks below are about a folder that exists
    for (const path of [
      `/${STAGING}`,
      `/${STAGING}/`,
      `/.api/files/${STAGING}`,
      `/.api/files/${STAGING}/`,
      `/.api/files/${STAGING}/${id}`,
    ]) {
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 404]);
    }
    const listing = await fetch(`${base}/.api/files/`);
    expect(listing.status).toBe(200);
    const names = ((await listing.json()) as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name);
    expect(names).not.toContain(STAGING);
    expect(names).not.toContain('partial.bin');

    expect((await appendTo(url, 10_000, data.subarray(10_000))).status).toBe(204);
    const done = await fetch(`${base}/partial.bin`);
    expect(Buffer.from(await done.arrayBuffer())).toEqual(data);
  });

  it('publishes on the last byte; the first download already has the Repr-Digest; HEAD on the upload then says done', async () => {
    const data = randomBytes(300_000);
    const { res, url } = await createUpload(base, data.length, { filename: 'report 2024.bin', sha256: sha256Base64(data) });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toMatch(/^\/\.uploads\/[0-9a-f]{32}$/);
    expect(res.headers.get('upload-expires')).not.toBeNull();
    expect((await appendTo(url, 0, data.subarray(0, 100_000))).headers.get('upload-offset')).toBe('100000');
    const last = await appendTo(url, 100_000, data.subarray(100_000));
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-offset')).toBe(String(data.length));

    const download = await fetch(`${base}/report%202024.bin`);
    expect(download.status).toBe(200);
    expect(download.headers.get('repr-digest')).toBe(`sha-256=:${sha256Base64(data)}:`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(data);

    // A client whose last response was lost asks again and learns the upload is complete.
    const head = await tusRequest(url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(data.length));
    expect(head.headers.get('upload-length')).toBe(String(data.length));
    const again = await appendTo(url, data.length, Buffer.alloc(0));
    expect(again.status).toBe(204);
    expect(again.headers.get('upload-offset')).toBe(String(data.length));
    expect(stagedNames(root).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });

  it('creates missing folders of `folder`', async () => {
    const data = randomBytes(1000);
    const { url } = await createUpload(base, data.length, { filename: 'c.bin', folder: 'new/deeper' });
    expect((await appendTo(url, 0, data)).status).toBe(204);
    expect(Buffer.from(await (await fetch(`${base}/new/deeper/c.bin`)).arrayBuffer())).toEqual(data);
  });

  it('creation-with-upload: the POST body is the first (here the only) part', async () => {
    const data = randomBytes(5000);
    const res = await tusRequest(
      `${base}/.uploads/`,
      'POST',
      {
        'Upload-Length': String(data.length),
        'Upload-Metadata': uploadMetadata({ filename: 'at-once.bin' }),
        'Content-Type': 'application/offset+octet-stream',
      },
      data,
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('upload-offset')).toBe(String(data.length));
    expect(Buffer.from(await (await fetch(`${base}/at-once.bin`)).arrayBuffer())).toEqual(data);
  });

  test.each<[Record<string, string>, string]>([
    [{ filetype: 'text/plain' }, 'missing-filename'],
    [{ filename: '../escape.bin' }, 'filename-hidden'],
    [{ filename: '..' }, 'filename-dot-segment'],
    [{ filename: '.env' }, 'filename-hidden'],
    [{ filename: 'a/b.bin' }, 'filename-slash'],
    [{ filename: 'a\\b.bin' }, 'filename-backslash'],
    [{ filename: 'nul\u0000.bin' }, 'filename-control-character'],
    [{ filename: 'line\nbreak.bin' }, 'filename-control-character'],
    [{ filename: `${'x'.repeat(252)}.bin` }, 'filename-too-long'],
    [{ filename: 'ok.bin', folder: '../outside' }, 'folder-dot-segment'],
    [{ filename: 'ok.bin', folder: '/etc' }, 'folder-empty'],
    [{ filename: 'ok.bin', folder: `a/${STAGING}` }, 'folder-hidden'],
  ])('%j → 400 %s, and nothing is created', async (metadata, reason) => {
    const before = stagedNames(root).length;
    const { res } = await createUpload(base, 10, metadata);
    expect(res.status).toBe(400);
    expect(await errorBodyOf(res)).toMatchObject({ statusCode: 400, error: 'Bad Request', reason });
    expect(stagedNames(root).length).toBe(before);
  });

  it('refuses a folder that leads out of UPLOAD_ROOT through a symlink (400), and follows one that stays inside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'rds-outside-'));
    try {
      symlinkSync(outside, root.resolve('out'));
      mkdirSync(root.resolve('real-inside'));
      symlinkSync(root.resolve('real-inside'), root.resolve('inside'));
      const { res } = await createUpload(base, 10, { filename: 'x.bin', folder: 'out/sub' });
      expect(res.status).toBe(400);
      expect(await errorBodyOf(res)).toMatchObject({ reason: 'folder-escapes' });
      const data = randomBytes(10);
      const ok = await createUpload(base, data.length, { filename: 'x.bin', folder: 'inside' });
      expect(ok.res.status).toBe(201);
      expect((await appendTo(ok.url, 0, data)).status).toBe(204);
      expect(readdirSync(outside)).toEqual([]);
      expect(Buffer.from(await (await fetch(`${base}/real-inside/x.bin`)).arrayBuffer())).toEqual(data);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses an existing name with 409 (UPLOAD_OVERWRITE is off), and a folder of that name', async () => {
    root.write('taken.txt', 'old');
    mkdirSync(root.resolve('a-folder'));
    const taken = await createUpload(base, 3, { filename: 'taken.txt' });
    expect(taken.res.status).toBe(409);
    expect(await errorBodyOf(taken.res)).toMatchObject({ reason: 'exists' });
    const folder = await createUpload(base, 3, { filename: 'a-folder' });
    expect(folder.res.status).toBe(409);
    expect(await errorBodyOf(folder.res)).toMatchObject({ reason: 'is-a-folder' });
  });

  it('refuses an Upload-Length above UPLOAD_MAX_SIZE with 413 at creation', async () => {
    const { res } = await createUpload(base, 1024 * 1024 + 1, { filename: 'big.bin' });
    expect(res.status).toBe(413);
    expect(await errorBodyOf(res)).toMatchObject({ statusCode: 413, reason: 'too-large' });
  });

  it('a digest mismatch deletes the upload: 460 with a clear message, nothing in the served folder', async () => {
    const data = randomBytes(50_000);
    const { url } = await createUpload(base, data.length, {
      filename: 'tampered.bin',
      sha256: sha256Base64(Buffer.from('something else')),
    });
    const last = await appendTo(url, 0, data);
    expect(last.status).toBe(460);
    const body = await errorBodyOf(last);
    expect(body).toMatchObject({ statusCode: 460, error: 'Checksum Mismatch', reason: 'digest-mismatch' });
    expect(body.message).toContain(`sha-256 of the upload is ${sha256Base64(data)}`);
    expect(servedNames(root)).not.toContain('tampered.bin');
    expect((await tusRequest(url, 'HEAD')).status).toBe(404);
    const id = url.split('/').pop() ?? '';
    expect(existsSync(root.resolve(`${STAGING}/${id}`))).toBe(false);
  });

  it('checks an RFC 9530 Repr-Digest sent at creation (sha-256 or sha-512)', async () => {
    const data = randomBytes(4000);
    const sha512 = createHash('sha512').update(data).digest('base64');
    const good = await createUpload(base, data.length, { filename: 'repr-ok.bin' }, { 'Repr-Digest': `sha-512=:${sha512}:` });
    expect((await appendTo(good.url, 0, data)).status).toBe(204);
    const bad = await createUpload(
      base,
      data.length,
      { filename: 'repr-bad.bin' },
      { 'Repr-Digest': `sha-256=:${sha256Base64(Buffer.from('x'))}:` },
    );
    expect((await appendTo(bad.url, 0, data)).status).toBe(460);
    expect(servedNames(root)).toContain('repr-ok.bin');
    expect(servedNames(root)).not.toContain('repr-bad.bin');
    const malformed = await createUpload(base, data.length, { filename: 'repr-x.bin' }, { 'Repr-Digest': 'sha-256=abc' });
    expect(malformed.res.status).toBe(400);
    expect(await errorBodyOf(malformed.res)).toMatchObject({ reason: 'invalid-digest' });
  });

  it('terminates an upload with DELETE (204); it is then unknown (404)', async () => {
    const { url } = await createUpload(base, 100, { filename: 'dropped.bin' });
    expect((await appendTo(url, 0, randomBytes(50))).status).toBe(204);
    expect((await tusRequest(url, 'DELETE')).status).toBe(204);
    expect((await tusRequest(url, 'HEAD')).status).toBe(404);
    const id = url.split('/').pop() ?? '';
    expect(stagedNames(root).filter((name) => name.startsWith(id))).toEqual([]);
  });

  // Sent raw: fetch (like every URL parser) would resolve `..` and `%2e%2e` away before sending.
  it('answers an id that is not one of ours with 404, dot segments included (sent as written), and stages nothing', async () => {
    const before = stagedNames(root);
    for (const id of ['..', '%2e%2e', '%2E%2E', '../..', `..%2f${STAGING}`, 'ABCDEF', 'x'.repeat(32), `${'a'.repeat(32)}.json`]) {
      for (const method of ['HEAD', 'PATCH', 'DELETE']) {
        const res = await rawRequest(port, `${method} /.uploads/${id} HTTP/1.1`, [
          `Authorization: Bearer ${WRITE_TOKEN}`,
          'Tus-Resumable: 1.0.0',
          'Upload-Offset: 0',
          'Content-Type: application/offset+octet-stream',
          'Content-Length: 0',
        ]);
        expect([method, id, res.status]).toEqual([method, id, 404]);
      }
    }
    expect(stagedNames(root)).toEqual(before);
  });

  it('counts uploads in /.metrics', async () => {
    const text = await (await fetch(`${base}/.metrics`)).text();
    expect(Number(/^uploads_started_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(5);
    expect(Number(/^uploads_completed_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/^uploads_failed_total\{reason="digest-mismatch"\} 2$/m);
    expect(text).toMatch(/^uploads_failed_total\{reason="terminated"\} 1$/m);
    expect(text).toMatch(/^uploads_rejected_total\{reason="too-large"\} 1$/m);
    expect(text).toMatch(/^uploads_rejected_total\{reason="exists"\} 1$/m);
    expect(Number(/^upload_bytes_received_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(300_000);
  });
});

describe('UPLOAD_OVERWRITE=true', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  beforeAll(async () => ({ app, base } = await serve({ FILES_ROOT: root.path, UPLOAD_ROOT: root.path, UPLOAD_OVERWRITE: 'true' })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('replaces the file atomically: a new ETag and the new bytes for new downloads', async () => {
    const old = root.writeRandom('replace.bin', 100_000);
    const before = await fetch(`${base}/replace.bin`, { method: 'HEAD' });
    const data = randomBytes(100_000);
    const { res, url } = await createUpload(base, data.length, { filename: 'replace.bin' });
    expect(res.status).toBe(201);
    expect((await appendTo(url, 0, data)).status).toBe(204);
    const after = await fetch(`${base}/replace.bin`);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(Buffer.from(await after.arrayBuffer())).toEqual(data);
    expect(data.equals(old)).toBe(false);
  });

  // Replacing a file drops the old inode's link count, which moves its ctime; the slice reader
  // accepts that one change (no link left, same size and mtime: the same bytes).
  it('lets a download already in flight finish with the old bytes (it holds the old inode)', async () => {
    const old = root.writeRandom('in-flight.bin', 16 * 1024 * 1024);
    const download = await fetch(`${base}/in-flight.bin`);
    const reader = (download.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Buffer[] = [];
    const first = await reader.read();
    if (first.value) chunks.push(Buffer.from(first.value));

    const data = randomBytes(1000);
    const { url } = await createUpload(base, data.length, { filename: 'in-flight.bin' });
    expect((await appendTo(url, 0, data)).status).toBe(204);

    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(Buffer.from(next.value));
    expect(Buffer.concat(chunks).equals(old)).toBe(true);
    expect(Buffer.from(await (await fetch(`${base}/in-flight.bin`)).arrayBuffer())).toEqual(data);
  });
});

describe('UPLOAD_MIN_FREE', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  beforeAll(async () => ({ app, base } = await serve({ FILES_ROOT: root.path, UPLOAD_ROOT: root.path, UPLOAD_MIN_FREE: '8000TiB' })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('refuses a creation that would leave less free space than that with 507', async () => {
    const { res } = await createUpload(base, 10, { filename: 'a.bin' });
    expect(res.status).toBe(507);
    expect(await errorBodyOf(res)).toMatchObject({ statusCode: 507, error: 'Insufficient Storage', reason: 'no-space' });
  });
});

describe('UPLOAD_EXPIRY', () => {
  const root = new TempRoot();
  let app: INestApplication;
  let base: string;
  beforeAll(async () => ({ app, base } = await serve({ FILES_ROOT: root.path, UPLOAD_ROOT: root.path, UPLOAD_EXPIRY: '3s' })));
  afterAll(async () => {
    await app.close();
    root.cleanup();
  });

  it('answers 410 for an expired upload, and the clean-up job deletes it', async () => {
    const createdAt = Date.now();
    const { url } = await createUpload(base, 100, { filename: 'late.bin' });
    expect((await appendTo(url, 0, randomBytes(10))).status).toBe(204);
    const id = url.split('/').pop() ?? '';
    expect(existsSync(root.resolve(`${STAGING}/${id}`))).toBe(true);
    // Past the 3 s, and before the clean-up may delete it (kept one more round, 1.5 s, answering 410).
    await new Promise((done) => setTimeout(done, Math.max(0, createdAt + 3300 - Date.now())));
    const late = await appendTo(url, 10, randomBytes(10));
    expect(late.status).toBe(410);
    expect(await errorBodyOf(late)).toMatchObject({ reason: 'expired' });
    // The job runs every 1.5 s (half the expiry, at least 1 s) and deletes what expired a round ago.
    const deadline = Date.now() + 10_000;
    const staged = () => existsSync(root.resolve(`${STAGING}/${id}`)) || existsSync(root.resolve(`${STAGING}/${id}.json`));
    while (staged() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
    expect(existsSync(root.resolve(`${STAGING}/${id}`))).toBe(false);
    expect(existsSync(root.resolve(`${STAGING}/${id}.json`))).toBe(false);
    writeFileSync(root.resolve('unrelated.txt'), 'x'); // the job touches only uploads
    expect(servedNames(root)).toEqual(['unrelated.txt']);
  });
});
