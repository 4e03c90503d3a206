import { LRUCache } from 'lru-cache';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import { inodeKey, versionKey, type FileVersion } from '../files/file-version.js';

/** Kept small: about 0.6 KB of heap per file, cache bookkeeping included (`npm run bench:digest` weighs it). */
interface CacheEntry {
  /** versionKey(): the whole version in one string. */
  readonly version: string;
  /** Base64 digest per algorithm. */
  readonly digests: Partial<Record<DigestAlgorithm, string>>;
}

export type Digests = ReadonlyArray<readonly [DigestAlgorithm, Uint8Array]>;

/**
 * Digests of file versions in memory: one slot per inode (a changed file replaces its old entry
 * instead of adding one), least recently used dropped first. A lookup for another version of the
 * same inode is a miss, so a changed file never gets the old digest.
 */
export class DigestCache {
  private readonly entries: LRUCache<string, CacheEntry>;

  constructor(maxFiles: number) {
    this.entries = new LRUCache({ max: maxFiles });
  }

  get size(): number {
    return this.entries.size;
  }

  /** The known digests of `version` among `algorithms`, in that order, and the algorithms missing. */
  lookup(
    version: FileVersion,
    algorithms: readonly DigestAlgorithm[],
  ): { found: Array<[DigestAlgorithm, Uint8Array]>; missing: DigestAlgorithm[] } {
    const entry = this.entries.get(inodeKey(version));
    const current = entry !== undefined && entry.version === versionKey(version) ? entry : undefined;
    const found: Array<[DigestAlgorithm, Uint8Array]> = [];
    const missing: DigestAlgorithm[] = [];
    for (const algorithm of algorithms) {
      const digest = current?.digests[algorithm];
      if (digest === undefined) missing.push(algorithm);
      else found.push([algorithm, Buffer.from(digest, 'base64')]);
    }
    return { found, missing };
  }

  put(version: FileVersion, digests: Digests): void {
    const key = inodeKey(version);
    const existing = this.entries.get(key);
    const versionString = versionKey(version);
    const merged = existing !== undefined && existing.version === versionString ? { ...existing.digests } : {};
    for (const [algorithm, digest] of digests) merged[algorithm] = Buffer.from(digest).toString('base64');
    this.entries.set(key, { version: versionString, digests: merged });
  }
}
