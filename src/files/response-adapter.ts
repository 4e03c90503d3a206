/**
 * The one place where a plan meets Express: writes the status and headers the planner decided and
 * sends the body from the open file. Everything framework-specific about answering a file lives
 * here, documented once:
 *
 * - The controller takes the raw response (`@Res()`), so Nest adds nothing of its own: no default
 *   `Content-Type: application/octet-stream` on a 304 (RFC 9110 §15.4.5), no JSON serialisation of
 *   a read error that would echo a server path. A Nest `StreamableFile` needed a headers-only
 *   subclass and a cast error handler for both; bench/README.md has what it cost per request.
 * - Bodies up to SYNC_READ_MAX are read with one synchronous call, verified, and sent with one
 *   `end()`: no stream machinery for the commonest small request.
 * - Larger bodies are streamed by a SliceReader with backpressure. A read failure before the first
 *   byte answers 500; after it, the connection is cut, so a truncated body never looks complete.
 *   A client that goes away destroys the reader, which closes the descriptor at once.
 */
import type { Response } from 'express';
import { rangeLength } from '../http/range.js';
import type { Header, HeaderList, PlannedError, ResponsePlan } from '../http/response-plan.js';
import { HttpError } from '../common/http-error.js';
import { FileReadError, PreconditionFailedError, RangeNotSatisfiableError, VersionChangedError } from './errors.js';
import { writeError } from '../common/http-error.filter.js';
import type { FolderAnswer } from './folder-route.js';
import type { OpenFile } from './open-file.js';
import { readSliceSync, SliceReader, SYNC_READ_MAX } from './slice-reader.js';

/** Applies `plan` to `res`, consuming `file` (its descriptor is closed when the body is done). Throws typed errors. */
export function sendPlan(res: Response, plan: ResponsePlan, file: OpenFile): void {
  const { body } = plan;
  if (body.kind === 'error') {
    file.descriptor.close();
    throw plannedError(body.error, plan.headers);
  }
  if (body.kind === 'none') {
    file.descriptor.close();
    writeHead(res, plan);
    res.end();
    return;
  }
  if (body.kind === 'bytes' && rangeLength(body.range) <= SYNC_READ_MAX) {
    let bytes: Buffer;
    try {
      bytes = readSliceSync(file, body.range);
    } catch {
      throw new FileReadError(); // nothing is written yet: a clean 500
    } finally {
      file.descriptor.close();
    }
    writeHead(res, plan);
    res.end(bytes);
    return;
  }
  const slices = body.kind === 'bytes' ? [body.range] : [...body.layout.parts.flatMap((part) => [part.header, part.range]), body.layout.trailer];
  stream(res, plan, new SliceReader(file, slices));
}

/** Writes a folder answer (index page or JSON listing); `Vary` is appended to what CORS set. */
export function sendFolderAnswer(res: Response, answer: FolderAnswer, head: boolean): void {
  res.statusCode = answer.status;
  setHeaders(res, answer.headers);
  res.setHeader('Content-Length', Buffer.byteLength(answer.body));
  res.end(head ? undefined : answer.body);
}

/** Sets each header, except that `Vary` is added to: CORS varies on Origin, a folder URL on Accept. */
export function setHeaders(res: Response, headers: HeaderList): void {
  for (const [name, value] of headers) {
    if (name !== 'Vary') {
      res.setHeader(name, value);
      continue;
    }
    const current = res.getHeader('Vary');
    res.setHeader('Vary', current === undefined || current === '' ? value : `${String(current)}, ${value}`);
  }
}

function writeHead(res: Response, plan: ResponsePlan): void {
  res.statusCode = plan.status;
  for (const [name, value] of plan.headers) res.setHeader(name, value);
}

function stream(res: Response, plan: ResponsePlan, body: SliceReader): void {
  writeHead(res, plan);
  body.once('error', () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The first read failed: nothing went out, so the answer can still be a plain error.
    for (const [name] of plan.headers) res.removeHeader(name);
    writeError(res, new FileReadError());
  });
  res.once('close', () => body.destroy());
  body.pipe(res);
}

function plannedError(error: PlannedError, headers: readonly Header[]): HttpError {
  const fields = Object.fromEntries(headers);
  if (error === 'precondition-failed') return new PreconditionFailedError(fields);
  if (error === 'version-changed') return new VersionChangedError(fields);
  return new RangeNotSatisfiableError(fields);
}
