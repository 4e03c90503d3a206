import { parseDigestField, type DigestAlgorithm } from '../http/digest-fields.js';
import { parseRelativePath, segmentProblem, type NameProblem } from '../http/path-rules.js';

/**
 * What a tus creation request (POST) asks for, read from its headers as pure functions: where the
 * file goes (`Upload-Metadata` `filename` and optional `folder`) and which digests the finished
 * upload must have (`Upload-Metadata` `sha256`, or RFC 9530 `Repr-Digest`).
 */

/** Where a finished upload is published, relative to UPLOAD_ROOT. */
export interface Destination {
  readonly folder: readonly string[];
  readonly filename: string;
}

/** Base64 digests the finished upload must match, per algorithm. */
export type ExpectedDigests = Partial<Record<DigestAlgorithm, string>>;

export interface UploadRequest {
  readonly destination: Destination;
  readonly expected: ExpectedDigests;
}

/** Why a creation request is refused with 400; a stable word for the error body's `reason`. */
export type RequestProblem =
  | 'missing-filename'
  | `filename-${NameProblem}`
  | `folder-${NameProblem}`
  | 'metadata-not-utf8'
  | 'invalid-digest'
  | 'unsupported-digest'
  | 'conflicting-digests';

export type RequestReading =
  { readonly ok: true; readonly request: UploadRequest } | { readonly ok: false; readonly problem: RequestProblem };

/** Digest lengths in bytes, from the algorithms' definitions (FIPS 180-4). */
const DIGEST_BYTES: Readonly<Record<DigestAlgorithm, number>> = { 'sha-256': 32, 'sha-512': 64 };

/**
 * Reads a creation request. `metadataHeader` is the raw `Upload-Metadata` (tus has already checked
 * its syntax); its values are decoded again here because tus decodes them leniently (invalid UTF-8
 * would become U+FFFD, so a name could change on its way to the disk).
 */
export function readUploadRequest(metadataHeader: string | undefined, reprDigestHeader: string | undefined): RequestReading {
  const metadata = decodeMetadata(metadataHeader ?? '');
  if (metadata === undefined) return { ok: false, problem: 'metadata-not-utf8' };
  const filename = metadata.get('filename');
  if (filename === undefined || filename === null) return { ok: false, problem: 'missing-filename' };
  const fileProblem = segmentProblem(filename);
  if (fileProblem !== undefined) return { ok: false, problem: `filename-${fileProblem}` };
  const folder = parseRelativePath(metadata.get('folder') ?? '');
  if ('problem' in folder) return { ok: false, problem: `folder-${folder.problem}` };

  const expected = expectedDigests(metadata, reprDigestHeader);
  if (typeof expected === 'string') return { ok: false, problem: expected };
  return { ok: true, request: { destination: { folder: folder.segments, filename }, expected } };
}

/**
 * `key base64,key base64,key` (tus 1.0 Upload-Metadata) → key → UTF-8 value (null for a bare key);
 * undefined when a value is not valid base64 of valid UTF-8. Linear: one split, one decode each.
 */
export function decodeMetadata(header: string): Map<string, string | null> | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const values = new Map<string, string | null>();
  if (header.trim() === '') return values;
  for (const pair of header.split(',')) {
    const [key, encoded] = pair.split(' ', 2);
    if (encoded === undefined) {
      values.set(key, null);
      continue;
    }
    const bytes = decodeBase64(encoded);
    if (bytes === undefined) return undefined;
    try {
      values.set(key, decoder.decode(bytes));
    } catch {
      return undefined;
    }
  }
  return values;
}

/** Strict base64 (RFC 4648 §4, padded): Node's decoder silently skips anything it does not know. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const isAlphabet =
      (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2f;
    const isPadding = code === 0x3d && index >= text.length - 2 && (index === text.length - 1 || text.charCodeAt(text.length - 1) === 0x3d);
    if (!isAlphabet && !isPadding) return undefined;
  }
  return Buffer.from(text, 'base64');
}

/** Upload-Metadata keys that carry an expected digest (base64, as in Repr-Digest). */
export const DIGEST_METADATA_KEYS: Readonly<Record<DigestAlgorithm, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/**
 * The digests to verify: `sha256` (or `sha512`) from the metadata, the digest in base64, and every
 * supported algorithm of `Repr-Digest` (RFC 9530 §3; unknown algorithms are ignored as §2 allows).
 * A field that cannot be read, or that names only algorithms we lack, is refused rather than
 * ignored: the client asked for a check we could not make.
 */
function expectedDigests(metadata: ReadonlyMap<string, string | null>, reprDigest: string | undefined): ExpectedDigests | RequestProblem {
  const expected: ExpectedDigests = {};
  for (const algorithm of Object.keys(DIGEST_BYTES) as DigestAlgorithm[]) {
    const value = metadata.get(DIGEST_METADATA_KEYS[algorithm]);
    if (value === undefined) continue;
    const bytes = value === null ? undefined : decodeBase64(value);
    if (bytes === undefined || bytes.length !== DIGEST_BYTES[algorithm]) return 'invalid-digest';
    expected[algorithm] = bytes.toString('base64');
  }
  if (reprDigest !== undefined) {
    const field = parseDigestField(reprDigest);
    if (field === undefined) return 'invalid-digest';
    let supported = 0;
    for (const algorithm of Object.keys(DIGEST_BYTES) as DigestAlgorithm[]) {
      const bytes = field.get(algorithm);
      if (bytes === undefined) continue;
      if (bytes.length !== DIGEST_BYTES[algorithm]) return 'invalid-digest';
      const base64 = bytes.toString('base64');
      if (expected[algorithm] !== undefined && expected[algorithm] !== base64) return 'conflicting-digests';
      expected[algorithm] = base64;
      supported += 1;
    }
    if (supported === 0) return 'unsupported-digest';
  }
  return expected;
}

/** The expected digests as Upload-Metadata values, stored with the upload so any instance can verify it. */
export function digestMetadata(expected: ExpectedDigests): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [algorithm, base64] of Object.entries(expected) as Array<[DigestAlgorithm, string]>)
    values[DIGEST_METADATA_KEYS[algorithm]] = base64;
  return values;
}

/**
 * Whether the upload folder's file system can take `length` more bytes and still keep `minFree`
 * free (UPLOAD_MIN_FREE). `free` is what an unprivileged writer may use (statfs bavail).
 */
export function hasRoom(free: number, length: number, minFree: number): boolean {
  return free - length >= minFree;
}
