import type { BigIntStats } from 'node:fs';

/**
 * One version of a file: the inode it lives in (device + inode number, so every path and root that
 * reaches the same file names the same version) and the stamps that change with its content: size,
 * modification time and status-change time, both in nanoseconds. A write that restores the old
 * mtime (`touch -d`, `cp -p`, `rsync -t`) still moves the ctime. The slice reader checks a body
 * against it, the digest cache keys on it, the ETag is derived from it, and pinned links name it.
 */
export interface FileVersion {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** Where a version was found: whoever reopens `path` must check it still is `version`. */
export interface LocatedVersion {
  readonly path: string;
  readonly version: FileVersion;
}

export function versionOf(stats: BigIntStats): FileVersion {
  return { dev: stats.dev, ino: stats.ino, size: Number(stats.size), mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The inode, without the version: one cache slot per file, however often it changes. */
export function inodeKey(version: Pick<FileVersion, 'dev' | 'ino'>): string {
  return `${version.dev}:${version.ino}`;
}

/** The whole version in one string. */
export function versionKey(version: FileVersion): string {
  return `${version.dev}:${version.ino}:${version.size}:${version.mtimeNs}:${version.ctimeNs}`;
}

/** Modification time in epoch milliseconds (sub-millisecond part dropped). */
export function modifiedMs(version: Pick<FileVersion, 'mtimeNs'>): number {
  return Number(version.mtimeNs / 1_000_000n);
}
