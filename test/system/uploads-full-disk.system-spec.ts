import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerProcess } from '../support/server-process.js';
import { mountTmpfs, unmount } from '../support/tmpfs.js';
import { API_TOKENS, appendTo, createUpload, errorBodyOf, tusRequest } from '../support/tus.js';

const MiB = 1024 * 1024;

/** A real file system that runs full: an 8 MiB tmpfs as the upload folder. */
describe('uploads on a full disk (8 MiB tmpfs)', () => {
  let disk: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    disk = mountTmpfs('size=8m');
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(() => unmount(disk));

  const start = async (minFree: string) =>
    (server = await ServerProcess.start({ FILES_ROOT: disk, UPLOAD_ROOT: disk, API_TOKENS, UPLOAD_MIN_FREE: minFree }));

  it('refuses at creation an upload larger than the free space (507)', async () => {
    const { url } = await start('0');
    const { res } = await createUpload(url, 16 * MiB, { filename: 'huge.bin' });
    expect(res.status).toBe(507);
    expect(await errorBodyOf(res)).toMatchObject({ statusCode: 507, error: 'Insufficient Storage', reason: 'no-space' });
  });

  it('a disk that fills up mid-PATCH: 507, the bytes kept are exact, nothing is published; it completes once there is space', async () => {
    const { url: base } = await start('0');
    const data = randomBytes(6 * MiB);
    const { res, url } = await createUpload(base, data.length, { filename: 'disk.bin' });
    expect(res.status).toBe(201);
    const staged = join(disk, '.upload-staging', url.split('/').pop() ?? '');

    // Something else takes half the disk meanwhile (a dot-file: never served).
    const filler = join(disk, '.filler');
    writeFileSync(filler, Buffer.alloc(4 * MiB));
    const full = await appendTo(url, 0, data);
    expect(full.status).toBe(507);
    expect(await errorBodyOf(full)).toMatchObject({ reason: 'no-space' });

    const offset = Number((await tusRequest(url, 'HEAD')).headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(data.length);
    expect(statSync(staged).size).toBe(offset);
    expect(readFileSync(staged).equals(data.subarray(0, offset))).toBe(true); // not a corrupt file: a shorter exact one
    expect(existsSync(join(disk, 'disk.bin'))).toBe(false);
    expect((await fetch(`${base}/disk.bin`)).status).toBe(404);

    rmSync(filler);
    const rest = await appendTo(url, offset, data.subarray(offset));
    expect(rest.status).toBe(204);
    const download = await fetch(`${base}/disk.bin`);
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
    rmSync(join(disk, 'disk.bin'));
  });

  it('refuses a PATCH while free space is below UPLOAD_MIN_FREE (507), writing nothing', async () => {
    const { url: base } = await start('3MiB');
    const { res, url } = await createUpload(base, 1000, { filename: 'small.bin' });
    expect(res.status).toBe(201);
    const filler = join(disk, '.filler');
    writeFileSync(filler, Buffer.alloc(6 * MiB));
    try {
      const refused = await appendTo(url, 0, randomBytes(1000));
      expect(refused.status).toBe(507);
      expect((await tusRequest(url, 'HEAD')).headers.get('upload-offset')).toBe('0');
    } finally {
      rmSync(filler);
    }
    expect((await appendTo(url, 0, randomBytes(1000))).status).toBe(204);
    expect(readdirSync(disk).filter((name) => !name.startsWith('.'))).toEqual(['small.bin']);
  });
});
