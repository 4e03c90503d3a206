/**
 * The query string of a file URL, read strictly. Pure, linear in the length of the query.
 *
 * Without any signed-link parameter (`exp`, `kid`, `sig`, `scope`) the query may carry `v` (pin
 * the version: 412 when the file is no longer that version) and `dl=1` (attachment), each at
 * most once; other parameters are ignored (cache busters), except `filename`, which only a
 * signature may set (an unsigned one could be used for reflected-file-download tricks): 400.
 *
 * Once a signed-link parameter is present, the query must be exactly `name=value` pairs with
 * the names exp, kid, sig, v, scope, dl, filename, each at most once, exp, kid and sig present,
 * every value canonical (exp in decimal without sign or leading zero, dl exactly 1): anything
 * else is a link we never made, refused like a wrong signature (403 bad-signature). Names and
 * values are decoded as application/x-www-form-urlencoded (`+` is a space), once.
 */
import { KEY_ID } from './signing-keys.js';
import type { PresentedLink } from './signed-link.js';

export const LINK_PARAMETERS: ReadonlySet<string> = new Set(['exp', 'kid', 'sig', 'v', 'scope', 'dl', 'filename']);
/** Their presence makes a query a signed link. */
const SIGNED_ONLY: ReadonlySet<string> = new Set(['exp', 'kid', 'sig', 'scope']);

export type FileQuery =
  /** No signed-link parameter: `v` and `dl` as sent. */
  | { readonly kind: 'plain'; readonly version?: string; readonly download: boolean }
  | { readonly kind: 'signed'; readonly link: PresentedLink }
  /** A malformed signed link: 403 `bad-signature`. */
  | { readonly kind: 'bad-link'; readonly message: string }
  /** A malformed unsigned query: 400. */
  | { readonly kind: 'bad-request'; readonly message: string };

interface Parameter {
  readonly name: string | undefined;
  readonly value: string | undefined;
}

/** Reads the query of `requestTarget` (everything after the first `?`). */
export function parseFileQuery(requestTarget: string): FileQuery {
  const mark = requestTarget.indexOf('?');
  const query = mark === -1 ? '' : requestTarget.slice(mark + 1);
  const parameters = query === '' ? [] : query.split('&').map(splitParameter);
  const signed = parameters.some((parameter) => parameter.name !== undefined && SIGNED_ONLY.has(parameter.name));
  return signed ? readSigned(parameters) : readPlain(parameters);
}

function splitParameter(piece: string): Parameter {
  const equals = piece.indexOf('=');
  if (equals === -1) return { name: decodeForm(piece), value: undefined };
  return { name: decodeForm(piece.slice(0, equals)), value: decodeForm(piece.slice(equals + 1)) };
}

function readPlain(parameters: readonly Parameter[]): FileQuery {
  const seen = new Map<string, string | undefined>();
  for (const { name, value } of parameters) {
    if (name !== 'v' && name !== 'dl' && name !== 'filename') continue; // not ours: ignored
    if (name === 'filename') return { kind: 'bad-request', message: 'filename is only accepted in a signed link' };
    if (seen.has(name)) return { kind: 'bad-request', message: `query parameter ${name} appears more than once` };
    seen.set(name, value);
  }
  const version = seen.get('v');
  if (seen.has('v') && (version === undefined || !isVersion(version))) {
    return { kind: 'bad-request', message: 'v must be a version: the file’s ETag without its quotes' };
  }
  if (seen.has('dl') && seen.get('dl') !== '1') return { kind: 'bad-request', message: 'dl must be 1' };
  return { kind: 'plain', version, download: seen.has('dl') };
}

function readSigned(parameters: readonly Parameter[]): FileQuery {
  const values = new Map<string, string>();
  for (const { name, value } of parameters) {
    if (name === undefined || value === undefined || !LINK_PARAMETERS.has(name)) {
      return badLink('a signed link carries only exp, kid, sig, v, scope, dl and filename, each as name=value');
    }
    if (values.has(name)) return badLink(`${name} appears more than once`);
    values.set(name, value);
  }
  const exp = values.get('exp');
  const kid = values.get('kid');
  const sig = values.get('sig');
  if (exp === undefined || kid === undefined || sig === undefined) return badLink('a signed link needs exp, kid and sig');
  if (!isCanonicalSeconds(exp)) return badLink('exp must be Unix seconds in plain decimal');
  if (!KEY_ID.test(kid)) return badLink('kid is not a key id');
  if (!isSignature(sig)) return badLink('sig is not a signature');
  const scope = values.get('scope');
  if (scope !== undefined && !isScope(scope)) return badLink('scope must be a folder path that starts and ends with /');
  const version = values.get('v');
  if (version !== undefined && !isVersion(version)) return badLink('v is not a version');
  const dl = values.get('dl');
  if (dl !== undefined && dl !== '1') return badLink('dl must be 1');
  const filename = values.get('filename');
  if (filename !== undefined && !isFileName(filename)) return badLink('filename is not a plain file name');
  return { kind: 'signed', link: { kid, sig, expires: Number(exp), scope, version, download: dl === '1', filename } };
}

function badLink(message: string): FileQuery {
  return { kind: 'bad-link', message };
}

/** application/x-www-form-urlencoded decoding of one name or value; undefined when malformed. */
function decodeForm(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined; // a stray `%`, or bytes that are not UTF-8
  }
}

/** 1 to 12 decimal digits, the first not 0: `exp=+1`, `exp=01`, `exp=1.0`, `exp=1e9` are not canonical. */
export function isCanonicalSeconds(text: string): boolean {
  if (text.length === 0 || text.length > 12 || text.charCodeAt(0) === 0x30) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** 43 base64url characters: an unpadded HMAC-SHA256. */
function isSignature(text: string): boolean {
  if (text.length !== 43) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alphanumeric = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alphanumeric && c !== 0x2d && c !== 0x5f) return false;
  }
  return true;
}

/**
 * A version is an entity-tag's opaque content (RFC 9110 §8.8.3 etagc, ASCII only): what goes
 * between the quotes of the file's strong ETag. At most 128 characters.
 */
export function isVersion(text: string): boolean {
  if (text.length === 0 || text.length > 128) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c === 0x22 || c > 0x7e) return false;
  }
  return true;
}

/** `/` or `/a/b/`: plain segments (no `.`, `..`, backslash or control character) between slashes. */
export function isScope(text: string): boolean {
  if (text.length === 0 || text[0] !== '/' || text[text.length - 1] !== '/') return false;
  if (text === '/') return true;
  return text.slice(1, -1).split('/').every(isPlainSegment);
}

/** A name to save as: no path separators, no control characters, at most 255 characters. */
export function isFileName(text: string): boolean {
  return text.length <= 255 && isPlainSegment(text);
}

function isPlainSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..') return false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return false;
  }
  return true;
}

/** True when a decoded path has a control character (a line break would shift the canonical string's lines). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
