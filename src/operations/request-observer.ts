import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import proxyaddr from 'proxy-addr';
import { accessLogFields } from '../access/access-log.js';
import { MetricsService, type RangesSent } from './metrics.service.js';
import { OperationsConfig } from './operations-config.js';
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
  /** The socket's peer, or with TRUST_PROXY the address the proxy appended to X-Forwarded-For (Express's req.ip). */
  clientAddress: string | null;
  userAgent: string | null;
  /** `public`, `link:KEYID`, `token:NAME`, or `none` when refused; never a signature or token. */
  auth: string;
  /** Why the credentials were refused (bad-signature, expired, ...), else null. */
  authDenied: string | null;
}

/**
 * TRUST_PROXY's rule, as Express compiles `trust proxy` = 1 for req.ip: the socket's peer is the
 * one proxy, and the entry it appended to X-Forwarded-For is the client; earlier entries are the
 * client's own claims.
 */
const ONE_PROXY_HOP = (_address: string, hop: number): boolean => hop < 1;

/**
 * Watches every response from the outside: one access log line and the metrics, when the response
 * is done or its connection is gone. It changes nothing in the response except adding
 * `X-Request-Id` and `X-Content-Type-Options: nosniff`.
 *
 * It listens on the HTTP server itself, ahead of Express (configureApp), rather than as an Express
 * middleware: every layer a request passes costs a router turn, and Express's own objects are
 * slower to touch once it has re-prototyped them (bench/README.md, round 3). Everything it reads
 * is Node's: the raw request-target (what Express's originalUrl is), the headers, the socket.
 */
@Injectable()
export class RequestObserver {
  private readonly trustProxy: boolean;

  constructor(
    @Inject(ACCESS_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
    config: OperationsConfig,
  ) {
    this.trustProxy = config.trustProxy;
  }

  /** Observes every request `server` receives from now on, before any other listener sees it. */
  attach(server: Server): void {
    server.prependListener('request', this.observe);
  }

  readonly observe = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && PLAIN_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    // Every answer, errors included: a browser must take Content-Type as sent, never sniff a file as HTML.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const operational = OPERATIONS_PATHS.has(path);
    // Bytes sent = what this response added to the socket's count (status line and headers
    // included). Requests on one keep-alive connection are answered one after another, so the
    // difference belongs to this response alone (HTTP pipelining, which browsers and common
    // clients do not use, would blur it).
    const socket = req.socket;
    const bytesBefore = socket.bytesWritten;
    if (!operational) this.metrics.started();

    // 'close' comes exactly once per response, finished or not: no once() wrapper needed.
    res.on('close', () => {
      const entry: AccessLogEntry = {
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        range: typeof req.headers.range === 'string' ? req.headers.range : null,
        bytesSent: socket.bytesWritten - bytesBefore,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        aborted: wasAborted(res),
        requestId,
        clientAddress: (this.trustProxy ? proxyaddr(req, ONE_PROXY_HOP) : socket.remoteAddress) ?? null,
        userAgent: req.headers['user-agent'] ?? null,
        ...accessLogFields(req),
      };
      if (operational) {
        // Probes and scrapes every few seconds would drown the access log.
        this.logger.debug(entry, 'request');
        return;
      }
      this.metrics.finished(entry, rangesOf(res));
      if (entry.status >= 500) this.logger.error(entry, 'request');
      else this.logger.info(entry, 'request');
    });
  };
}

/**
 * The connection closed before the response handed over its whole body: `end()` was never called.
 * A response that was ended counts as complete even when the client hung up right after its last
 * byte, before Node saw the write finish. (Observed from the response's own state, not by wrapping
 * `write`/`end` per request: the streamed body ends with `end()` only after its last byte was
 * written, and a body that fails or is cut is destroyed instead.)
 */
function wasAborted(res: ServerResponse): boolean {
  return !res.writableEnded;
}

function rangesOf(res: ServerResponse): RangesSent {
  if (res.statusCode !== 206) return 'none';
  return String(res.getHeader('Content-Type') ?? '').startsWith('multipart/byteranges') ? 'multiple' : 'single';
}
