import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { MetricsService } from './metrics.service.js';
import { OPERATIONS_PATHS } from './operations-paths.js';

export const ACCESS_LOGGER = Symbol('ACCESS_LOGGER');

/** A client-supplied request id is kept (so a proxy's id follows the request) only if it is short and plain. */
const PLAIN_REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The access log line: exactly these fields (plus pino's level, time, pid and msg). */
export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  range: string | null;
  bytesSent: number;
  durationMs: number;
  aborted: boolean;
  requestId: string;
  /** req.ip: the socket's peer, or with TRUST_PROXY the address the proxy appended to X-Forwarded-For. */
  clientAddress: string | null;
  userAgent: string | null;
}

/**
 * Express middleware that watches every response from the outside: one access log line and the
 * metrics, when the response is done or its connection is gone. It changes nothing in the
 * response except adding `X-Request-Id`.
 */
@Injectable()
export class RequestObserver {
  constructor(
    @Inject(ACCESS_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
  ) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && PLAIN_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const path = req.originalUrl.split('?')[0];
    const operational = OPERATIONS_PATHS.has(path);
    // Bytes sent = what this response added to the socket's count (status line and headers
    // included). Requests on one keep-alive connection are answered one after another, so the
    // difference belongs to this response alone (HTTP pipelining, which browsers and common
    // clients do not use, would blur it).
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    const body = countBodyBytes(res);
    if (!operational) this.metrics.started();

    res.once('close', () => {
      const entry: AccessLogEntry = {
        method: req.method,
        path,
        status: res.statusCode,
        range: typeof req.headers.range === 'string' ? req.headers.range : null,
        bytesSent: socket.bytesWritten - bytesBefore,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        aborted: wasAborted(res, body.count),
        requestId,
        clientAddress: req.ip ?? null,
        userAgent: req.headers['user-agent'] ?? null,
      };
      if (operational) {
        // Probes and scrapes every few seconds would drown the access log.
        this.logger.debug(entry, 'request');
        return;
      }
      this.metrics.finished({ ...entry, ranges: rangesOf(res) });
      if (entry.status >= 500) this.logger.error(entry, 'request');
      else this.logger.info(entry, 'request');
    });
    next();
  };
}

/**
 * Counts the body bytes handed to `res` (observing write/end, changing nothing), so a response
 * can be told complete even when the client hung up right after its last byte, before `end()`.
 */
function countBodyBytes(res: Response): { count: number } {
  const body = { count: 0 };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    body.count += chunkLength(chunk);
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') body.count += chunkLength(chunk);
    return end(chunk, ...rest);
  }) as Response['end'];
  return body;
}

function chunkLength(chunk: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  // ArrayBuffer.isView, not instanceof: buffers from Node core may come from another realm (Jest's VM).
  return ArrayBuffer.isView(chunk) ? chunk.byteLength : 0;
}

/** The connection closed before the response was finished and before its announced body was all handed over. */
function wasAborted(res: Response, bodyBytes: number): boolean {
  if (res.writableFinished) return false;
  const announced = Number(res.getHeader('Content-Length'));
  return !(Number.isSafeInteger(announced) && bodyBytes >= announced);
}

function rangesOf(res: Response): 'none' | 'single' | 'multiple' {
  if (res.statusCode !== 206) return 'none';
  return String(res.getHeader('Content-Type') ?? '').startsWith('multipart/byteranges') ? 'multiple' : 'single';
}
