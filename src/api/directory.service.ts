import { Injectable } from '@nestjs/common';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  statSync,
  type BigIntStats,
  type Dirent,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AppConfig } from '../config/app-config.js';
import { versionOf, type LocatedVersion } from '../files/file-version.js';
import { isHiddenName } from '../http/request-path.js';
import { nameIsAfter, SmallestNames, type EntryKey } from './listing.js';

/** A regular file found in a listing: its real path (for the digest cache, never shown) and its version. */
export type ListedFile = LocatedVersion;

export interface FolderEntry extends EntryKey {
  /** For files: the file the download route would serve at that name. */
  readonly file?: ListedFile;
}

export interface FolderPage {
  readonly entries: FolderEntry[];
  /** The last entry of this page when more may follow; undefined on the last page. */
  readonly next: EntryKey | undefined;
  /** File-system calls made for the entries (lstat, stat, realpath): bounded by the page, not the folder. */
  readonly entryCalls: number;
}

/** A folder opened inside a root. */
interface OpenFolder {
  readonly root: string;
  readonly fd: number;
  /** Its real path (checked to lie inside the root). */
  readonly real: string;
  /** The path to read it through: the descriptor itself on Linux, so a swapped path cannot redirect us. */
  readonly via: string;
}

const LOOKUP_MISSES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'EPERM', 'ENAMETOOLONG']);
const HAS_PROC_FD = existsSync('/proc/self/fd');

/**
 * Folder listings: the only file-system code of the API besides FileStorageService, and it keeps
 * the same rules: a folder is looked up in every root (first root wins for each file name, exactly
 * as a download would find it; folders of the same name are merged), opened first and then checked
 * to really lie inside its root; dot-entries, anything that is neither a regular file nor a folder,
 * and symlinks that leave the root or lead into a dot-folder are never listed.
 *
 * A page costs the directory read (one `readdir` per root that has the folder, unavoidable without
 * a cache that could go stale), one pass over the names with a bounded selection (listing.ts), and
 * file-system calls for the entries of the page only: the last page of a 100,000-file folder costs
 * the same as the first (bench/bench.mjs, scenario "listing").
 */
@Injectable()
export class DirectoryService {
  constructor(private readonly config: AppConfig) {}

  /** Whether any root has a folder at `segments` (for the redirect of a folder URL without its trailing slash). */
  isFolder(segments: readonly string[]): boolean {
    const folders = this.openFolders(segments);
    for (const folder of folders) closeSync(folder.fd);
    return folders.length > 0;
  }

  /** Up to `limit` entries after `after`, or undefined when no root has a folder at `segments`. */
  async list(segments: readonly string[], after: EntryKey | undefined, limit: number): Promise<FolderPage | undefined> {
    const folders = this.openFolders(segments);
    if (folders.length === 0) return undefined;
    try {
      const listings = await Promise.all(folders.map((folder) => readdir(folder.via, { withFileTypes: true })));
      return this.page(folders, listings, after, limit);
    } finally {
      for (const folder of folders) closeSync(folder.fd);
    }
  }

  private page(folders: readonly OpenFolder[], listings: readonly Dirent[][], after: EntryKey | undefined, limit: number): FolderPage {
    const entries: FolderEntry[] = [];
    let calls = 0;
    let from = after;
    let batch = limit;
    let more: boolean;
    // Usually one round. Names that turn out not to be listable (a symlink out of the root, a file
    // removed since the read) are dropped, and the next round selects twice as many after them.
    for (;;) {
      const selection = new SmallestNames(batch + 1);
      for (const listing of listings) {
        for (const dirent of listing) {
          if (isCandidate(dirent) && nameIsAfter(dirent.name, from)) selection.offer(dirent.name);
        }
      }
      const names = selection.sorted();
      more = names.length > batch;
      for (const name of names.slice(0, batch)) {
        const resolved = this.resolve(folders, name);
        calls += resolved.calls;
        if (resolved.file && !(after && after.name === name)) entries.push({ name, type: 'file', file: resolved.file });
        if (resolved.folder && !(after && after.name === name && after.type === 'folder')) entries.push({ name, type: 'folder' });
      }
      if (entries.length >= limit || !more) break;
      from = { name: names[batch - 1], type: 'folder' };
      batch *= 2;
    }
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    const next = (entries.length > limit || more) && last ? { name: last.name, type: last.type } : undefined;
    return { entries: page, next, entryCalls: calls };
  }

