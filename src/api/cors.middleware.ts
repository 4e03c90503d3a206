import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { answerOptions, corsResponseHeaders, type AllowedOrigins } from '../http/cors.js';
import type { HeaderList } from '../http/response-plan.js';
import { ApiConfig } from './api-config.js';
import { CorsRoutes } from './cors-routes.js';
import { setHeaders } from '../files/response-adapter.js';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/**
 * Applies the CORS decisions of src/http/cors.ts to every request, before the access guard and
 * any file-system lookup. It runs on every request, so the path without CORS_ORIGINS is a single
 * method check (OPTIONS is answered 204 with `Allow` either way, instead of 405).
 */
@Injectable()
export class CorsMiddleware {
  readonly handle: Middleware;

  constructor(config: ApiConfig, routes: CorsRoutes) {
    const allowed = config.corsOrigins;
    this.handle = allowed === undefined ? optionsOnly(routes) : withCors(allowed, routes);
  }
}

function optionsOnly(routes: CorsRoutes): Middleware {
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const route = routes.forPath(pathOf(req.originalUrl));
    if (route === undefined || route.ownOptions) return next();
    answer(res, answerOptions(undefined, route, { origin: undefined, requestMethod: undefined, requestHeaders: undefined }));
  };
}

function withCors(allowed: AllowedOrigins, routes: CorsRoutes): Middleware {
  return (req, res, next) => {
    const route = routes.forPath(pathOf(req.originalUrl));
    if (route === undefined) return next();
    const origin = header(req, 'origin');
    if (req.method === 'OPTIONS') {
      const requestMethod = header(req, 'access-control-request-method');
      if (!(route.ownOptions && requestMethod === undefined)) {
        answer(
          res,
          answerOptions(allowed, route, { origin, requestMethod, requestHeaders: header(req, 'access-control-request-headers') }),
        );
        return;
      }
    }
    setHeaders(res, corsResponseHeaders(allowed, route, origin));
    next();
  };
}

function answer(res: Response, headers: HeaderList): void {
  res.statusCode = 204;
  setHeaders(res, headers);
  res.end();
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function pathOf(target: string): string {
  const at = target.indexOf('?');
  return at === -1 ? target : target.slice(0, at);
}
