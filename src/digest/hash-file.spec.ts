import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versionOf, type FileVersion } from '../files/file-version.js';
import { isSettled, nowNs, SETTLE_NS } from './settle.js';
import { hashFile, type HashOutcome } from './hash-file.js';

const folder = mkdtempSync(join(tmpdir(), 'rds-hash-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, bytes: Buffer): { path: string; version: FileVersion } {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { path, version: versionOf(statSync(path, { bigint: true })) };
}

/** A clock at which the file's stamps are old enough to identify it. */
const settledClock = (version: FileVersion) => () => version.ctimeNs + SETTLE_NS;

function digestsOf(outcome: HashOutcome): Record<string, string> {
  if (outcome.kind !== 'hashed') throw new Error(`expected a digest, got ${JSON.stringify(outcome)}`);
  return Object.fromEntries(outcome.digests.map(([algorithm, bytes]) => [algorithm, Buffer.from(bytes).toString('hex')]));
}

/** Waits (without asserting on time) until the real clock has left the file's ctime a settle period behind. */
async function untilSettled(version: FileVersion): Promise<void> {
  while (!isSettled(version, nowNs())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('hashFile', () => {
  it('hashes the whole file with every requested algorithm, across chunk boundaries', async () => {
    const bytes = randomBytes(100_003);
    const { path, version } = write('whole.bin', bytes);
    const outcome = await hashFile({ path, version, algorithms: ['sha-256', 'sha-512'] }, { chunkBytes: 4096, now: settledClock(version) });
    expect(digestsOf(outcome)).toEqual({
      'sha-256': createHash('sha256').update(bytes).digest('hex'),
      'sha-512': createHash('sha512').update(bytes).digest('hex'),
    });
  });

  it('hashes an empty file', async () => {
    const { path, version } = write('empty.bin', Buffer.alloc(0));
    const outcome = await hashFile({ path, version, algorithms: ['sha-256'] }, { now: settledClock(version) });
    expect(digestsOf(outcome)['sha-256']).toBe(createHash('sha256').digest('hex'));
  });

  it('refuses a file changed less than a second ago: its stamps cannot identify it yet', async () => {
    const { path, version } = write('fresh.bin', randomBytes(10));
    const outcome = await hashFile({ path, version, algorithms: ['sha-256'] }, { now: () => version.ctimeNs + SETTLE_NS - 1n });
    expect(outcome).toEqual({ kind: 'unsettled' });
  });

  it('refuses a version that is no longer on disk', async () => {
    const { path, version } = write('moved-on.bin', randomBytes(10));
    appendFileSync(path, 'more');
    const outcome = await hashFile({ path, version, algorithms: ['sha-256'] }, { now: settledClock(version) });
    expect(outcome).toEqual({ kind: 'changed' });
  });

  it('refuses another file renamed into the same path, even with the same size and content', async () => {
    const bytes = randomBytes(64);
    const { path, version } = write('replaced.bin', bytes);
    const other = write('other.bin', bytes);
    renameSync(other.path, path);
    const outcome = await hashFile({ path, version, algorithms: ['sha-256'] }, { now: settledClock(version) });
    expect(outcome).toEqual({ kind: 'changed' });
  });

  it('reports a deleted file as changed', async () => {
    const { path, version } = write('deleted.bin', randomBytes(10));
    rmSync(path);
    expect(await hashFile({ path, version, algorithms: ['sha-256'] }, { now: settledClock(version) })).toEqual({ kind: 'changed' });
  });

  it('discards the digest when the file grows while it is being hashed', async () => {
    const { path, version } = write('growing.bin', randomBytes(64 * 1024));
    const outcome = await hashFile(
      { path, version, algorithms: ['sha-256'] },
      { chunkBytes: 4096, now: settledClock(version), afterChunk: (hashed) => void (hashed === 4096 && appendFileSync(path, 'x')) },
    );
    expect(outcome).toEqual({ kind: 'changed' });
  });

  it('discards the digest when a settled file is overwritten in place with the same size while it is being hashed', async () => {
    const size = 64 * 1024;
    const { path, version } = write('overwritten.bin', randomBytes(size));
    await untilSettled(version);
    const outcome = await hashFile(
      { path, version, algorithms: ['sha-256'] },
      { chunkBytes: 4096, afterChunk: (hashed) => void (hashed === 8192 && writeFileSync(path, randomBytes(size))) },
    );
    expect(outcome).toEqual({ kind: 'changed' });
    expect(statSync(path).size).toBe(size);
  });
});
