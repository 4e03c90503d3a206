import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Algorithms we can check, strongest first (RFC 9530 §7.2 registry names), with Node's hash names. */
export const HASHES: ReadonlyArray<readonly [string, string]> = [
  ['sha-512', 'sha512'],
  ['sha-256', 'sha256'],
];

/** What we ask servers for: sha-256 preferred, sha-512 welcome (RFC 9530 §4). */
export const WANT_REPR_DIGEST = 'sha-512=3, sha-256=10';

/**
 * The members of a Repr-Digest Dictionary (RFC 9530 §3, RFC 9651 §3.2) that we can check:
 * `algorithm=:base64:` for the algorithms we know, strongest first. Members of other shapes are
 * skipped, as the RFC asks of unknown algorithms. Linear: one split, one anchored match per member
 * with no overlapping quantifiers.
 */
export function checkableDigests(field: string): Array<[string, string]> {
  const members = new Map<string, string>();
  for (const member of field.split(',')) {
    const match = /^\s*([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/]*={0,2}):(?:;.*)?\s*$/.exec(member);
    if (match) members.set(match[1], match[2]);
  }
  return HASHES.flatMap(([algorithm]) =>
    members.has(algorithm) ? [[algorithm, members.get(algorithm) as string] as [string, string]] : [],
  );
}

/** Two Repr-Digest fields agree on every algorithm both carry. */
export function sameDigests(a: string, b: string): boolean {
  const left = new Map(checkableDigests(a));
  return checkableDigests(b).every(([algorithm, digest]) => !left.has(algorithm) || left.get(algorithm) === digest);
}

export type DigestComparison =
  | { readonly kind: 'match'; readonly checked: Array<[string, string]> }
  | { readonly kind: 'mismatch'; readonly algorithm: string; readonly expected: string; readonly actual: string }
  | { readonly kind: 'unverifiable' };

/** Compares what the bytes hash to (`actual`, base64 per algorithm) with what the server's field says. */
export function compareDigests(field: string | undefined, actual: ReadonlyMap<string, string>): DigestComparison {
  const expected = field === undefined ? [] : checkableDigests(field);
  if (expected.length === 0) return { kind: 'unverifiable' };
  for (const [algorithm, digest] of expected) {
    const got = actual.get(algorithm) ?? '';
    if (got !== digest) return { kind: 'mismatch', algorithm, expected: digest, actual: got };
  }
  return { kind: 'match', checked: expected };
}

/** The algorithms `field` lets us check. */
export function algorithmsIn(field: string | undefined): string[] {
  return field === undefined ? [] : checkableDigests(field).map(([algorithm]) => algorithm);
}

/** Base64 digests of a file for `algorithms`, in one read. */
export async function hashLocalFile(path: string, algorithms: readonly string[]): Promise<Map<string, string>> {
  const hashes = algorithms.map(
    (algorithm) => [algorithm, createHash(HASHES.find(([name]) => name === algorithm)?.[1] ?? 'sha256')] as const,
  );
  const handle = await open(path, 'r');
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 })) {
      for (const [, hash] of hashes) hash.update(chunk as Buffer);
    }
  } finally {
    await handle.close();
  }
  return new Map(hashes.map(([algorithm, hash]) => [algorithm, hash.digest('base64')]));
}
