import type { RegisteredRoute } from '../api/cors-routes.js';

/**
 * The CORS profile of /.uploads (the app's CORS policy, CORS_ORIGINS, decides which origins get
 * it). Allowed request headers are what tus-js-client sends, in the browser too: tus's own
 * headers, `Content-Type` (application/offset+octet-stream is not safelisted), `Authorization`
 * for the write token, `X-HTTP-Method-Override` (its overridePatchMethod option) and
 * `X-Request-ID` (its addRequestId option), plus RFC 9530 `Repr-Digest`. Exposed are the headers
 * a client reads back: the offset, length, expiry, the Location of a created upload, tus's
 * discovery headers, and the service's request id and error headers.
 *
 * `ownOptions`: a plain OPTIONS is tus's discovery (Tus-Version, Tus-Extension, Tus-Max-Size),
 * answered by tus; only preflights are answered by the CORS middleware.
 */
export const UPLOADS_CORS_ROUTE: RegisteredRoute = {
  methods: ['POST', 'HEAD', 'PATCH', 'DELETE'],
  allowHeaders: [
    'authorization',
    'content-type',
    'tus-resumable',
    'upload-length',
    'upload-offset',
    'upload-metadata',
    'upload-defer-length',
    'upload-concat',
    'upload-checksum',
    'repr-digest',
    'x-http-method-override',
    'x-requested-with',
    'x-request-id',
  ],
  exposeHeaders: [
    'Upload-Offset',
    'Upload-Length',
    'Upload-Expires',
    'Upload-Metadata',
    'Location',
    'Tus-Resumable',
    'Tus-Version',
    'Tus-Extension',
    'Tus-Max-Size',
    'X-Request-Id',
    'Retry-After',
    'WWW-Authenticate',
  ],
  ownOptions: true,
};
