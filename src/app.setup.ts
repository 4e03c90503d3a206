import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiModule } from './api/api.module.js';
import { CorsMiddleware } from './api/cors.middleware.js';
import { OpenApiDocument } from './api/docs.controller.js';
import { buildOpenApiDocument } from './api/openapi.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { serveInTurns } from './http/request-turns.js';
import { readFileSync } from 'node:fs';
import { OperationsConfig } from './operations/operations-config.js';
import { RequestObserver } from './operations/request-observer.js';

/** Everything main.ts applies to the app, shared with the end-to-end tests. */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // We compute strong validators ourselves; Express's weak body ETag and freshness check must not interfere.
  express.set('etag', false);
  // TRUST_PROXY: Express's req.ip (proxy-addr) then takes the entry that one proxy hop appended to
  // X-Forwarded-For, which a client cannot forge; otherwise it is the socket's peer. (The access
  // log applies the same rule itself.)
  express.set('trust proxy', app.get(OperationsConfig).trustProxy ? 1 : false);
  const server = express.getHttpServer();
  // Express answers at most REQUESTS_PER_TURN new requests per event-loop turn, the rest in the
  // next turns in arrival order, so a burst of new connections is accepted at a steady pace.
  serveInTurns(server, express.getHttpAdapter().getInstance());
  // The access log and metrics see every request, whatever answers it, and it adds X-Request-Id and
  // X-Content-Type-Options: from the HTTP server, ahead of Express (so no router layer of its own)
  // and of the turns (so a request's duration includes its wait).
  app.get(RequestObserver).attach(server);
  // CORS is Express's first middleware, ahead of every route (Nest registers its routes at
  // listen/init, after these), guard or lookup: preflights are answered here, and every response
  // to an allowed origin (errors included) carries its headers.
  express.use(app.get(CorsMiddleware).handle);
  app.get(OpenApiDocument).provide(() => buildOpenApiDocument(app, [ApiModule], packageVersion()));
  app.useGlobalFilters(new HttpErrorFilter());
  // SIGTERM/SIGINT run GracefulShutdown (drain within SHUTDOWN_GRACE_MS), then exit 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
}

/** package.json is next to src/ and dist/ alike. */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
