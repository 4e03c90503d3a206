import { createReadStream, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { TempRoot } from '../support/fixtures.js';
import { LoadBalancer } from '../support/haproxy.js';
import { ServerProcess } from '../support/server-process.js';
import {
  uploadSettings,
  appendTo,
  createUpload,
  downloadDigest,
  errorBodyOf,
  sha256Base64,
  WRITE_TOKEN,
  writeRandomFile,
} from '../support/tus.js';
import { sleep, until } from '../support/wait.js';

const SIZE = 64 * 1024 * 1024;

/** Which instance answered a request through the proxy. */
async function servedBy(url: string): Promise<string> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.headers.get('x-served-by') ?? '';
}

/**
 * Two instances over one shared folder behind HAProxy: the tus state (staged bytes, info, locks)
 * lives in the folder, so an upload begun through one instance is resumed through the other.
 */
describe('uploads across instances behind HAProxy', () => {
  const root = new TempRoot();
  const work = new TempRoot();
  const servers: ServerProcess[] = [];
  let balancer: LoadBalancer | undefined;
  let proxy: string;

  beforeAll(async () => {
    for (let index = 0; index < 2; index += 1) {
      servers.push(await ServerProcess.start({ ...uploadSettings(root.path), LOG_LEVEL: 'info' }));
    }
    balancer = await LoadBalancer.start(servers, work.path);
    proxy = balancer.url;
  }, 120_000);

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(servers.map((server) => server.stop()));
    root.cleanup();
    work.cleanup();
  });

  it('an upload begun on one instance is resumed on the other and published byte-exactly', async () => {
    const path = join(work.path, 'shared.bin');
    const sha256 = await writeRandomFile(path, SIZE);
    const patches: Array<{ offset: number; instance: string }> = [];
    let aborted: Promise<void> | undefined;
    let settle: { done: () => void; fail: (error: Error) => void } | undefined;
    const finished = new Promise<void>((done, fail) => (settle = { done, fail }));
    const upload: tus.Upload = new tus.Upload(createReadStream(path), {
      endpoint: `${proxy}/.uploads/`,
      uploadSize: SIZE,
      headers: { Authorization: `Bearer ${WRITE_TOKEN}` },
      metadata: { filename: 'shared.bin', sha256 },
      retryDelays: null,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'PATCH')
          patches.push({ offset: Number(req.getHeader('Upload-Offset')), instance: res.getHeader('X-Served-By') ?? '' });
      },
      onProgress: (sent) => {
        if (aborted === undefined && sent > SIZE / 3) aborted = upload.abort();
      },
      onSuccess: () => settle?.done(),
      onError: (error) => settle?.fail(error),
    });
    upload.start();
    await until(() => aborted !== undefined, 'a third of the upload', { timeoutMs: 60_000 });
    await aborted;
    // An aborted PATCH has no response for onAfterResponse: which instance took it is in its access log.
    const uploadPath = new URL(upload.url ?? '').pathname;
    const tookPatch = () => servers.findIndex((server) => server.logs.includes(`"method":"PATCH","path":"${uploadPath}"`));
    await until(() => tookPatch() >= 0, 'the access line of the aborted PATCH', { timeoutMs: 30_000 });
    const first = tookPatch();
    const firstInstance = `instance${first + 1}`;

    // Round-robin: steer so that the resume's HEAD lands on the first instance and its PATCH on the other.
    while ((await servedBy(`${proxy}/.healthz`)) === firstInstance);
    upload.start();
    await finished;

    const resumed = patches.at(-1);
    expect(resumed?.offset).toBeGreaterThan(0);
    expect(resumed?.instance).toMatch(/^instance[12]$/);
    expect(resumed?.instance).not.toBe(firstInstance);
    const other = servers[Number(resumed?.instance.slice(-1)) - 1];
    await until(() => other.logs.includes(`"method":"PATCH","path":"${uploadPath}"`), "the other instance's access line", {
      timeoutMs: 30_000,
    });

    // Published on the shared folder: both instances serve it, with the digest known where it was published.
    for (const server of servers) {
      const download = await downloadDigest(`${server.url}/shared.bin`);
      expect(download.status).toBe(200);
      expect(download.length).toBe(SIZE);
      expect(download.sha256).toBe(sha256);
    }
    expect((await downloadDigest(`${other.url}/shared.bin`)).headers.get('repr-digest')).toBe(`sha-256=:${sha256}:`);
  }, 180_000);

  it('two PATCHes on one upload at two instances never interleave: the second waits for the lock and then finds the offset moved (409)', async () => {
    const first = randomBytes(4 * 1024 * 1024);
    const second = randomBytes(4 * 1024 * 1024);
    const MiB = 1024 * 1024;
    const { url } = await createUpload(servers[0].url, first.length, { filename: 'contended.bin', sha256: sha256Base64(first) });
    const path = new URL(url).pathname;
    const staged = root.resolve(`.upload-staging/${path.split('/').pop() ?? ''}`);

    // PATCH A on instance 1 sends a MiB and keeps its request open.
    const slow = request(`${servers[0].url}${path}`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${WRITE_TOKEN}`,
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(first.length),
      },
    });
    const slowDone = new Promise<void>((done) => {
      slow.on('response', (res) => res.resume().on('end', done).on('error', done));
      slow.on('error', () => done());
      slow.on('close', () => done());
    });
    slow.write(first.subarray(0, MiB));
    // Watched on disk: a HEAD would itself take the lock and make A stop.
    await until(() => statSync(staged).size === MiB, 'the first MiB of PATCH A on disk', { timeoutMs: 30_000 });

    // PATCH B on instance 2 at that very offset, with other bytes. While it waits for the lock, A
    // sends more: had B not waited, both would now write from 1 MiB on, into each other's bytes.
    const contender = appendTo(`${servers[1].url}${path}`, MiB, second.subarray(MiB));
    await sleep(300);
    slow.write(first.subarray(MiB, MiB + MiB / 2));
    const answer = await contender;
    expect(answer.status).toBe(409);
    expect(await errorBodyOf(answer)).toMatchObject({ reason: 'offset-mismatch' });
    slow.destroy();
    await slowDone;

    const offset = statSync(staged).size;
    expect(offset).toBe(MiB + MiB / 2);
    expect(readFileSync(staged).equals(first.subarray(0, offset))).toBe(true);

    // And the upload completes from there, through the other instance.
    expect((await appendTo(`${servers[1].url}${path}`, offset, first.subarray(offset))).status).toBe(204);
    expect(readFileSync(root.resolve('contended.bin')).equals(first)).toBe(true);
  }, 120_000);
});
