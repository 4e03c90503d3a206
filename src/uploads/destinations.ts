import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  unlinkSync,
  type BigIntStats,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isHiddenName } from '../http/request-path.js';
import type { Destination } from './upload-request.js';

/** What is at a destination when an upload is created. */
export type DestinationState =
  | 'free'
  /** A folder on the way resolves (through a symlink) outside UPLOAD_ROOT or into a dot-folder. */
  | 'escapes'
  /** Something other than a folder stands where a folder of the path should be. */
  | 'not-a-folder'
  /** A file (or symlink) of that name exists. */
  | 'exists'
  /** A folder of that name exists: never replaced. */
  | 'is-a-folder';

export class PublishError extends Error {
  constructor(readonly state: Exclude<DestinationState, 'free'>) {
    super(`destination ${state}`);
  }
}

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
/** Errors that mean "hard links are not available here": fall back to a check and a rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

/**
 * The file-system side of where uploads land, inside UPLOAD_ROOT (a real path). The same rules as
 * downloads: symlinks that stay inside the root are followed, nothing may resolve outside it or
 * into a dot-folder.
 *
 * Publishing creates the missing folders one at a time and places the file through the descriptor
 * of the folder it checked (`/proc/self/fd/N/name`, Linux), so swapping a folder for a symlink
 * between the check and the rename cannot redirect the file.
 */
export class UploadDestinations {
  constructor(readonly root: string) {}

  /** At creation: may an upload be published there (the caller decides about `exists`)? */
  check(destination: Destination): DestinationState {
    let folder = this.root;
    for (const segment of destination.folder) {
      const next = join(folder, segment);
      let real: string;
      try {
        real = realpathSync(next);
      } catch (error) {
        if (codeOf(error) === 'ENOENT') return 'free'; // created at publication
        if (codeOf(error) === 'ENOTDIR') return 'not-a-folder';
        throw error;
      }
      if (!this.isInside(real)) return 'escapes';
      if (!lstatSafe(real)?.isDirectory()) return 'not-a-folder';
      folder = real;
    }
    const existing = lstatSafe(join(folder, destination.filename));
    if (existing === undefined) return 'free';
    return existing.isDirectory() ? 'is-a-folder' : 'exists';
  }

  /**
   * Puts the staged file at `destination`: with `overwrite`, rename(2) replaces an existing file
   * atomically (readers of the old file keep its inode); without, link(2) fails rather than
   * replace, and the staged name is removed after. Returns the published path, relative to the root.
   */
  publish(staged: string, destination: Destination, overwrite: boolean): string {
    let directory = openSync(this.root, DIRECTORY_FLAGS);
    try {
      for (const segment of destination.folder) {
        const next = `/proc/self/fd/${directory}/${segment}`;
        try {
          mkdirSync(next);
        } catch (error) {
          if (codeOf(error) !== 'EEXIST') throw error;
        }
        let opened: number;
        try {
          opened = openSync(next, DIRECTORY_FLAGS);
        } catch (error) {
          if (codeOf(error) === 'ENOTDIR') throw new PublishError('not-a-folder');
          throw error;
        }
        closeSync(directory);
        directory = opened;
        if (!this.isInside(readlinkSync(`/proc/self/fd/${directory}`))) throw new PublishError('escapes');
      }
      const target = `/proc/self/fd/${directory}/${destination.filename}`;
      const existing = lstatSafe(target);
      if (existing?.isDirectory()) throw new PublishError('is-a-folder');
      if (overwrite) renameSync(staged, target);
      else placeWithoutReplacing(staged, target);
      return relative(this.root, join(readlinkSync(`/proc/self/fd/${directory}`), destination.filename));
    } finally {
      closeSync(directory);
    }
  }

  private isInside(real: string): boolean {
    const inside = relative(this.root, real);
    if (inside === '') return true;
    if (inside.startsWith('..') || inside.startsWith(sep)) return false;
    return !inside.split(sep).some(isHiddenName);
  }
}

function placeWithoutReplacing(staged: string, target: string): void {
  try {
    linkSync(staged, target);
  } catch (error) {
    if (codeOf(error) === 'EEXIST') throw new PublishError('exists');
    if (!NO_HARD_LINKS.has(codeOf(error) ?? '')) throw error;
    // No hard links on this file system: check, then rename (a name taken in between is replaced).
    if (lstatSafe(target) !== undefined) throw new PublishError('exists');
    renameSync(staged, target);
    return;
  }
  unlinkSync(staged);
}

function lstatSafe(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** fstat of an open descriptor, with nanosecond stamps. */
export function statOf(fd: number): BigIntStats {
  return fstatSync(fd, { bigint: true });
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}
