import { fstatSync, read, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ByteRange } from '../http/range.js';
import { sameVersion, versionOf } from './file-version.js';
import type { OpenFile } from './open-file.js';

/** The file changed on disk while its bytes were being sent. */
export class FileChangedError extends Error {
  constructor() {
    super('file changed while it was being sent');
  }
}

/**
 * Read sizes. A body is read MIN_READ at a time until GROW_AFTER bytes have gone out without the
 * consumer holding the stream paused for long; from then on each read doubles, up to MAX_READ, so
 * a client that keeps up gets few large reads (fewer syscalls and stream turns per byte). A slow
 * client looks fast only until the kernel's socket buffers are full; its first long pause drops it
 * back to MIN_READ, so it keeps at most two MIN_READ chunks here (one queued on the socket, one
 * read ahead). No connection ever holds more than two MAX_READ chunks, 1 MiB.
 */
export const MIN_READ = 64 * 1024;
export const MAX_READ = 512 * 1024;
/** A body up to this size is read with one synchronous call and sent whole (readSliceSync). */
export const SYNC_READ_MAX = 16 * 1024;
const GROW_AFTER = 8 * 1024 * 1024;
/** A pause longer than this is a consumer that cannot keep up, not a loopback or LAN client. */
const SLOW_DRAIN_MS = 5;

/**
 * Streams literal buffers and file ranges in order from one open handle, with backpressure, then
 * closes the handle. If the file shrinks (a read comes back empty before the range is done) or
 * its size, mtime or ctime differ once every byte has been read, the stream fails instead of
 * ending, so the response is cut off and no client can take a mix of old and new bytes for
 * complete. A body that fits in one read is read, checked and pushed whole: it is never cut.
 */
export class SliceReader extends Readable {
  private slice = 0;
  /** Next file offset to read in the current range slice. */
  private position: number;
  private readSize = MIN_READ;
  /** Bytes read since the consumer last held the stream paused for long. */
  private fastBytes = 0;
  private pausedAt: number | undefined;

  /** `file.version` is what the body was promised to be: the version its headers describe. */
  constructor(
    private readonly file: Pick<OpenFile, 'descriptor' | 'version'>,
    private readonly slices: ReadonlyArray<Buffer | ByteRange>,
  ) {
    // One byte: read ahead at most one chunk beyond what the consumer has taken.
    super({ highWaterMark: 1 });
    this.position = this.startOf(0);
    this.on('pause', () => (this.pausedAt = performance.now()));
    this.on('resume', () => {
      if (this.pausedAt !== undefined && performance.now() - this.pausedAt > SLOW_DRAIN_MS) {
        this.readSize = MIN_READ;
        this.fastBytes = 0;
      }
      this.pausedAt = undefined;
    });
  }

  override _read(): void {
    this.readNext().catch((error: unknown) => this.destroy(error as Error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.file.descriptor.close();
    callback(error);
  }

  private async readNext(): Promise<void> {
    // Literal parts and empty ranges (the whole of an empty file) need no read.
    while (this.slice < this.slices.length) {
      const current = this.slices[this.slice];
      if (Buffer.isBuffer(current)) {
        this.advance();
        if (this.slice === this.slices.length) this.verify();
        this.push(current);
        if (this.slice === this.slices.length) this.push(null);
        return;
      }
      if (current.end >= current.start) break;
      this.advance();
    }
    if (this.slice === this.slices.length) {
      this.verify();
      this.push(null);
      return;
    }
    const range = this.slices[this.slice] as ByteRange;
    const wanted = Math.min(range.end - this.position + 1, this.readSize);
    const buffer = Buffer.allocUnsafe(wanted);
    const bytesRead = wanted <= SYNC_READ_MAX ? readSync(this.file.descriptor.fd, buffer, 0, wanted, this.position) : await readInto(this.file.descriptor.fd, buffer, this.position);
    if (this.destroyed) return;
    if (bytesRead === 0) throw new FileChangedError();
    this.position += bytesRead;
    if (this.position > range.end) this.advance();
    this.fastBytes += bytesRead;
    if (this.fastBytes >= GROW_AFTER) this.readSize = Math.min(this.readSize * 2, MAX_READ);
    const chunk = bytesRead === wanted ? buffer : buffer.subarray(0, bytesRead);
    const last = this.slices.slice(this.slice).every((rest) => !Buffer.isBuffer(rest) && rest.end < rest.start);
    if (last) {
      // The final bytes go out only once the file is known to be the promised version.
      this.verify();
      if (this.destroyed) return;
      this.push(chunk);
      this.push(null);
      return;
    }
    this.push(chunk);
  }

  private advance(): void {
    this.slice += 1;
    this.position = this.startOf(this.slice);
  }

  private startOf(index: number): number {
    const slice = this.slices[index];
    return slice === undefined || Buffer.isBuffer(slice) ? 0 : slice.start;
  }

  private verify(): void {
    verifyVersion(this.file);
  }
}

/**
 * Reads one small range (at most SYNC_READ_MAX bytes) at once and checks afterwards that the file
 * still is the promised version: the bytes returned are exactly that version's, or it throws
 * FileChangedError. For bodies small enough that a stream's machinery costs more than the read.
 */
export function readSliceSync(file: Pick<OpenFile, 'descriptor' | 'version'>, range: ByteRange): Buffer {
  const length = range.end - range.start + 1;
  if (length <= 0) return Buffer.alloc(0);
  if (length > SYNC_READ_MAX) throw new RangeError(`readSliceSync reads at most ${SYNC_READ_MAX} bytes`);
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(file.descriptor.fd, buffer, filled, length - filled, range.start + filled);
    if (bytesRead === 0) throw new FileChangedError(); // shrunk under us
    filled += bytesRead;
  }
  verifyVersion(file);
  return buffer;
}

/**
 * Synchronous: an fstat of an open descriptor reads kernel memory only. One change is not a change
 * of the bytes: the file was replaced (a rename over it, as an upload with UPLOAD_OVERWRITE does)
 * or deleted while being sent. Dropping its last link moves the old inode's ctime, but nobody can
 * open it by name any more, and its size and mtime are unchanged: the body is still that version.
 */
function verifyVersion(file: Pick<OpenFile, 'descriptor' | 'version'>): void {
  const stats = fstatSync(file.descriptor.fd, { bigint: true });
  const now = versionOf(stats);
  if (sameVersion(file.version, now)) return;
  const unlinkedOnly = stats.nlink === 0n && now.size === file.version.size && now.mtimeNs === file.version.mtimeNs;
  if (!unlinkedOnly) throw new FileChangedError();
}

/** fs.read with a callback: measurably cheaper per call than FileHandle.read's promise. */
function readInto(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((done, fail) => read(fd, buffer, 0, buffer.length, position, (error, bytesRead) => (error ? fail(error) : done(bytesRead))));
}
