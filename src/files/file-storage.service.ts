import { Injectable, Optional } from '@nestjs/common';
import { closeSync, constants, fstatSync, openSync, readlinkSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config.js';
import { isHiddenName } from '../http/request-path.js';
import { OpenFileHandles } from '../operations/open-file-handles.js';
import type { ByteRange } from '../http/range.js';
import type { MultipartLayout } from '../http/multipart.js';
import { FileNotFoundError } from './errors.js';
import { SliceReader } from './slice-reader.js';

export { FileChangedError } from './slice-reader.js';

/** A regular file opened inside a root, with the facts taken from the open handle itself. */
export interface OpenFile {
  readonly handle: Descriptor;
  /** Final path segment as requested, for Content-Type and Content-Disposition. */
  readonly name: string;
  readonly size: number;
  /** Modification time in nanoseconds; the ETag is derived from it and the size. */
  readonly mtimeNs: bigint;
  readonly mtimeMs: number;
  /** Status-change time: catches a content change that restored the old mtime. */
  readonly ctimeNs: bigint;
  /** Device and inode: with the stamps above, the identity of this version (DigestService keys on it). */
  readonly dev: bigint;
  readonly ino: bigint;
  /** The path it was opened at; whoever reopens it must check dev and ino. */
  readonly path: string;
}

/**
 * An open file descriptor, closed at most once. The metadata work of a request (open, fstat,
 * readlink of /proc/self/fd, close) is done with synchronous calls: on a local file system each is
 * a few microseconds of kernel work, while a thread-pool round trip costs tens of microseconds of
 * wake-ups and promise turns, four times per request (bench/README.md). Body reads stay
 * asynchronous, so a cold read from disk never stalls the event loop.
 */
export class Descriptor {
  private closed = false;

  /** `onClose` runs once, when the descriptor is closed (the open-handles metric uses it). */
  constructor(
    readonly fd: number,
    private readonly onClose?: () => void,
  ) {}

  /** Never rejects: there is nothing useful to do when closing a read-only descriptor fails. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onClose?.();
      try {
        closeSync(this.fd);
      } catch {
        // EIO or the like on a read-only descriptor: it is released either way.
      }
    }
    return Promise.resolve();
  }
}

// O_NONBLOCK: opening a FIFO someone left in a root must not hang the request.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const LOOKUP_MISSES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EISDIR']);

/**
 * The only part of the service that touches the file system. Opens first and then checks what
 * was opened (its real path must lie inside the root and contain no dot-segment), so a path
 * swapped between check and use cannot escape; the bytes are then streamed from that same handle.
 */
@Injectable()
export class FileStorageService {
  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly handles?: OpenFileHandles,
  ) {}

  /** Opens the first regular file found at `segments` under the roots, in order. */
  async open(segments: readonly string[]): Promise<OpenFile> {
    if (segments.length === 0 || segments.some(isHiddenName)) throw new FileNotFoundError();
    for (const root of this.config.roots) {
      const file = await this.openInRoot(root, segments);
      if (file) return file;
    }
    throw new FileNotFoundError();
  }

  /** Streams the inclusive `range` of the file (the whole file when absent), then closes the handle. */
  readRange(file: OpenFile, range: ByteRange = { start: 0, end: file.size - 1 }): Readable {
    return this.readSlices(file, [range]);
  }

  /** Streams a multipart/byteranges body laid out by `multipartLayout`, then closes the handle. */
  readMultipart(file: OpenFile, layout: MultipartLayout): Readable {
    return this.readSlices(file, [...layout.parts.flatMap((part) => [part.header, part.range]), layout.trailer]);
  }

  /**
   * Sends literal buffers and file ranges in order, from the one open handle, with backpressure.
   * If the file shrinks or changes while it is being sent, the stream fails instead of ending:
   * the response is then cut off, so no client can take a mix of old and new bytes for complete.
   */
  private readSlices(file: OpenFile, slices: ReadonlyArray<Buffer | ByteRange>): Readable {
    return new SliceReader(file, slices);
  }

  private async openInRoot(root: string, segments: readonly string[]): Promise<OpenFile | undefined> {
    const requested = join(root, ...segments);
    let handle: Descriptor;
    try {
      handle = new Descriptor(openSync(requested, OPEN_FLAGS), this.handles?.opened());
    } catch (error) {
      if (isLookupMiss(error)) return undefined;
      throw error;
    }
    try {
      const stats = fstatSync(handle.fd, { bigint: true });
      if (!stats.isFile() || !(await this.opensInside(root, handle, requested))) {
        await handle.close();
        return undefined;
      }
      return {
        handle,
        name: segments[segments.length - 1],
        size: Number(stats.size),
        mtimeNs: stats.mtimeNs,
        mtimeMs: Number(stats.mtimeNs / 1_000_000n),
        ctimeNs: stats.ctimeNs,
        dev: stats.dev,
        ino: stats.ino,
        path: requested,
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Where did the handle really land? Symlinks inside the root are fine, out of it or into a dot-folder are not. */
  private async opensInside(root: string, handle: Descriptor, requested: string): Promise<boolean> {
    const real = await realPathOf(handle, requested);
    if (real === undefined) return false;
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) return false;
    return !inside.split(sep).some(isHiddenName);
  }
}

/**
 * The real path of an open handle. On Linux /proc names the file the descriptor refers to, which
 * is race-free; elsewhere we resolve the requested path and accept it only if it is still the
 * very file (same device and inode) that the handle has open.
 */
async function realPathOf(handle: Descriptor, requested: string): Promise<string | undefined> {
  try {
    return readlinkSync(`/proc/self/fd/${handle.fd}`);
  } catch {
    try {
      const resolved = await realpath(requested);
      const opened = fstatSync(handle.fd, { bigint: true });
      const current = await stat(resolved, { bigint: true });
      return opened.dev === current.dev && opened.ino === current.ino ? resolved : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Checked by shape, not `instanceof Error`: errors from Node's core may come from another realm (Jest's VM). */
function isLookupMiss(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && LOOKUP_MISSES.has(code);
}
