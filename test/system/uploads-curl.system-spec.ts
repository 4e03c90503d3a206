import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';
import { mountTmpfs, unmount } from '../support/tmpfs.js';
import { READ_TOKEN, sha256Base64, uploadMetadata, WRITE_TOKEN, uploadSettings } from '../support/tus.js';
import { sleep } from '../support/wait.js';

interface CurlAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request with curl; headers lower-cased. `data` is sent as the body from a file (--data-binary @file). */
function curl(method: string, url: string, headers: Record<string, string>, data?: Buffer): CurlAnswer {
  const args = method === 'HEAD' ? ['-sS', '-I', url] : ['-sS', '-X', method, '-D', '-', url];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  let input: Buffer | undefined;
  if (data !== undefined) {
    args.push('--data-binary', '@-');
    input = data;
  }
  const output = execFileSync('curl', args, { input, maxBuffer: 16 * 1024 * 1024 }).toString('latin1');
  const split = output.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = output.slice(0, split).split('\r\n');
  const answer: CurlAnswer = { status: Number(statusLine.split(' ')[1]), headers: {}, body: output.slice(split + 4) };
  for (const line of lines) {
    const colon = line.indexOf(':');
    answer.headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return answer;
}

const writer = { Authorization: `Bearer ${WRITE_TOKEN}`, 'Tus-Resumable': '1.0.0' };
const patchHeaders = (offset: number) => ({
  ...writer,
  'Upload-Offset': String(offset),
  'Content-Type': 'application/offset+octet-stream',
});

/** The README's curl walk-through, exactly as written between its markers. */
function readmeWalkthrough(): string {
  const readme = readFileSync(resolve('README.md'), 'utf8');
  const start = readme.indexOf('<!-- uploads-walkthrough -->');
  const end = readme.indexOf('<!-- /uploads-walkthrough -->');
  if (start === -1 || end === -1) throw new Error('README.md has no uploads walk-through between its markers');
  const block = readme.slice(start, end);
  return block.slice(block.indexOf('```bash\n') + '```bash\n'.length, block.lastIndexOf('```'));
}

/** curl driving the raw tus protocol against the compiled service. */
describe('uploads with curl (the raw tus protocol)', () => {
  const root = new TempRoot();
  const work = new TempRoot();
  let server: ServerProcess;
  let base: string;

  beforeAll(async () => {
    requireCommand('curl', 'curl');
    server = await ServerProcess.start({
      ...uploadSettings(root.path),
      LOG_LEVEL: 'info',
    });
    base = server.url;
  });
  afterAll(async () => {
    await server.stop();
    root.cleanup();
    work.cleanup();
  });

  function create(length: number, metadata: Record<string, string>, headers: Record<string, string> = writer): CurlAnswer {
    return curl('POST', `${base}/.uploads/`, { ...headers, 'Upload-Length': String(length), 'Upload-Metadata': uploadMetadata(metadata) });
  }

  it('runs the README walk-through: create, send a part, ask the offset, send the rest, download the same bytes', () => {
    const file = join(work.path, 'walkthrough.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024 + 12_345));
    const output = execFileSync('bash', ['-euo', 'pipefail', '-c', readmeWalkthrough()], {
      env: { ...process.env, BASE: base, TOKEN: WRITE_TOKEN, FILE: file },
    }).toString();
    expect(output).toMatch(/^Tus-Version: 1\.0\.0\r?$/im);
    expect(output).toMatch(/^Tus-Extension: creation,creation-with-upload,termination,expiration\r?$/im);
    expect(output).toMatch(/^upload at \/\.uploads\/[0-9a-f]{32}$/m);
    expect(output).toContain(`server has 1048576 of ${3 * 1024 * 1024 + 12_345} bytes`);
    expect(output.trim().endsWith('identical')).toBe(true);
    expect(readFileSync(root.resolve('incoming/walkthrough.bin')).equals(readFileSync(file))).toBe(true);
  });

  it('401 without a token, 403 with a read token, before anything else (even for unknown uploads)', () => {
    const none = create(10, { filename: 'a.bin' }, { 'Tus-Resumable': '1.0.0' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(none.body)).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'a bearer token is required' });
    expect(create(10, { filename: 'a.bin' }, { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${READ_TOKEN}` }).status).toBe(403);
    expect(curl('PATCH', `${base}/.uploads/${'c'.repeat(32)}`, { 'Tus-Resumable': '1.0.0' }, Buffer.from('x')).status).toBe(401);
  });

  it('409 for a PATCH at the wrong offset, which leaves the upload as it was', () => {
    const created = create(100, { filename: 'offsets.bin' });
    expect(created.status).toBe(201);
    const url = `${base}${created.headers.location}`;
    expect(curl('PATCH', url, patchHeaders(0), randomBytes(40)).status).toBe(204);
    const wrong = curl('PATCH', url, patchHeaders(10), randomBytes(40));
    expect(wrong.status).toBe(409);
    expect(JSON.parse(wrong.body)).toMatchObject({ statusCode: 409, reason: 'offset-mismatch' });
    expect(curl('HEAD', url, writer).headers['upload-offset']).toBe('40');
  });

  it('415 for a PATCH with another Content-Type (tus 1.0)', () => {
    const url = `${base}${create(100, { filename: 'types.bin' }).headers.location}`;
    for (const type of ['application/octet-stream', 'application/offset+octet-stream; charset=utf-8']) {
      const res = curl('PATCH', url, { ...patchHeaders(0), 'Content-Type': type }, randomBytes(10));
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    }
    expect(curl('HEAD', url, writer).headers['upload-offset']).toBe('0');
  });

  it('404 for an unknown upload (HEAD, PATCH, DELETE)', () => {
    const url = `${base}/.uploads/${'d'.repeat(32)}`;
    expect(curl('HEAD', url, writer).status).toBe(404);
    const patch = curl('PATCH', url, patchHeaders(0), randomBytes(10));
    expect(patch.status).toBe(404);
    expect(JSON.parse(patch.body)).toMatchObject({ statusCode: 404, reason: 'unknown-upload' });
    expect(curl('DELETE', url, writer).status).toBe(404);
  });

  test.each<[Record<string, string>, string]>([
    [{ filename: '../../etc/passwd' }, 'filename-hidden'],
    [{ filename: 'a/b' }, 'filename-slash'],
    [{ filename: '.htaccess' }, 'filename-hidden'],
    [{ filename: 'x\\y' }, 'filename-backslash'],
    [{ filename: 'bell\u0007' }, 'filename-control-character'],
    [{ filename: 'ok', folder: 'a/../..' }, 'folder-dot-segment'],
  ])('400 for %j (%s)', (metadata, reason) => {
    const res = create(10, metadata);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, error: 'Bad Request', reason });
  });

  it('a wrong digest: 460 on the last PATCH, the upload deleted, nothing in the served folder', () => {
    const data = randomBytes(70_000);
    const created = create(data.length, { filename: 'wrong-digest.bin', sha256: sha256Base64(randomBytes(8)) });
    const url = `${base}${created.headers.location}`;
    const last = curl('PATCH', url, patchHeaders(0), data);
    expect(last.status).toBe(460);
    expect(JSON.parse(last.body)).toMatchObject({ statusCode: 460, error: 'Checksum Mismatch', reason: 'digest-mismatch' });
    expect(existsSync(root.resolve('wrong-digest.bin'))).toBe(false);
    expect(curl('HEAD', url, writer).status).toBe(404);
    expect(curl('GET', `${base}/wrong-digest.bin`, {}).status).toBe(404);
  });

  it('DELETE abandons an upload (204)', () => {
    const url = `${base}${create(50, { filename: 'gone.bin' }).headers.location}`;
    expect(curl('DELETE', url, writer).status).toBe(204);
    expect(curl('HEAD', url, writer).status).toBe(404);
  });

  it('logs an access line per upload request, as downloads get, and never the token', async () => {
    const created = create(5, { filename: 'logged.bin' }, { ...writer, 'X-Request-Id': 'upload-log-check' });
    expect(created.status).toBe(201);
    let line: { method?: string; path?: string; status?: number } | undefined;
    for (let attempt = 0; attempt < 100 && line === undefined; attempt += 1) {
      const found = server.logs.split('\n').find((each) => each.includes('"requestId":"upload-log-check"'));
      if (found === undefined) await sleep(50);
      else line = JSON.parse(found) as typeof line;
    }
    expect(line).toMatchObject({ method: 'POST', path: '/.uploads/', status: 201 });
    expect(server.logs).not.toContain(WRITE_TOKEN);
    expect(server.logs).not.toContain(READ_TOKEN);
  });
});

describe('uploads with curl: expiry', () => {
  const root = new TempRoot();
  let server: ServerProcess;
  beforeAll(async () => {
    requireCommand('curl', 'curl');
    server = await ServerProcess.start({
      ...uploadSettings(root.path),
      UPLOAD_EXPIRY: '3s',
    });
  });
  afterAll(async () => {
    await server.stop();
    root.cleanup();
  });

  it('410 for an upload past Upload-Expires; the clean-up job then removes it', async () => {
    const createdAt = Date.now();
    const created = curl('POST', `${server.url}/.uploads/`, {
      ...writer,
      'Upload-Length': '100',
      'Upload-Metadata': uploadMetadata({ filename: 'late.bin' }),
    });
    const url = `${server.url}${created.headers.location}`;
    const expires = Date.parse(created.headers['upload-expires']);
    expect(expires).toBeGreaterThan(Date.now());
    // Past the 3 s, and before the clean-up may delete it (kept one more round, 1.5 s, answering 410).
    await sleep(Math.max(0, createdAt + 3300 - Date.now()));
    const late = curl('PATCH', url, patchHeaders(0), randomBytes(10));
    expect(late.status).toBe(410);
    expect(JSON.parse(late.body)).toMatchObject({ statusCode: 410, reason: 'expired' });
    for (
      let attempt = 0;
      attempt < 100 && readdirSync(root.resolve('.upload-staging')).some((name) => name.endsWith('.json'));
      attempt += 1
    ) {
      await sleep(100);
    }
    expect(readdirSync(root.resolve('.upload-staging')).filter((name) => name !== 'locks')).toEqual([]);
    expect(curl('HEAD', url, writer).status).toBe(404);
  });
});

describe('upload settings at start-up', () => {
  const root = new TempRoot();
  const other = new TempRoot();
  afterAll(() => {
    root.cleanup();
    other.cleanup();
  });

  function start(env: Record<string, string>): { status: number | null; stderr: string } {
    const result = spawnSync('node', [resolve('dist/main.js')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', FILES_ROOT: root.path, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: result.status, stderr: result.stderr.trim() };
  }

  it('exits 1 with one line when UPLOAD_ROOT is not one of FILES_ROOT', () => {
    const { status, stderr } = start({ UPLOAD_ROOT: other.path });
    expect(status).toBe(1);
    expect(stderr).toBe(`Invalid configuration: UPLOAD_ROOT must be one of the FILES_ROOT folders (got ${JSON.stringify(other.path)})`);
  });

  it('exits 1 with one line when UPLOAD_ROOT is not writable (a read-only file system: not even root may write there)', () => {
    // A read-only mount rather than another user: an unprivileged user may not even reach
    // dist/main.js when the checkout lies below a private folder (mktemp -d makes them 0700).
    const readOnly = mountTmpfs('ro,size=1m');
    try {
      const { status, stderr } = start({ FILES_ROOT: readOnly, UPLOAD_ROOT: readOnly });
      expect(status).toBe(1);
      expect(stderr).toBe(`Invalid configuration: UPLOAD_ROOT folder is not writable: ${readOnly}`);
    } finally {
      unmount(readOnly);
    }
  });
});
