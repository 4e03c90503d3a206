import type { INestApplication, Type } from '@nestjs/common';
import {
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type HeadersObject,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { FILE_EXPOSED_HEADERS } from './cors-routes.js';
import { ErrorDto, FileMetadataDto, FolderListingDto } from './dto.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './listing.js';

/**
 * The OpenAPI document. @nestjs/swagger builds it from the API's controllers and DTOs; three kinds
 * of operation are added here by hand, each for a reason the scanner cannot see:
 * - the folder listings (`/.api/files/`, `/.api/files/{folder}/`) share one Express route with the
 *   metadata (Express matches a path with and without its trailing slash alike), so the scanner
 *   sees only `/.api/files/{path}`;
 * - the file routes are one catch-all route (`*path`, any depth) answering by the raw
 *   request-target, with headers, ranges and statuses no decorator describes;
 * - OPTIONS and the 405 of other methods are answered by middleware and the catch-all.
 * Every schema still comes from the DTO classes (`getSchemaPath`).
 */
export function buildOpenApiDocument(app: INestApplication, modules: Type[], version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Resumable download service')
    .setDescription(
      'Serves files over HTTP so any client can stop a download and resume it byte-exactly: RFC 9110 ranges and ' +
        'conditional requests, RFC 9530 Repr-Digest, version-pinned URLs. `/{path}` is the file itself; `/.api/` ' +
        'describes files and folders as JSON.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (ACCESS=private); see README "Private files".' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: modules,
    extraModels: [FolderListingDto, ErrorDto, FileMetadataDto],
  });
  // The scanner's entry for `/.api/files` without the slash is the redirect to the top listing.
  delete document.paths['/.api/files'];
  document.paths = {
    ...FILE_PATHS,
    '/.api/files/': { get: listingOperation('listTopFolder', false) },
    '/.api/files/{folder}/': { get: listingOperation('listFolder', true) },
    ...document.paths,
  };
  return document;
}

const error = (description: string, headers: HeadersObject = {}): ResponseObject => ({
  description,
  headers: { ...CORS_HEADERS, ...headers },
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
});

const header = (description: string, example?: string): HeadersObject[string] => ({ description, schema: { type: 'string', example } });

/** Sent on every response to an allowed origin when CORS_ORIGINS is set (README "CORS"). */
const CORS_HEADERS: HeadersObject = {
  'Access-Control-Allow-Origin': header('With CORS_ORIGINS set, to an allowed origin (or `*`).'),
  'Access-Control-Expose-Headers': header('With CORS_ORIGINS set.', FILE_EXPOSED_HEADERS.join(', ')),
  Vary: header('`Origin` when CORS_ORIGINS is a list; `Accept` on folder URLs.'),
  'X-Request-Id': header('The request id of the access log.'),
};

const REPRESENTATION_HEADERS: HeadersObject = {
  ETag: header('Strong validator from size and modification time (identical on every replica).', '"5c-18eac6dfadc0bb67"'),
  'Last-Modified': header('HTTP-date.', 'Mon, 23 Nov 2026 20:34:25 GMT'),
  'Repr-Digest': header(
    'RFC 9530: SHA-256 of the whole file, once computed (never delays a response).',
    'sha-256=:bk0AvRzgnRQWy+kTjlJCuG/hYffQluoEoL1IxiGhM50=:',
  ),
  'Cache-Control': header(
    'At a version-pinned URL (`v` = current version): `public, max-age=31536000, immutable` (`private, ...` when authenticated); otherwise CACHE_CONTROL, if set.',
  ),
};

const CONTENT_HEADERS: HeadersObject = {
  'Accept-Ranges': header('Always `bytes`.', 'bytes'),
  'Content-Length': { description: 'Bytes in this response.', schema: { type: 'integer' } },
  'Content-Disposition': header(
    'RFC 6266: CONTENT_DISPOSITION with the file name; `attachment` with `dl=1`.',
    'inline; filename="hello.txt"',
  ),
};

const queryParameter = (name: string, description: string, schema: ParameterObject['schema']): ParameterObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const headerParameter = (name: string, description: string, example?: string): ParameterObject => ({
  name,
  in: 'header',
  required: false,
  description,
  schema: { type: 'string', example },
});

const PATH_PARAMETER: ParameterObject = {
  name: 'path',
  in: 'path',
  required: true,
  description:
    'Path of the file below the roots. It may contain slashes (`videos/2024/a.mp4`); each segment is percent-encoded once. ' +
    'Encoded slashes (`%2F`) are refused with 400, so in Swagger UI try a file of the top folder.',
  schema: { type: 'string', example: 'hello.txt' },
};

