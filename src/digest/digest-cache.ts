import { LRUCache } from 'lru-cache';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import { inodeKey, sameVersion, type FileVersion } from '../files/file-version.js';

/** Kept small: about 0.6 KB of heap per file, cache bookkeeping included (`npm run bench:digest` weighs it). */
interface CacheEntry {
  /** The version the digests are of: a lookup must name the same version (sameVersion) to get them. */
  readonly version: FileVersion;
  /**
   * Digest bytes per algorithm, private copies that are never mutated: every lookup of this version
   * gets the same arrays, so formatDigestField serialises each one once (its memo).
   */
  readonly digests: Partial<Record<DigestAlgorithm, Uint8Array>>;
}

const NONE_MISSING: DigestAlgorithm[] = [];

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
    const current = entry !== undefined && sameVersion(entry.version, version) ? entry : undefined;
    const found: Array<[DigestAlgorithm, Uint8Array]> = [];
    let missing = NONE_MISSING;
    for (const algorithm of algorithms) {
      const digest = current?.digests[algorithm];
      if (digest !== undefined) found.push([algorithm, digest]);
      else if (missing === NONE_MISSING) missing = [algorithm];
      else missing.push(algorithm);
    }
    return { found, missing };
  }

  put(version: FileVersion, digests: Digests): void {
    const key = inodeKey(version);
    const existing = this.entries.get(key);
    const merged = existing !== undefined && sameVersion(existing.version, version) ? { ...existing.digests } : {};
    // A copy of exactly the digest's bytes: never a view into a larger (pooled) buffer.
    for (const [algorithm, digest] of digests) merged[algorithm] = new Uint8Array(digest);
    this.entries.set(key, { version, digests: merged });
  }
}
