import type { BigIntStats } from 'node:fs';

/**
 * What makes one version of a file: the inode it lives in (device + inode number, so every path
 * and root that reaches the same file shares one digest) and the stamps that change with its
 * content: size, modification time and status-change time, both in nanoseconds. A write that
 * restores the old mtime (`touch -d`, `cp -p`, `rsync -t`) still moves the ctime.
 */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export function identityOf(stats: BigIntStats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The inode, without the version: one cache slot per file, however often it changes. */
export function inodeKey(identity: Pick<FileIdentity, 'dev' | 'ino'>): string {
  return `${identity.dev}:${identity.ino}`;
}

/** One version of one file. */
export function versionKey(identity: FileIdentity): string {
  return `${identity.dev}:${identity.ino}:${identity.size}:${identity.mtimeNs}:${identity.ctimeNs}`;
}

/**
 * File timestamps come from a coarse kernel clock (one tick is 1-10 ms), so two writes within one
 * tick can leave size, mtime and ctime all unchanged. A version is therefore only trusted as an
 * identity once its ctime is this far in the past when hashing starts: any later write then gets a
 * later ctime. One second, the same rule RFC 9110 §8.8.2.2 applies to a strong Last-Modified.
 */
export const SETTLE_NS = 1_000_000_000n;

export function isSettled(identity: FileIdentity, nowNs: bigint): boolean {
  return nowNs - identity.ctimeNs >= SETTLE_NS;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
