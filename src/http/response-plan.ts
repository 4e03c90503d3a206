/**
 * The response planner: everything a GET or HEAD of a file answers, decided from plain values
 * before a byte is read. It reads top to bottom as RFC 9110 tells it (like Go's serveContent): the
 * representation's validators (§8.8), the version pin, the conditional headers in §13.2.2 order with
 * If-Range (§13.1.5), then the ranges (§14), and returns the status, every header, and what the
 * body is. The controller only applies the plan. Pure: no I/O, no framework, no clock.
 */
import { formatContentDisposition, type DispositionType } from './content-disposition.js';
import { formatDigestField, parseWantDigest, selectDigestAlgorithms, type DigestAlgorithm } from './digest-fields.js';
import { mediaTypeFor } from './media-type.js';
import { contentRange, multipartLayout, type MultipartLayout } from './multipart.js';
import { checkPreconditions } from './preconditions.js';
import { parseRangeHeader, rangeLength, type ByteRange } from './range.js';
import { formatHttpDate, strongETag } from './validators.js';

/** The request header values the plan depends on (a repeated field joined with ", "). */
export interface RequestFacts {
  readonly method: string;
  readonly range?: string;
  readonly ifRange?: string;
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
  readonly wantReprDigest?: string;
  readonly wantContentDigest?: string;
}

/** What the plan needs of the file version: its size and modification time give the validators. */
export interface FileFacts {
  /** The requested name: media type, and the default download name. */
  readonly name: string;
  readonly size: number;
  readonly mtimeNs: bigint;
}

/** Whole-file digests already computed for this version, by algorithm (RFC 9530). */
export type KnownDigests = ReadonlyMap<DigestAlgorithm, Uint8Array>;

export interface PlanInput {
  readonly request: RequestFacts;
  readonly file: FileFacts;
  /** The response's Date: the §8.8.2.2 strong Last-Modified rule and two-digit years need it. */
  readonly nowMs: number;
  /** Most ranges honoured in one Range header (MAX_RANGES). */
  readonly maxRanges: number;
  readonly digests: KnownDigests;
  /** RFC 6266: the disposition type, and the name to save as (the requested name when absent). */
  readonly disposition: { readonly type: DispositionType; readonly filename?: string };
  /** The version a `?v=` URL is pinned to: the strong ETag without its quotes. */
  readonly pin?: string;
  /** Let in by a credential: no shared cache may keep the response. */
  readonly authenticated: boolean;
  /** CACHE_CONTROL for plain (unpinned) URLs; none sent when absent. */
  readonly cachePolicy?: string;
  /** A fresh multipart boundary; only called when the answer is multipart/byteranges. */
  readonly newBoundary: () => string;
}

export type Header = readonly [name: string, value: string];
/** Response headers in the order they are set (CORS answers and folder answers use it too). */
export type HeaderList = readonly Header[];

/** Why a planned response is an error; the adapter turns each into its typed error. */
export type PlannedError = 'precondition-failed' | 'version-changed' | 'range-not-satisfiable';

export type BodyPlan =
  | { readonly kind: 'none' }
  /** One inclusive byte range of the file (the whole file, or an empty range for an empty file). */
  | { readonly kind: 'bytes'; readonly range: ByteRange }
  | { readonly kind: 'multipart'; readonly layout: MultipartLayout }
  | { readonly kind: 'error'; readonly error: PlannedError };

export interface ResponsePlan {
  readonly status: number;
  readonly headers: readonly Header[];
  readonly body: BodyPlan;
}

/** A year, the longest max-age RFC 9111 §5.2.2.1 suggests; `immutable` is RFC 8246. */
export const IMMUTABLE_CACHE_CONTROL = 'max-age=31536000, immutable';

