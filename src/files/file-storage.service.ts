import { Injectable, Optional } from '@nestjs/common';
import { constants, fstatSync, openSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { isHiddenName } from '../http/request-path.js';
import { OpenFileHandles } from '../operations/open-file-handles.js';
import { FileNotFoundError } from './errors.js';
import { versionOf } from './file-version.js';
import { Descriptor, type OpenFile } from './open-file.js';


// O_NONBLOCK: opening a FIFO someone left in a root must not hang the request.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const LOOKUP_MISSES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'EISDIR']);

/**
 * The only part of the service that touches the file system. Opens first and then checks what
 * was opened (its real path must lie inside the root and contain no dot-segment), so a path
 * swapped between check and use cannot escape; the response adapter then reads the bytes from that
 * same handle (SliceReader).
 */
@Injectable()
export class FileStorageService {
  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly handles?: OpenFileHandles,
  ) {}

  /** Opens the first regular file found at `segments` under the roots, in order. */
  open(segments: readonly string[]): OpenFile {
    if (segments.length === 0 || segments.some(isHiddenName)) throw new FileNotFoundError();
    for (const root of this.config.roots) {
      const file = this.openInRoot(root, segments);
      if (file) return file;
    }
    throw new FileNotFoundError();
  }

  private openInRoot(root: string, segments: readonly string[]): OpenFile | undefined {
    // Not path.join: nothing to normalise in names, and whatever a name holds, the real path of
    // what was opened is checked below.
    const requested = withSeparator(root) + segments.join(sep);
    let handle: Descriptor;
    try {
      handle = new Descriptor(openSync(requested, OPEN_FLAGS), this.handles?.opened());
    } catch (error) {
      if (isLookupMiss(error)) return undefined;
      throw error;
    }
    try {
      const stats = fstatSync(handle.fd, { bigint: true });
      if (!stats.isFile() || !this.opensInside(root, handle, requested)) {
        handle.close();
        return undefined;
      }
      return { descriptor: handle, version: versionOf(stats), name: segments[segments.length - 1], path: requested };
    } catch (error) {
      handle.close();
      throw error;
    }
  }

  /** Where did the handle really land? Symlinks inside the root are fine, out of it or into a dot-folder are not. */
  private opensInside(root: string, handle: Descriptor, requested: string): boolean {
    const real = realPathOf(handle, requested);
    if (real === undefined) return false;
    // Both are canonical absolute paths (the roots are real paths, validated at start-up), so
    // "inside" is a prefix ending at a separator; path.relative would resolve both again.
    const prefix = withSeparator(root);
    if (real.length <= prefix.length || !real.startsWith(prefix)) return false;
    return !real.slice(prefix.length).split(sep).some(isHiddenName);
  }
}

/** `/srv/files` → `/srv/files/`; `/` stays `/`. */
function withSeparator(root: string): string {
  return root.endsWith(sep) ? root : root + sep;
}

/**
 * The real path of an open handle. On Linux /proc names the file the descriptor refers to, which
 * is race-free; elsewhere we resolve the requested path and accept it only if it is still the
 * very file (same device and inode) that the handle has open.
 */
function realPathOf(handle: Descriptor, requested: string): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${handle.fd}`);
  } catch {
    try {
      const resolved = realpathSync(requested);
      const opened = fstatSync(handle.fd, { bigint: true });
      const current = statSync(resolved, { bigint: true });
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
