import { closeSync } from 'node:fs';
import type { FileVersion } from './file-version.js';

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

  /** Never throws: there is nothing useful to do when closing a read-only descriptor fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
    try {
      closeSync(this.fd);
    } catch {
      // EIO or the like on a read-only descriptor: it is released either way.
    }
  }
}

/** A regular file opened inside a root: the descriptor, the version it was opened at, and the name asked for. */
export interface OpenFile {
  readonly descriptor: Descriptor;
  readonly version: FileVersion;
  /** Final path segment as requested, for Content-Type and Content-Disposition. */
  readonly name: string;
  /** The path it was opened at; whoever reopens it must check the version. */
  readonly path: string;
}