  /** What `name` is across the roots: the first regular file (as a download finds it), and whether any root has a folder. */
  private resolve(folders: readonly OpenFolder[], name: string): { file?: ListedFile; folder: boolean; calls: number } {
    let file: ListedFile | undefined;
    let folder = false;
    let calls = 0;
    for (const open of folders) {
      if (file && folder) break;
      const via = `${open.via}/${name}`;
      let stats: BigIntStats;
      let real = join(open.real, name);
      try {
        calls++;
        stats = lstatSync(via, { bigint: true });
        if (stats.isSymbolicLink()) {
          calls += 2;
          stats = statSync(via, { bigint: true });
          real = realpathSync(via);
          if (!liesInside(open.root, real)) continue;
        }
      } catch (error) {
        if (isLookupMiss(error)) continue; // gone since the read, a broken link, or a name that is not valid UTF-8
        throw error;
      }
      if (stats.isFile() && file === undefined) {
        file = { path: real, version: versionOf(stats) };
      } else if (stats.isDirectory()) {
        folder = true;
      }
    }
    return { file, folder, calls };
  }

  private openFolders(segments: readonly string[]): OpenFolder[] {
    if (segments.some(isHiddenName)) return [];
    const folders: OpenFolder[] = [];
    for (const root of this.config.roots) {
      const requested = join(root, ...segments);
      let fd: number;
      try {
        fd = openSync(requested, constants.O_RDONLY | constants.O_DIRECTORY);
      } catch (error) {
        if (isLookupMiss(error)) continue;
        throw error;
      }
      const real = realPathOf(fd, requested);
      if (real === undefined || !liesInside(root, real, true)) {
        closeSync(fd);
        continue;
      }
      folders.push({ root, fd, real, via: HAS_PROC_FD ? `/proc/self/fd/${fd}` : real });
    }
    return folders;
  }
}

/** Regular files, folders and symlinks (resolved later, for the page only); FIFOs, sockets and devices never. */
function isCandidate(dirent: Dirent): boolean {
  return !isHiddenName(dirent.name) && (dirent.isFile() || dirent.isDirectory() || dirent.isSymbolicLink());
}

/** The same rule as FileStorageService: inside the root, and no dot-segment on the way. */
function liesInside(root: string, real: string, rootItself = false): boolean {
  const inside = relative(root, real);
  if (inside === '') return rootItself;
  if (inside.startsWith('..') || isAbsolute(inside)) return false;
  return !inside.split(sep).some(isHiddenName);
}

/** Where a descriptor really points: /proc names it race-free; elsewhere the path must still be that very folder. */
function realPathOf(fd: number, requested: string): string | undefined {
  try {
    return HAS_PROC_FD ? readlinkSync(`/proc/self/fd/${fd}`) : checkedRealPath(fd, requested);
  } catch {
    return undefined;
  }
}

function checkedRealPath(fd: number, requested: string): string | undefined {
  const resolved = realpathSync(requested);
  const opened = fstatSync(fd, { bigint: true });
  const current = statSync(resolved, { bigint: true });
  return opened.dev === current.dev && opened.ino === current.ino ? resolved : undefined;
}

/** By shape, not `instanceof Error`: errors from Node's core may come from another realm (Jest's VM). */
function isLookupMiss(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && LOOKUP_MISSES.has(code);
}
