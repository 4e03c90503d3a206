import { parseDictionary, serializeDictionary, type Dictionary } from 'structured-headers';

/**
 * RFC 9530 digest fields as Structured Fields (RFC 9651) Dictionaries. Pure functions: parsing and
 * formatting of `Repr-Digest` / `Want-Repr-Digest`, and the choice of algorithms for a response.
 */

/** The algorithms this service computes, from RFC 9530's Hash Algorithms registry (§7.2, "Active"). */
export const SUPPORTED_DIGEST_ALGORITHMS = ['sha-256', 'sha-512'] as const;
export type DigestAlgorithm = (typeof SUPPORTED_DIGEST_ALGORITHMS)[number];

/** Sent when the client expresses no usable preference. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = 'sha-256';

/** Node's `crypto.createHash` name for each algorithm. */
export const NODE_HASH_NAME: Readonly<Record<DigestAlgorithm, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

export function isDigestAlgorithm(name: string): name is DigestAlgorithm {
  return (SUPPORTED_DIGEST_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * `Repr-Digest: sha-256=:BASE64:, sha-512=:BASE64:` (RFC 9530 §3): a Dictionary whose values are
 * Byte Sequences, in the order given. Empty input gives '' (the caller then sends no field).
 *
 * Each member is serialised once per digest (memo keyed by the bytes object: DigestService hands
 * every request for a version the same, never mutated, arrays) and the members are joined as
 * RFC 9651 §4.1.2 joins a Dictionary's: with ", ". A file's digest is a constant of its version,
 * so re-serialising it on every response was pure overhead.
 */
export function formatDigestField(digests: ReadonlyArray<readonly [DigestAlgorithm, Uint8Array]>): string {
  if (digests.length === 1) return memberOf(digests[0][0], digests[0][1]);
  return digests.map(([algorithm, bytes]) => memberOf(algorithm, bytes)).join(', ');
}

const MEMBERS = new WeakMap<Uint8Array, { readonly algorithm: DigestAlgorithm; readonly member: string }>();

/** `algorithm=:BASE64:`, the serialisation of a one-member Dictionary, remembered for these bytes. */
function memberOf(algorithm: DigestAlgorithm, bytes: Uint8Array): string {
  const known = MEMBERS.get(bytes);
  if (known !== undefined && known.algorithm === algorithm) return known.member;
  const member = serializeDictionary(new Map([[algorithm, [bytes, new Map()]]]) as Dictionary);
  MEMBERS.set(bytes, { algorithm, member });
  return member;
}

/**
 * Parses a `Repr-Digest` or `Content-Digest` value into algorithm → digest bytes. Unknown
 * algorithms are kept (a client may ignore them); members that are not Byte Sequences make the
 * whole field invalid. Returns undefined for a field that is not a valid Dictionary.
 */
export function parseDigestField(value: string | undefined): Map<string, Buffer> | undefined {
  return parseDictionaryOf(value, (bare) => (bare instanceof ArrayBuffer ? Buffer.from(bare) : undefined));
}

/**
 * `Want-Repr-Digest` (RFC 9530 §4): a Dictionary of algorithm → Integer preference 0-10, where 0
 * means "not acceptable" and 10 "most preferred". Returns undefined for a malformed field (not a
 * Dictionary, a value that is not an integer in 0-10, or an inner list): such a field is ignored,
 * never an error, since the digest is an optional extra for the client.
 */
export function parseWantDigest(value: string | undefined): Map<string, number> | undefined {
  return parseDictionaryOf(value, (bare) =>
    typeof bare === 'number' && Number.isInteger(bare) && bare >= 0 && bare <= 10 ? bare : undefined,
  );
}

/**
 * Parses a Structured Field Dictionary and converts each member's bare item; undefined when the
 * field is not a Dictionary or any member fails to convert (an inner list never converts).
 */
function parseDictionaryOf<T>(value: string | undefined, convert: (bare: unknown) => T | undefined): Map<string, T> | undefined {
  if (value === undefined) return undefined;
  let dictionary: Dictionary;
  try {
    dictionary = parseDictionary(value);
  } catch {
    return undefined;
  }
  const members = new Map<string, T>();
  for (const [key, [bare]] of dictionary) {
    const converted = convert(bare);
    if (converted === undefined) return undefined;
    members.set(key, converted);
  }
  return members;
}

/**
 * Which digests go into the response, most preferred first (RFC 9530 §4 leaves the choice to the
 * server; preferences are hints):
 *
 * - sha-256 is the default: sent unless the client rates it 0 ("not acceptable").
 * - sha-512 is sent as well when the client names it with a preference above 0 that is higher
 *   than the one it gives sha-256 (or sha-256 is not named); it then comes first.
 * - No field, a malformed one, or one naming only algorithms we lack: sha-256 alone.
 * - Every algorithm we support rated 0: nothing.
 */
export function selectDigestAlgorithms(want: ReadonlyMap<string, number> | undefined): DigestAlgorithm[] {
  const defaultAccepted = want?.get(DEFAULT_DIGEST_ALGORITHM) !== 0;
  const preferred = want === undefined ? undefined : mostPreferred(want);
  const selected: DigestAlgorithm[] = [];
  if (preferred !== undefined) selected.push(preferred);
  if (defaultAccepted && preferred !== DEFAULT_DIGEST_ALGORITHM) selected.push(DEFAULT_DIGEST_ALGORITHM);
  return selected;
}

/** The supported algorithm with the highest preference above 0; ties go to the earlier in our list. */
function mostPreferred(want: ReadonlyMap<string, number>): DigestAlgorithm | undefined {
  let best: DigestAlgorithm | undefined;
  for (const algorithm of SUPPORTED_DIGEST_ALGORITHMS) {
    const preference = want.get(algorithm) ?? 0;
    if (preference > 0 && (best === undefined || preference > (want.get(best) ?? 0))) best = algorithm;
  }
  return best;
}
