import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { HttpError } from '../common/http-error.js';

/** 400, 413 or 415: the body of an API request could not be read as a small JSON object. */
export class BadBodyError extends HttpError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const failures = new WeakMap<object, BadBodyError>();

/**
 * Express's JSON parser for the API routes alone (the app runs with `bodyParser: false`, so no
 * file request pays for one). A body it cannot parse is not answered here: the failure is kept
 * for `jsonBodyOf`, so the route's guard still decides first (401/403 before 400).
 */
export function jsonBodyParser(limit: string): (req: Request, res: Response, next: NextFunction) => void {
  const parse = json({ limit, strict: true });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error !== undefined) failures.set(req, describeFailure(error, limit));
      next();
    });
  };
}

/** The parsed body, or throws what went wrong with it. */
export function jsonBodyOf(req: Request): unknown {
  const failure = failures.get(req);
  if (failure !== undefined) throw failure;
  if (!req.is('application/json')) throw new BadBodyError(415, 'send the body as JSON with Content-Type: application/json');
  return req.body as unknown;
}

function describeFailure(error: unknown, limit: string): BadBodyError {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  if (type === 'entity.too.large') return new BadBodyError(413, `the body is larger than ${limit}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new BadBodyError(415, 'the body must be UTF-8 JSON');
  return new BadBodyError(400, 'the body is not valid JSON');
}