export function planResponse(input: PlanInput): ResponsePlan {
  const { request, file } = input;
  // §8.8.3 strong ETag from size and mtime only, so every replica agrees; §8.8.2 Last-Modified.
  const etag = strongETag(file.size, file.mtimeNs);
  const lastModifiedMs = Number(file.mtimeNs / 1_000_000n);
  const lastModified = formatHttpDate(lastModifiedMs);
  const validators = (): Header[] => [
    ['ETag', etag],
    ['Last-Modified', lastModified],
    ['Accept-Ranges', 'bytes'],
  ];

  // A pinned URL names one version; any other answers 412, whatever the client sends, so a
  // client that resumes without If-Range (curl -C -, wget -c) can never splice two versions.
  const pinned = input.pin !== undefined;
  if (pinned && `"${input.pin}"` !== etag) return errorPlan(412, validators(), 'version-changed');

  const conditions = checkPreconditions(request, { etag, lastModifiedMs }, input.nowMs);
  if (conditions.kind === 'precondition-failed') return errorPlan(412, validators(), 'precondition-failed');

  // The success headers grow in one list: representation metadata first, then content headers.
  // RFC 9530 §3: the whole representation's digest, also on 206 and 304 (README); never on errors.
  const headers = validators();
  const reprDigest = digestField(input.digests, request.wantReprDigest);
  if (reprDigest !== undefined) headers.push(['Repr-Digest', reprDigest]);
  const cacheControl = cacheControlFor({ pinned, authenticated: input.authenticated, policy: input.cachePolicy });
  if (cacheControl !== undefined) headers.push(['Cache-Control', cacheControl]);

  // §15.4.5: a 304 carries what a 200 would have said about caching and validators, no content headers.
  if (conditions.kind === 'not-modified') return { status: 304, headers, body: NO_BODY };

  const ranges = conditions.range === undefined ? FULL : parseRangeHeader(conditions.range, file.size, input);
  if (ranges.kind === 'unsatisfiable') {
    // §15.5.17: the complete length, so the client can ask again.
    return errorPlan(416, [...validators(), ['Content-Range', `bytes */${file.size}`]], 'range-not-satisfiable');
  }

  const contentType = mediaTypeFor(file.name);
  headers.push(['Content-Disposition', formatContentDisposition(input.disposition.type, input.disposition.filename ?? file.name)]);

  if (ranges.kind === 'full') {
    headers.push(['Content-Type', contentType], ['Content-Length', String(file.size)]);
    // RFC 9530 §2: the content of a 200 is the whole representation, so its digest is already known.
    // Usually neither Want- field is sent, and the Repr-Digest value is the answer.
    const contentDigest =
      request.method !== 'GET'
        ? undefined
        : request.wantContentDigest === request.wantReprDigest
          ? reprDigest
          : digestField(input.digests, request.wantContentDigest);
    if (contentDigest !== undefined) headers.push(['Content-Digest', contentDigest]);
    const body: BodyPlan = request.method === 'HEAD' ? NO_BODY : { kind: 'bytes', range: { start: 0, end: file.size - 1 } };
    return { status: 200, headers, body };
  }

  if (ranges.ranges.length === 1) {
    const [range] = ranges.ranges;
    headers.push(
      ['Content-Type', contentType],
      ['Content-Length', String(rangeLength(range))],
      ['Content-Range', contentRange(range, file.size)],
    );
    return { status: 206, headers, body: { kind: 'bytes', range } };
  }

  // §14.6: several ranges are sent as multipart/byteranges, each part with its own Content-Range.
  const layout = multipartLayout(ranges.ranges, file.size, contentType, input.newBoundary());
  headers.push(['Content-Type', layout.contentType], ['Content-Length', String(layout.contentLength)]);
  return { status: 206, headers, body: { kind: 'multipart', layout } };
}

const NO_BODY: BodyPlan = { kind: 'none' };
const FULL = { kind: 'full' } as const;

/** The digest algorithms a request's answer may carry: look these up before planning. */
export function wantedDigestAlgorithms(request: Pick<RequestFacts, 'wantReprDigest' | 'wantContentDigest'>): DigestAlgorithm[] {
  const repr = selectDigestAlgorithms(parseWantDigest(request.wantReprDigest));
  if (request.wantContentDigest === request.wantReprDigest) return repr;
  const content = selectDigestAlgorithms(parseWantDigest(request.wantContentDigest));
  return [...repr, ...content.filter((algorithm) => !repr.includes(algorithm))];
}

/**
 * Cache-Control of a successful answer (and its 304). A version-pinned URL that matches can never
 * change its bytes: a year and `immutable`. A response to a credential is `private` (RFC 9111
 * §5.2.2.7), so a shared cache never hands it to someone else. Otherwise the configured policy.
 */
export function cacheControlFor(context: { pinned: boolean; authenticated: boolean; policy?: string }): string | undefined {
  const audience = context.authenticated ? 'private' : 'public';
  if (context.pinned) return `${audience}, ${IMMUTABLE_CACHE_CONTROL}`;
  if (!context.authenticated) return context.policy;
  if (context.policy === undefined) return 'private';
  // The policy is a validated setting, not request data: split on commas freely.
  const kept = context.policy
    .split(',')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && !/^(public|private|s-maxage)\b/i.test(directive));
  return ['private', ...kept].join(', ');
}

function digestField(digests: KnownDigests, want: string | undefined): string | undefined {
  if (digests.size === 0) return undefined;
  const known: Array<readonly [DigestAlgorithm, Uint8Array]> = [];
  for (const algorithm of selectDigestAlgorithms(parseWantDigest(want))) {
    const digest = digests.get(algorithm);
    if (digest !== undefined) known.push([algorithm, digest]);
  }
  return known.length > 0 ? formatDigestField(known) : undefined;
}

function errorPlan(status: 412 | 416, headers: readonly Header[], error: PlannedError): ResponsePlan {
  return { status, headers, body: { kind: 'error', error } };
}
