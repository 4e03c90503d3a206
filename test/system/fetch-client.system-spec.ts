import type { INestApplication } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { startApp } from '../support/app.js';
import { TempRoot } from '../support/fixtures.js';
import { PhotoFinish, TamperingProxy, type SeenRequest, type Tampering } from '../support/tampering-proxy.js';

const TSX = resolve('node_modules/.bin/tsx');
const CLIENT = resolve('scripts/fetch.ts');

interface ClientRun {
  code: number | null;
  stderr: string;
}

/** `npm run fetch -- ...args` as a separate process (tsx runs the TypeScript, as npm run does). */
function runClient(args: string[]): Promise<ClientRun> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    delete env.INIT_CWD;
    const child = spawn(TSX, [CLIENT, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

const sha256Field = (bytes: Buffer) => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
const gets = (seen: readonly SeenRequest[]) => seen.filter((request) => request.method === 'GET');

/** A plan that applies `tampering` to the GET requests whose 0-based GET index is in `which`. */
function onGets(which: number[], tampering: Tampering): (index: number, request: SeenRequest) => Tampering {
  let count = 0;
  return (_index, request) => {
    if (request.method !== 'GET') return {};
    return which.includes(count++) ? tampering : {};
  };
}

describe('npm run fetch (resuming, verifying client)', () => {
  const served = new TempRoot();
  const downloads = new TempRoot();
  let app: INestApplication;
  let port: number;
  let proxies: TamperingProxy[] = [];

  async function proxy(plan?: (index: number, request: SeenRequest) => Tampering): Promise<TamperingProxy> {
    const started = await TamperingProxy.start(port, plan);
    proxies.push(started);
    return started;
  }

  beforeAll(async () => {
    ({ app, port } = await startApp({ FILES_ROOT: served.path }));
  });

  afterEach(async () => {
    for (const started of proxies) await started.stop();
    proxies = [];
  });

  afterAll(async () => {
    await app.close();
    served.cleanup();
    downloads.cleanup();
  });

  it('downloads, waits for the server to compute the digest, verifies it and leaves no partial files', async () => {
    const data = served.writeRandom('plain.bin', 1024 * 1024 + 7);
    const target = downloads.resolve('plain.bin');
    const run = await runClient([`http://127.0.0.1:${port}/plain.bin`, target]);
    expect(run.stderr).toContain(`verified ${sha256Field(data)}`);
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(existsSync(`${target}.part`)).toBe(false);
    expect(existsSync(`${target}.part.json`)).toBe(false);
  });

  it('keeps the partial file after an interruption and resumes it with Range and If-Range', async () => {
    const data = served.writeRandom('interrupted.bin', 2 * 1024 * 1024);
    const target = downloads.resolve('interrupted.bin');
    const breaking = await proxy(onGets([0], { cutAfterBytes: 700_000 }));
    const first = await runClient(['--retries', '0', `${breaking.url}/interrupted.bin`, target]);
    expect(first.stderr).toMatch(/interrupted after \d+ bytes/);
    expect(first.code).toBe(2);
    const saved = JSON.parse(readFileSync(`${target}.part.json`, 'utf8')) as { etag: string; segments: Array<{ done: number }> };
    const kept = saved.segments[0].done;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(700_000);
    expect(statSync(`${target}.part`).size).toBe(kept);
    expect(existsSync(target)).toBe(false);

    const second = await runClient([`${breaking.url}/interrupted.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    const resumed = gets(breaking.seen)[1];
    expect(resumed.headers.range).toBe(`bytes=${kept}-${data.length - 1}`);
    expect(resumed.headers['if-range']).toBe(saved.etag);
  });

  it('resumes by itself within one run when the connection keeps breaking', async () => {
    const data = served.writeRandom('flaky.bin', 1024 * 1024);
    const target = downloads.resolve('flaky.bin');
    const flaky = await proxy(onGets([0, 1], { cutAfterBytes: 200_000 }));
    const run = await runClient([`${flaky.url}/flaky.bin`, target]);
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    const requests = gets(flaky.seen);
    expect(requests).toHaveLength(3);
    expect(requests[0].headers.range).toBeUndefined();
    expect(requests[1].headers.range).toMatch(/^bytes=[1-9]\d*-/);
    expect(requests[2].headers.range).toMatch(/^bytes=[1-9]\d*-/);
  });

  it.each([
    ['a different size', 900_000],
    ['the same size', 1024 * 1024],
  ])('starts over cleanly when the file changed on the server before the resume (%s)', async (_case, newSize) => {
    const name = `changing-${newSize}.bin`;
    served.writeRandom(name, 1024 * 1024);
    const target = downloads.resolve(name);
    const breaking = await proxy(onGets([0], { cutAfterBytes: 300_000 }));
    expect((await runClient(['--retries', '0', `${breaking.url}/${name}`, target])).code).toBe(2);

    const replaced = served.writeRandom(name, newSize);
    const run = await runClient([`${breaking.url}/${name}`, target]);
    expect(run.stderr).toContain('the file changed on the server');
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(replaced)).toBe(true);
    expect(run.stderr).toContain(`verified ${sha256Field(replaced)}`);
    // The If-Range request got the new file with 200, and the client took that body: two GETs in all.
    expect(gets(breaking.seen)).toHaveLength(2);
    expect(gets(breaking.seen)[1].headers['if-range']).toBeDefined();
  });

  it('fetches in parallel segments, and resumes a broken segment on the next run', async () => {
    const data = served.writeRandom('parallel.bin', 3 * 1024 * 1024 + 5);
    const target = downloads.resolve('parallel.bin');
    const breaking = await proxy(onGets([2], { cutAfterBytes: 100_000 }));
    const first = await runClient(['--parallel', '4', '--retries', '0', `${breaking.url}/parallel.bin`, target]);
    expect(first.code).toBe(2);
    const ranges = gets(breaking.seen).map((request) => request.headers.range);
    expect(ranges).toHaveLength(4);
    for (const range of ranges) expect(range).toMatch(/^bytes=\d+-\d+$/);

    const second = await runClient(['--parallel', '4', `${breaking.url}/parallel.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(second.stderr).toContain(`verified ${sha256Field(data)}`);
  });

  it('stops cleanly (exit 2) when a segment breaks just as the others have received their last bytes', async () => {
    // Node's fetch leaves a read pending forever on a body that had fully arrived, but was not yet
    // all read, when the request's signal aborts: the client used to exit with 13 (a top-level await
    // that never settled) here, as one segment's failure aborted the three others. The sizes widen
    // that window: three segments of 400,000 bytes less their 60,000-byte tails stay under the
    // client's 1 MiB save interval, and the first tail crosses it, so that segment saves its progress
    // between its last bytes and the end of its body, while the fourth request breaks.
    const data = served.writeRandom('photo-finish.bin', 4 * 400_000);
    const target = downloads.resolve('photo-finish.bin');
    const finish = new PhotoFinish(4, 60_000);
    let count = 0;
    const racing = await proxy((_index, request) => {
      if (request.method !== 'GET') return {};
      count += 1;
      if (count <= 3) return { holdTailFor: finish };
      return count === 4 ? { dropAt: finish } : {};
    });
    const first = await runClient(['--parallel', '4', '--retries', '0', `${racing.url}/photo-finish.bin`, target]);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/interrupted after \d+ bytes/);
    expect(existsSync(target)).toBe(false);

    const second = await runClient(['--parallel', '4', `${racing.url}/photo-finish.bin`, target]);
    expect(second.code).toBe(0);
    expect(readFileSync(target).equals(data)).toBe(true);
  });

  it('starts a parallel download over when the file changed between runs', async () => {
    served.writeRandom('parallel-changing.bin', 2 * 1024 * 1024);
    const target = downloads.resolve('parallel-changing.bin');
    const breaking = await proxy(onGets([0], { cutAfterBytes: 50_000 }));
    expect((await runClient(['-p', '3', '--retries', '0', `${breaking.url}/parallel-changing.bin`, target])).code).toBe(2);
    const replaced = served.writeRandom('parallel-changing.bin', 1_500_000);
    const run = await runClient(['-p', '3', `${breaking.url}/parallel-changing.bin`, target]);
    expect(run.stderr).toContain('the file changed on the server');
    expect(run.code).toBe(0);
    expect(readFileSync(target).equals(replaced)).toBe(true);
    expect(run.stderr).toContain(`verified ${sha256Field(replaced)}`);
  });

  it('fails loudly, and does not save the file, when the bytes do not match Repr-Digest', async () => {
    served.writeRandom('corrupted.bin', 512 * 1024);
    const target = downloads.resolve('corrupted.bin');
    const corrupting = await proxy(onGets([0], { flipByteAt: 1000 }));
    const run = await runClient([`${corrupting.url}/corrupted.bin`, target]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('DIGEST MISMATCH');
    expect(existsSync(target)).toBe(false);
  });

  it('fails loudly when the server lies about the digest', async () => {
    served.writeRandom('lying.bin', 64 * 1024);
    const target = downloads.resolve('lying.bin');
    const lie = { 'Repr-Digest': sha256Field(Buffer.from('something else')) };
    const lying = await proxy(() => ({ setHeaders: lie }));
    const run = await runClient([`${lying.url}/lying.bin`, target]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('DIGEST MISMATCH');
    expect(existsSync(target)).toBe(false);
  });

  it('warns (or with --require-digest fails) when the server sends no digest', async () => {
    const plain = await startApp({ FILES_ROOT: served.path, DIGEST: 'off' });
    try {
      const data = served.writeRandom('undigested.bin', 10_000);
      const url = `http://127.0.0.1:${plain.port}/undigested.bin`;
      const strict = await runClient(['--require-digest', '--digest-wait', '0', url, downloads.resolve('strict.bin')]);
      expect(strict.code).toBe(4);
      expect(existsSync(downloads.resolve('strict.bin'))).toBe(false);
      const lenient = await runClient(['--digest-wait', '0', url, downloads.resolve('lenient.bin')]);
      expect(lenient.code).toBe(0);
      expect(lenient.stderr).toContain('NOT verified');
      expect(readFileSync(downloads.resolve('lenient.bin')).equals(data)).toBe(true);
    } finally {
      await plain.app.close();
    }
  });
});
