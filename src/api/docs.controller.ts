import { Controller, Get, Header, Injectable, Param, Res } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FileNotFoundError } from '../files/errors.js';

/** Holds the OpenAPI document, built on first use (scanning the controllers takes a moment at start-up otherwise). */
@Injectable()
export class OpenApiDocument {
  private factory: (() => OpenAPIObject) | undefined;
  private document: OpenAPIObject | undefined;

  /** Called once by configureApp (src/app.setup.ts), which has the application the scanner needs. */
  provide(factory: () => OpenAPIObject): void {
    this.factory = factory;
    this.document = undefined;
  }

  get(): OpenAPIObject {
    if (this.factory === undefined) throw new Error('OpenApiDocument.provide was never called (configureApp does it)');
    this.document ??= this.factory();
    return this.document;
  }
}

/**
 * Swagger UI's page and only its script may run, and only from here: no CDN, no inline script or
 * style, no validator badge fetched from swagger.io (`validatorUrl: null`). The CSS draws its
 * icons with data: SVG images, hence `img-src 'self' data:`; nothing else is allowed beyond self.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const DOCS_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Resumable download service: API</title>
<link rel="stylesheet" href="/.api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/.api/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/.api/docs/swagger-ui-bundle.js"></script>
<script src="/.api/docs/docs-init.js"></script>
</body>
</html>
`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/.api/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true });\n`;

/** The files of the swagger-ui-dist package the page uses, and nothing else of it. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const require = createRequire(import.meta.url);

/**
 * `GET /.api/openapi.json` and Swagger UI at `/.api/docs`. Our own page rather than
 * SwaggerModule.setup's: that one inlines its script options and styles, which a self-only
 * Content-Security-Policy would block.
 */
@ApiExcludeController()
@Controller()
export class DocsController {
  private readonly assets = new Map<string, Buffer>();

  constructor(private readonly document: OpenApiDocument) {}

  @Get('.api/openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  openapi(): string {
    return JSON.stringify(this.document.get());
  }

  @Get('.api/docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCS_CSP)
  @Header('Referrer-Policy', 'no-referrer')
  page(): string {
    return DOCS_PAGE;
  }

  @Get('.api/docs/docs-init.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  init(): string {
    return DOCS_INIT;
  }

  @Get('.api/docs/:asset')
  asset(@Param('asset') name: string, @Res() res: Response): void {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (type === undefined) throw new FileNotFoundError();
    let bytes = this.assets.get(name);
    if (bytes === undefined) {
      bytes = readFileSync(join(swaggerUiFolder(), name));
      this.assets.set(name, bytes);
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.end(bytes);
  }
}

function swaggerUiFolder(): string {
  const absolutePath = require('swagger-ui-dist/absolute-path.js') as () => string;
  return absolutePath();
}
