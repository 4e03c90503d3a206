import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import type { DigestAlgorithm } from '../http/digest-fields.js';
import type { FileVersion } from '../files/file-version.js';
import type { Digests } from './digest-cache.js';

/**
 * A store of digests shared by every replica and by later processes (DIGEST_STORE). It only ever
 * accelerates: a lookup that fails or finds nothing usable is a miss, and the file is hashed.
 */
export interface DigestStore {
  /** Connects in the background; never throws, never blocks start-up. */
  start(): void;
  /** The digests stored under `key` among `algorithms`, each validated; never rejects. */
  get(key: string, algorithms: readonly DigestAlgorithm[]): Promise<Digests>;
  /** Stores the digests under `key` (with the store's expiry); fire and forget, never rejects. */
  put(key: string, digests: Digests): Promise<void>;
  stop(): Promise<void>;
}

/** Bytes of each digest: a stored value of any other length is not used. */
const DIGEST_BYTES: Readonly<Record<DigestAlgorithm, number>> = { 'sha-256': 32, 'sha-512': 64 };

/**
 * The key of one file version in the shared store. Replicas over one shared folder (NFS, SMB, a
 * cloud volume) see the same path below the root and the same size, mtime and ctime (the file
 * server's stamps), but not the same device number, and not always the same inode number, so
 * neither is part of the key. The ctime moves with every write and rename, even one that restores
 * the mtime, so a changed file gets another key; the settle rule (a version is hashed only once its
 * ctime is a second old) keeps two writes in one clock tick from sharing one.
 */
export function storeKey(relativePath: string, version: Pick<FileVersion, 'size' | 'mtimeNs' | 'ctimeNs'>): string {
  const identity = JSON.stringify([relativePath, version.size, String(version.mtimeNs), String(version.ctimeNs)]);
  return `rds:digest:v1:${createHash('sha256').update(identity).digest('hex')}`;
}

/** Where `path` lies below the first root that contains it ('/'-separated), or undefined. */
export function pathBelowRoot(roots: readonly string[], path: string): string | undefined {
  for (const root of roots) {
    const below = relative(root, path);
    if (below !== '' && !below.startsWith('..') && !below.startsWith(sep)) return below.split(sep).join('/');
  }
  return undefined;
}

/**
 * A digest read back from the store, or undefined unless it is canonical base64 of exactly the
 * algorithm's length: whatever else is there (another program's key, a truncated write) is a miss.
 */
export function parseStoredDigest(algorithm: DigestAlgorithm, value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || value.length > 128) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== DIGEST_BYTES[algorithm] || bytes.toString('base64') !== value) return undefined;
  return new Uint8Array(bytes);
}
