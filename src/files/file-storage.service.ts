import { Injectable } from '@nestjs/common';
import { constants, fstatSync, readlinkSync } from 'node:fs';
import { FileHandle, open, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config.js';
import { isHiddenName } from '../http/request-path.js';
import type { ByteRange } from '../http/range.js';
import type { MultipartLayout } from '../http/multipart.js';
import { FileNotFoundError } from './errors.js';
import { SliceReader } from './slice-reader.js';

export { FileChangedError } from './slice-reader.js';

/** A regular file opened inside a root, with the facts taken from the open handle itself. */
export interface OpenFile {
  readonly handle: FileHandle;
  /** Final path segment as requested, for Content-Type and Content-Disposition. */
  readonly name: string;
  readonly size: number;
  /** Modification time in nanoseconds; the ETag is derived from it and the size. */
  readonly mtimeNs: bigint;
  readonly mtimeMs: number;
  /** Status-change time: catches a content change that restored the old mtime. */
  readonly ctimeNs: bigint;
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
  constructor(private readonly config: AppConfig) {}

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
    let handle: FileHandle;
    try {
      handle = await open(join(root, ...segments), OPEN_FLAGS);
    } catch (error) {
      if (isLookupMiss(error)) return undefined;
      throw error;
    }
    try {
      // fstat and readlink of /proc/self/fd read kernel memory only (the inode is in hand once
      // open() returned): done synchronously they cost a few microseconds instead of two
      // thread-pool round trips per request.
      const stats = fstatSync(handle.fd, { bigint: true });
      if (!stats.isFile() || !(await this.opensInside(root, handle, join(root, ...segments)))) {
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
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Where did the handle really land? Symlinks inside the root are fine, out of it or into a dot-folder are not. */
  private async opensInside(root: string, handle: FileHandle, requested: string): Promise<boolean> {
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
async function realPathOf(handle: FileHandle, requested: string): Promise<string | undefined> {
  try {
    return readlinkSync(`/proc/self/fd/${handle.fd}`);
  } catch {
    try {
      const resolved = await realpath(requested);
      const [opened, current] = await Promise.all([handle.stat({ bigint: true }), stat(resolved, { bigint: true })]);
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
