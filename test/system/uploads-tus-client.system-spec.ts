import { createReadStream, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { TempRoot } from '../support/fixtures.js';
import { freePort, ServerProcess } from '../support/server-process.js';
import { until } from '../support/wait.js';
import { downloadDigest, tusRequest, WRITE_TOKEN, writeRandomFile, uploadSettings } from '../support/tus.js';

const SIZE = 256 * 1024 * 1024;

interface Observed {
  /** Upload-Offset of every PATCH the client sent, in order. */
  patchOffsets: number[];
  /** Upload-Offset of every HEAD answer the client got. */
  headOffsets: number[];
}

/** A tus-js-client upload of `path` (an fs.ReadStream, which the client re-reads from any offset). */
function clientUpload(
  endpoint: string,
  path: string,
  sha256: string,
  options: Partial<tus.UploadOptions> & { onHalfway?: (upload: tus.Upload) => void },
): { upload: tus.Upload; observed: Observed; finished: Promise<void> } {
  const observed: Observed = { patchOffsets: [], headOffsets: [] };
  let halfwayCalled = false;
  let settle: { done: () => void; fail: (error: Error) => void } | undefined;
  const finished = new Promise<void>((done, fail) => (settle = { done, fail }));
  const upload: tus.Upload = new tus.Upload(createReadStream(path), {
    endpoint,
    uploadSize: SIZE,
    headers: { Authorization: `Bearer ${WRITE_TOKEN}` },
    metadata: { filename: 'big.bin', sha256 },
    retryDelays: null,
    onBeforeRequest: (req) => {
      if (req.getMethod() === 'PATCH') observed.patchOffsets.push(Number(req.getHeader('Upload-Offset')));
    },
    onAfterResponse: (req, res) => {
      if (req.getMethod() === 'HEAD') observed.headOffsets.push(Number(res.getHeader('Upload-Offset')));
    },
    onProgress: (sent) => {
      if (!halfwayCalled && sent > SIZE / 3) {
        halfwayCalled = true;
        options.onHalfway?.(upload);
      }
    },
    onSuccess: () => settle?.done(),
    onError: (error) => settle?.fail(error),
    ...options,
  });
  return { upload, observed, finished };
}

/**
 * tus-js-client (the reference tus client) in Node uploads 256 MiB, is interrupted, resumes from
 * the offset the server reports, and the file then downloads byte-exactly with its Repr-Digest.
 */
describe('tus-js-client uploads (256 MiB)', () => {
  const root = new TempRoot();
  const source = new TempRoot();
  let sourcePath: string;
  let sha256: string;

  beforeAll(async () => {
    sourcePath = join(source.path, 'big.bin');
    sha256 = await writeRandomFile(sourcePath, SIZE);
  }, 120_000);

  afterAll(() => {
    root.cleanup();
    source.cleanup();
  });

  async function expectPublishedIntact(url: string): Promise<void> {
    const download = await downloadDigest(`${url}/big.bin`);
    expect(download.status).toBe(200);
    expect(download.length).toBe(SIZE);
    expect(download.sha256).toBe(sha256);
    // Known at once: the upload was hashed before it was published.
    expect(download.headers.get('repr-digest')).toBe(`sha-256=:${sha256}:`);
    // Nothing left in staging but the finished upload's small record (until it expires).
    expect(readdirSync(root.resolve('.upload-staging')).filter((name) => name !== 'locks' && !name.endsWith('.json'))).toEqual([]);
  }

  it('aborted part-way, resumes from the server offset (HEAD) and publishes the exact file', async () => {
    const server = await ServerProcess.start(uploadSettings(root.path));
    try {
      let abortedAt: Promise<void> | undefined;
      const first = clientUpload(`${server.url}/.uploads/`, sourcePath, sha256, {
        onHalfway: (upload) => {
          abortedAt = upload.abort();
        },
      });
      first.upload.start();
      await until(() => abortedAt !== undefined, 'a third of the upload', { timeoutMs: 60_000 });
      await abortedAt;

      // The server kept what arrived; none of it is visible as a file.
      const uploadUrl = first.upload.url ?? '';
      const head = await tusRequest(uploadUrl, 'HEAD');
      const offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(SIZE);
      expect((await fetch(`${server.url}/big.bin`)).status).toBe(404);

      // start() again: the client asks the server for its offset and sends only the rest.
      first.upload.start();
      await first.finished;
      expect(first.observed.patchOffsets[0]).toBe(0);
      expect(first.observed.headOffsets.at(-1)).toBe(offset);
      expect(first.observed.patchOffsets.at(-1)).toBe(offset);
      await expectPublishedIntact(server.url);
    } finally {
      await server.stop();
      rmSync(root.resolve('big.bin'), { force: true }); // the next test uploads the same name
    }
  });

  it('survives the server being killed (SIGKILL) and restarted: the client retries, resumes, and the file is exact', async () => {
    const port = await freePort();
    const env = { ...uploadSettings(root.path), PORT: String(port) };
    let server = await ServerProcess.start(env);
    let restarted: Promise<ServerProcess> | undefined;
    try {
      const upload = clientUpload(`${server.url}/.uploads/`, sourcePath, sha256, {
        // The client's own retry schedule covers the restart (a few seconds on a busy machine).
        retryDelays: [500, 1000, 1000, 2000, 2000, 4000, 4000, 8000, 8000, 8000],
        onHalfway: () => {
          const killed = new Promise((done) => server.child.once('exit', done));
          server.child.kill('SIGKILL');
          restarted = killed.then(() => ServerProcess.start(env));
        },
      });
      upload.upload.start();
      await until(() => restarted !== undefined, 'a third of the upload', { timeoutMs: 60_000 });
      server = await (restarted as unknown as Promise<ServerProcess>);
      await upload.finished;

      // Resumed from what the new process found on disk, not from the start.
      const resumedFrom = upload.observed.patchOffsets.at(-1) ?? 0;
      expect(upload.observed.patchOffsets[0]).toBe(0);
      expect(resumedFrom).toBeGreaterThan(0);
      expect(upload.observed.headOffsets.at(-1)).toBe(resumedFrom);
      await expectPublishedIntact(server.url);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
