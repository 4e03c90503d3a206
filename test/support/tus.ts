import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { hashToken } from '../../src/access/tokens.js';

/** Tokens the upload tests use, and the API_TOKENS setting that knows them (hashes only). */
export const WRITE_TOKEN = 'upload-test-write-token';
export const READ_TOKEN = 'upload-test-read-token';
export const API_TOKENS = `uploader:${hashToken(WRITE_TOKEN)}:write,reader:${hashToken(READ_TOKEN)}:read`;

/**
 * The settings of a service that takes uploads into `root` (also its only FILES_ROOT), with the
 * test tokens; UPLOAD_MIN_FREE off, since the test machine's free space is not the test's subject.
 */
export function uploadSettings(root: string): Record<string, string> {
  return { FILES_ROOT: root, UPLOAD_ROOT: root, API_TOKENS, UPLOAD_MIN_FREE: '0' };
}

export const WRITE_AUTH = { Authorization: `Bearer ${WRITE_TOKEN}` };

/** tus 1.0 `Upload-Metadata`: `key base64(value)` pairs. */
export function uploadMetadata(values: Record<string, string | Buffer>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

export function sha256Base64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * One raw tus request with the write token and Tus-Resumable, through fetch. A HEAD that meets a
 * keep-alive connection the server closed just as it was reused (a race a busy machine makes
 * likely) is sent once more, as browsers do for idempotent requests; nothing else is retried.
 */
export async function tusRequest(
  url: string,
  method: 'OPTIONS' | 'POST' | 'HEAD' | 'PATCH' | 'DELETE' | 'GET',
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<Response> {
  const send = () => fetch(url, { method, headers: { ...WRITE_AUTH, 'Tus-Resumable': '1.0.0', ...headers }, body });
  if (method !== 'HEAD') return send();
  try {
    return await send();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code !== 'ECONNRESET') throw error;
    return send();
  }
}

/** POST creating an upload; returns the response and the absolute upload URL. */
export async function createUpload(
  base: string,
  length: number,
  metadata: Record<string, string | Buffer>,
  headers: Record<string, string> = {},
): Promise<{ res: Response; url: string }> {
  const res = await tusRequest(`${base}/.uploads/`, 'POST', {
    'Upload-Length': String(length),
    'Upload-Metadata': uploadMetadata(metadata),
    ...headers,
  });
  const location = res.headers.get('location');
  return { res, url: location === null ? '' : new URL(location, base).href };
}

/** PATCH `bytes` at `offset`. */
export function appendTo(url: string, offset: number, bytes: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return tusRequest(
    url,
    'PATCH',
    { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', ...headers },
    bytes,
  );
}

export async function errorBodyOf(res: Response): Promise<{ statusCode: number; error: string; message: string; reason?: string }> {
  return (await res.json()) as { statusCode: number; error: string; message: string; reason?: string };
}

/** Writes `size` random bytes to `path` a MiB at a time; returns their SHA-256 in base64. */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < size;) {
    const chunk = randomBytes(Math.min(1024 * 1024, size - written));
    hash.update(chunk);
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
  }
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
  return hash.digest('base64');
}

/** GETs `url` and hashes the body as it streams; returns status, headers, length and SHA-256 (base64). */
export async function downloadDigest(url: string): Promise<{ status: number; headers: Headers; length: number; sha256: string }> {
  const res = await fetch(url);
  const hash = createHash('sha256');
  let length = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      length += chunk.length;
    }
  }
  return { status: res.status, headers: res.headers, length, sha256: hash.digest('base64') };
}
