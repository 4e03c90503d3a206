import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { NODE_HASH_NAME, type DigestAlgorithm } from '../http/digest-fields.js';
import { sameVersion, versionOf, type FileVersion } from '../files/file-version.js';
import { isSettled, nowNs } from './settle.js';

export interface HashRequest {
  /** Where the file was found; only hashed if what opens there is still `version`. */
  readonly path: string;
  readonly version: FileVersion;
  readonly algorithms: readonly DigestAlgorithm[];
}

export type HashOutcome =
  | { readonly kind: 'hashed'; readonly digests: ReadonlyArray<readonly [DigestAlgorithm, Uint8Array]> }
  /** The file is not (or no longer) the version asked for: nothing may be cached. */
  | { readonly kind: 'changed' }
  /** Changed too recently for its stamps to identify it (see SETTLE_NS); try again later. */
  | { readonly kind: 'unsettled' }
  | { readonly kind: 'failed'; readonly reason: string };

export interface HashOptions {
  /** Read size; one buffer of this size is reused for the whole file. */
  readonly chunkBytes?: number;
  readonly now?: () => bigint;
  /** Test hook, awaited after each chunk is hashed. */
  readonly afterChunk?: (bytesHashed: number) => Promise<void> | void;
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Hashes exactly the version `request.version` names, or reports that it cannot: the file is
 * opened, its fstat must match the version before the first byte is read, exactly `size` bytes
 * must be read, and a second fstat afterwards must still match. Any write in between moves the
 * ctime (the file is settled, so its ctime is older than the write), so a digest is only ever
 * returned for the bytes of that version.
 */
export async function hashFile(request: HashRequest, options: HashOptions = {}): Promise<HashOutcome> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  let handle;
  try {
    handle = await open(request.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return codeOf(error) === 'ENOENT' ? { kind: 'changed' } : { kind: 'failed', reason: describe(error) };
  }
  try {
    const before = versionOf(await handle.stat({ bigint: true }));
    if (!sameVersion(before, request.version)) return { kind: 'changed' };
    if (!isSettled(before, (options.now ?? nowNs)())) return { kind: 'unsettled' };

    const hashes: Array<[DigestAlgorithm, Hash]> = request.algorithms.map((algorithm) => [
      algorithm,
      createHash(NODE_HASH_NAME[algorithm]),
    ]);
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      for (const [, hash] of hashes) hash.update(chunk);
      position += bytesRead;
      await options.afterChunk?.(position);
    }
    if (position !== request.version.size) return { kind: 'changed' };
    const after = versionOf(await handle.stat({ bigint: true }));
    if (!sameVersion(after, request.version)) return { kind: 'changed' };
    return { kind: 'hashed', digests: hashes.map(([algorithm, hash]) => [algorithm, new Uint8Array(hash.digest())] as const) };
  } catch (error) {
    return { kind: 'failed', reason: describe(error) };
  } finally {
    await handle.close();
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

function describe(error: unknown): string {
  return codeOf(error) ?? (typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error));
}
