/**
 * Typed failures of the service (downloads, the API, uploads before tus). Each one knows its HTTP
 * status and a short message that never contains a path of the server's disk; `HttpErrorFilter`
 * is the one place that turns them into responses.
 */
export abstract class HttpError extends Error {
  abstract readonly status: number;
  /** A machine-readable cause, sent as `reason` in the body where clients must tell causes apart. */
  readonly reason?: string;

  constructor(
    message: string,
    /** Response headers the answer needs (Allow for 405; the validators and Content-Range for 412 and 416). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