const LINK_PARAMETERS: ParameterObject[] = [
  queryParameter('v', 'Pinned version: the strong ETag without its quotes. If the file is no longer that version: 412 `reason: changed`.', {
    type: 'string',
    example: '5c-18eac6dfadc0bb67',
  }),
  queryParameter('dl', '`1`: send `Content-Disposition: attachment` with the file name.', { type: 'string', enum: ['1'] }),
  queryParameter('filename', 'Save-as name; only in a signed link (unsigned: 400).', { type: 'string' }),
  queryParameter('exp', 'Signed link: expiry, Unix seconds.', { type: 'integer' }),
  queryParameter('kid', 'Signed link: key id.', { type: 'string' }),
  queryParameter('sig', 'Signed link: base64url HMAC-SHA256 (README "Private files").', { type: 'string' }),
  queryParameter('scope', 'Signed link: folder prefix ending in `/` the link opens.', { type: 'string' }),
];

const CONDITIONAL_PARAMETERS: ParameterObject[] = [
  headerParameter('If-Match', 'RFC 9110 §13.1.1: strong comparison; false gives 412.'),
  headerParameter('If-Unmodified-Since', 'RFC 9110 §13.1.4: false gives 412.'),
  headerParameter('If-None-Match', 'RFC 9110 §13.1.2: weak comparison; true gives 304.'),
  headerParameter('If-Modified-Since', 'RFC 9110 §13.1.3: true gives 304.'),
  headerParameter('Want-Repr-Digest', 'RFC 9530 §4: preferred algorithms (sha-256, sha-512).', 'sha-512=10, sha-256=1'),
];

const GET_PARAMETERS: ParameterObject[] = [
  PATH_PARAMETER,
  headerParameter('Range', 'RFC 9110 §14.2: `bytes=a-b`, `bytes=a-`, `bytes=-n`, or several (multipart/byteranges).', 'bytes=0-1023'),
  headerParameter(
    'If-Range',
    'RFC 9110 §13.1.5: the range only if this strong ETag (or exact strong date) is current; otherwise 200 with the whole file.',
  ),
  ...CONDITIONAL_PARAMETERS,
  headerParameter('Want-Content-Digest', 'RFC 9530 §4: algorithms for Content-Digest on a 200.'),
  ...LINK_PARAMETERS,
];

const FOLDER_PARAMETER: ParameterObject = {
  name: 'folder',
  in: 'path',
  required: true,
  description: 'Path of the folder below the roots, without the trailing slash; may contain slashes.',
  schema: { type: 'string', example: 'docs' },
};

