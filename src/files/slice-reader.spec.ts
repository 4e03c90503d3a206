import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, futimesSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { versionOf } from './file-version.js';
import { Descriptor, type OpenFile } from './open-file.js';
import { FileChangedError, MAX_READ, MIN_READ, SliceReader } from './slice-reader.js';

/** Everything the stream gives, and how it finished. */
async function drain(stream: Readable): Promise<{ chunks: Buffer[]; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

describe('SliceReader', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rds-slices-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function openVersion(name: string, bytes: Buffer): OpenFile {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    const fd = openSync(path, 'r');
    return { descriptor: new Descriptor(fd), version: versionOf(fstatSync(fd, { bigint: true })), name, path };
  }

  it('sends literal parts and ranges in order, then closes the descriptor', async () => {
    const bytes = randomBytes(10_000);
    const file = openVersion('parts.bin', bytes);
    const { chunks, error } = await drain(
      new SliceReader(file, [Buffer.from('<a>'), { start: 10, end: 19 }, Buffer.from('<b>'), { start: 9000, end: 9999 }, Buffer.from('<end>')]),
    );
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from('<a>'), bytes.subarray(10, 20), Buffer.from('<b>'), bytes.subarray(9000), Buffer.from('<end>')]))).toBe(true);
    expect(isOpen(file.descriptor.fd)).toBe(false);
  });

  it('sends an empty file as an empty body', async () => {
    const file = openVersion('empty.bin', Buffer.alloc(0));
    const { chunks, error } = await drain(new SliceReader(file, [{ start: 0, end: -1 }]));
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(0);
  });

  it('reads a large body in chunks from MIN_READ up to at most MAX_READ, byte-exactly', async () => {
    const bytes = randomBytes(24 * 1024 * 1024 + 123);
    const file = openVersion('large.bin', bytes);
    const { chunks, error } = await drain(new SliceReader(file, [{ start: 5, end: bytes.length - 1 }]));
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).equals(bytes.subarray(5))).toBe(true);
    expect(chunks[0].length).toBe(MIN_READ);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBe(MAX_READ); // a consumer that keeps up gets big reads
  });

  it('fails instead of ending when the file shrinks while it is being sent', async () => {
    const bytes = randomBytes(4 * 1024 * 1024);
    const file = openVersion('shrinks.bin', bytes);
    const stream = new SliceReader(file, [{ start: 0, end: bytes.length - 1 }]);
    stream.once('data', () => truncateSync(join(folder, 'shrinks.bin'), 1000));
    const { chunks, error } = await drain(stream);
    expect(error).toBeInstanceOf(FileChangedError);
    expect(Buffer.concat(chunks).length).toBeLessThan(bytes.length);
    expect(isOpen(file.descriptor.fd)).toBe(false);
  });

  it('sends nothing of a one-read body whose file was rewritten in place (same size, new mtime)', async () => {
    const file = openVersion('rewritten.txt', Buffer.from('old content'));
    writeFileSync(join(folder, 'rewritten.txt'), 'new content');
    utimesSync(join(folder, 'rewritten.txt'), new Date(), new Date(Date.now() + 5000));
    const { chunks, error } = await drain(new SliceReader(file, [{ start: 0, end: 10 }]));
    expect(error).toBeInstanceOf(FileChangedError);
    expect(chunks).toHaveLength(0);
  });

  test.each<[string, (path: string) => void]>([
    ['replaced by a rename over it', (path) => (writeFileSync(`${path}.new`, 'other bytes'), renameSync(`${path}.new`, path))],
    ['deleted', (path) => unlinkSync(path)],
  ])('finishes a body whose file was %s while it was being sent: the old bytes, whole', async (_label, replace) => {
    const bytes = randomBytes(4 * 1024 * 1024);
    const file = openVersion('replaced.bin', bytes);
    const stream = new SliceReader(file, [{ start: 0, end: bytes.length - 1 }]);
    stream.once('data', () => replace(join(folder, 'replaced.bin')));
    const { chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('still fails when an unlinked file is written through another descriptor (its mtime moves)', async () => {
    const bytes = randomBytes(4 * 1024 * 1024);
    const file = openVersion('unlinked-written.bin', bytes);
    const writer = openSync(join(folder, 'unlinked-written.bin'), 'r+');
    const stream = new SliceReader(file, [{ start: 0, end: bytes.length - 1 }]);
    stream.once('data', () => {
      unlinkSync(join(folder, 'unlinked-written.bin'));
      writeSync(writer, Buffer.from('X'), 0, 1, bytes.length - 1);
      futimesSync(writer, new Date(), new Date(Date.now() + 5000));
      closeSync(writer);
    });
    const { error } = await drain(stream);
    expect(error).toBeInstanceOf(FileChangedError);
  });

  it('closes the descriptor when the consumer goes away mid-body', async () => {
    const file = openVersion('abandoned.bin', randomBytes(2 * 1024 * 1024));
    const stream = new SliceReader(file, [{ start: 0, end: 2 * 1024 * 1024 - 1 }]);
    await new Promise<void>((done) => stream.once('data', () => done()));
    stream.destroy();
    await new Promise((done) => stream.once('close', done));
    expect(isOpen(file.descriptor.fd)).toBe(false);
  });
});
