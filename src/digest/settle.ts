import type { FileVersion } from '../files/file-version.js';

/**
 * File timestamps come from a coarse kernel clock (one tick is 1-10 ms), so two writes within one
 * tick can leave size, mtime and ctime all unchanged. A version is therefore only trusted as an
 * identity once its ctime is this far in the past when hashing starts: any later write then gets a
 * later ctime. One second, the same rule RFC 9110 §8.8.2.2 applies to a strong Last-Modified.
 */
export const SETTLE_NS = 1_000_000_000n;

export function isSettled(version: Pick<FileVersion, 'ctimeNs'>, nowNs: bigint): boolean {
  return nowNs - version.ctimeNs >= SETTLE_NS;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
