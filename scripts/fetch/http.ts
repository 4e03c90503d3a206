import { WANT_REPR_DIGEST } from './digests.js';
import { EXIT, FetchError } from './exit-codes.js';
import { urlWithoutSignature } from './state.js';

/** The connection broke (or the server answered 5xx): resumable. */
export class Interrupted extends Error {}

/** No connection could be made at all (refused, unknown host, no route): retrying at once will not help. */
export class CannotConnect extends FetchError {
  constructor(url: string, code: string) {
    const { host } = new URL(url);
    super(`cannot connect to ${host} (${code}): is the server running and the URL right?`, EXIT.cannotConnect);
  }
}

/** Error codes that mean no connection was made. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * One request, with the headers every request of this client carries. 5xx and broken connections
 * are Interrupted (resumable); a connection that cannot be made at all is CannotConnect.
 */
export async function request(
  url: string,
  method: 'GET' | 'HEAD',
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      signal,
      redirect: 'follow',
      // identity: the bytes we store are the representation itself, not a compressed form of it.
      headers: { 'Accept-Encoding': 'identity', 'Want-Repr-Digest': WANT_REPR_DIGEST, ...headers },
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    const code = errorCode(error);
    if (code !== undefined && CONNECT_FAILURES.has(code)) throw new CannotConnect(url, code);
    throw new Interrupted(describe(error));
  }
  if (response.status >= 500) {
    await discardBody(response);
    throw new Interrupted(`HTTP ${response.status}`);
  }
  return response;
}

export function validatorsOf(response: Response): { etag?: string; lastModified?: string } {
  const etag = response.headers.get('etag') ?? undefined;
  // Only a strong ETag may be sent in If-Range (RFC 9110 §13.1.5).
  return { etag: etag?.startsWith('W/') ? undefined : etag, lastModified: response.headers.get('last-modified') ?? undefined };
}

export function contentLength(response: Response): number | undefined {
  const value = response.headers.get('content-length');
  return value !== null && /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

export function reprDigestOf(response: Response): string | undefined {
  return response.headers.get('repr-digest') ?? undefined;
}

/** `bytes first-last/size` (RFC 9110 §14.4), or undefined. */
export function parseContentRange(value: string | null): { first: number; last: number; size: number } | undefined {
  const range = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(value ?? '');
  return range ? { first: Number(range[1]), last: Number(range[2]), size: Number(range[3]) } : undefined;
}

/** Drops a response's body we will not read, so its connection does not stay open for it. */
export async function discardBody(response: Response): Promise<void> {
  if (response.body !== null && !response.bodyUsed) await response.body.cancel().catch(() => undefined);
}

/**
 * The failure a non-success answer means. Reads (and so releases) the body: a 403 of a signed link
 * and a 412 of a pinned one say why in a JSON `reason`, and an expired link is said plainly.
 */
export async function httpError(response: Response): Promise<FetchError> {
  let reason: unknown;
  try {
    reason = (JSON.parse(await response.text()) as { reason?: unknown }).reason;
  } catch {
    await discardBody(response);
  }
  const status = `HTTP ${response.status} ${response.statusText}${typeof reason === 'string' ? `, reason: ${reason}` : ''}`;
  if (response.status === 403 && reason === 'expired') {
    return new FetchError(
      `the link has EXPIRED (${status}). Get a new link to the same file and run again with it: what was downloaded so far is kept and resumed`,
      EXIT.expired,
    );
  }
  if (response.status === 412 && reason === 'changed') {
    return new FetchError(
      `the link is pinned to a version of the file that is no longer on the server (${status}); get a new link`,
      EXIT.failed,
    );
  }
  return new FetchError(`${status} for ${urlWithoutSignature(response.url)}`, EXIT.failed);
}

export function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const cause = (error as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  // fetch wraps the socket error; for a host with several addresses it is an AggregateError.
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

export function describe(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * `promise`, or a rejection with the signal's reason as soon as the signal aborts, whichever comes
 * first, so that awaiting it cannot outlive an abort. Without a signal, `promise` itself.
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // it may still fail later; nobody waits for it any more
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