const LISTING_PARAMETERS: ParameterObject[] = [
  queryParameter('limit', 'Most entries in the page.', { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  queryParameter('cursor', 'Opaque: the `nextCursor` of the previous page; stays valid while files are added or removed.', {
    type: 'string',
  }),
];

const ACCESS_RESPONSES: Record<string, ResponseObject> = {
  '401': error('ACCESS=private and no credentials.', { 'WWW-Authenticate': header('The bearer challenge.', 'Bearer realm="files"') }),
  '403': error(
    'Bad signature, expired or out-of-scope link, or bad token; `reason` says which: `bad-signature`, `expired`, `out-of-scope`, `bad-token`.',
  ),
  '429': error('Too many failed authentications from this client address.', { 'Retry-After': header('Seconds.') }),
};

const FILE_ERRORS: Record<string, ResponseObject> = {
  '301': {
    description: 'A folder is at that path: `Location` is its folder URL (trailing slash).',
    headers: { ...CORS_HEADERS, Location: header('The folder URL.', '/docs/') },
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
  },
  '400': error('Invalid path (`..`, encoded slashes, NUL, empty segments), or an unsigned `filename`.'),
  ...ACCESS_RESPONSES,
  '404': error('No regular file there (missing, a folder, a dot-file, a symlink out of the root).'),
};

const FILE_GET: OperationObject = {
  operationId: 'downloadFile',
  tags: ['download'],
  summary: 'Download a file, whole or in ranges',
  security: [{}, { bearer: [] }],
  parameters: GET_PARAMETERS,
  responses: {
    '200': {
      description: 'The whole file (no Range, an ignored Range, or If-Range not matching the current version).',
      headers: {
        ...CORS_HEADERS,
        ...REPRESENTATION_HEADERS,
        ...CONTENT_HEADERS,
        'Content-Digest': header('RFC 9530: digest of this content, on a 200 to GET.'),
      },
      // The type comes from the file name's extension (application/octet-stream when unknown).
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    },
    '206': {
      description: 'Partial content: one range, or several as multipart/byteranges.',
      headers: {
        ...CORS_HEADERS,
        ...REPRESENTATION_HEADERS,
        ...CONTENT_HEADERS,
        'Content-Range': header('For one range: `bytes a-b/size`.', 'bytes 0-1023/4096'),
      },
      content: {
        '*/*': { schema: { type: 'string', format: 'binary' } },
        'multipart/byteranges': { schema: { type: 'string', format: 'binary' } },
      },
    },
    '304': { description: 'Not modified (If-None-Match or If-Modified-Since).', headers: { ...CORS_HEADERS, ...REPRESENTATION_HEADERS } },
    ...FILE_ERRORS,
    '412': error('If-Match or If-Unmodified-Since is false, or a pinned `v` is no longer the current version (`reason: changed`).'),
    '416': error('No range overlaps the file.', { 'Content-Range': header('`bytes */size`.', 'bytes */4096') }),
  },
};

const FILE_HEAD: OperationObject = {
  operationId: 'headFile',
  tags: ['download'],
  summary: 'The headers of a download, without the body (Range is ignored on HEAD, RFC 9110 §14.2)',
  security: [{}, { bearer: [] }],
  parameters: [PATH_PARAMETER, ...CONDITIONAL_PARAMETERS, ...LINK_PARAMETERS],
  responses: {
    '200': { description: 'The headers of the whole file.', headers: { ...CORS_HEADERS, ...REPRESENTATION_HEADERS, ...CONTENT_HEADERS } },
    '304': { description: 'Not modified.', headers: { ...CORS_HEADERS, ...REPRESENTATION_HEADERS } },
    ...FILE_ERRORS,
    '412': error('A precondition is false, or a pinned `v` is no longer current.'),
  },
};

const OPTIONS: OperationObject = {
  operationId: 'options',
  tags: ['download'],
  summary: 'Allowed methods, and the CORS preflight',
  description:
    'Always 204, decided before any lookup. A preflight (with `Origin` and `Access-Control-Request-Method`) from an allowed origin also gets the `Access-Control-Allow-*` headers.',
  parameters: [
    headerParameter('Origin', 'The script origin.'),
    headerParameter('Access-Control-Request-Method', 'GET or HEAD.'),
    headerParameter('Access-Control-Request-Headers', 'e.g. `range,if-range`.'),
  ],
  responses: {
    '204': {
      description: 'No content.',
      headers: {
        Allow: header('The methods.', 'GET, HEAD, OPTIONS'),
        'Access-Control-Allow-Origin': header('Preflight from an allowed origin.'),
        'Access-Control-Allow-Methods': header('Preflight from an allowed origin.', 'GET, HEAD'),
        'Access-Control-Allow-Headers': header('Preflight from an allowed origin.'),
        'Access-Control-Max-Age': header('Seconds.', '600'),
        Vary: header('What the grant depends on.'),
      },
    },
  },
};

const notAllowed = (method: string): OperationObject => ({
  operationId: `${method}NotAllowed`,
  tags: ['download'],
  summary: 'Not allowed: files are read-only here',
  parameters: [PATH_PARAMETER],
  responses: { '405': error('Method not allowed.', { Allow: header('The methods a file has.', 'GET, HEAD') }) },
});

function folderOperation(operationId: string, withFolder: boolean): OperationObject {
  return {
    operationId,
    tags: ['download'],
    summary: withFolder ? 'A folder URL: the HTML index or the JSON listing' : 'The top folder: the HTML index or the JSON listing',
    description:
      'Content negotiation on `Accept` (`Vary: Accept`): `text/html` preferred (browsers) gives the HTML index, anything else the JSON listing. ' +
      "LISTING=off: 404. The index runs no script and loads nothing (Content-Security-Policy `default-src 'none'`).",
    security: [{}, { bearer: [] }],
    parameters: [...(withFolder ? [FOLDER_PARAMETER] : []), ...LISTING_PARAMETERS],
    responses: listingResponses(true),
  };
}

const FILE_PATHS: Record<string, PathItemObject> = {
  '/': { get: folderOperation('indexTopFolder', false) },
  '/{folder}/': { get: folderOperation('indexFolder', true) },
  '/{path}': {
    get: FILE_GET,
    head: FILE_HEAD,
    options: OPTIONS,
    post: notAllowed('post'),
    put: notAllowed('put'),
    delete: notAllowed('delete'),
    patch: notAllowed('patch'),
  },
};

function listingResponses(html: boolean): Record<string, ResponseObject> {
  return {
    '200': {
      description: 'One page of the folder: merged across the roots (first root wins for a file name), sorted by name in code-point order.',
      headers: html
        ? {
            ...CORS_HEADERS,
            'Content-Security-Policy': header('On the HTML index.', "default-src 'none'; style-src 'sha256-...'; frame-ancestors 'none'"),
          }
        : CORS_HEADERS,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(FolderListingDto) } },
        ...(html ? { 'text/html': { schema: { type: 'string' } } } : {}),
      },
    },
    '400': error('Bad `limit` (not an integer in 1–10000), bad `cursor`, an unknown query parameter, or an invalid path.'),
    ...ACCESS_RESPONSES,
    '404': error('No folder there, or LISTING=off.'),
  };
}

function listingOperation(operationId: string, withFolder: boolean): OperationObject {
  return {
    operationId,
    tags: ['files'],
    summary: withFolder ? 'List a folder' : 'List the top folder',
    security: [{}, { bearer: [] }],
    parameters: [...(withFolder ? [FOLDER_PARAMETER] : []), ...LISTING_PARAMETERS],
    responses: listingResponses(false),
  };
}
