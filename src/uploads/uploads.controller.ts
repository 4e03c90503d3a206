import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { serveTus } from './tus-adapter.js';
import { TusUploads, UPLOADS_PATH } from './tus-uploads.service.js';
import { UnsupportedMediaTypeError, UploadMethodNotAllowedError, UploadsOffError } from './upload-errors.js';
import { UploadAccessGuard } from './upload-access.guard.js';

/** tus 1.0 methods. GET is not one: tus would serve the partial bytes, which must never be downloadable. */
const TUS_METHODS = new Set(['OPTIONS', 'POST', 'HEAD', 'PATCH', 'DELETE']);

/** tus 1.0 under /.uploads/, handed to @tus/server once access and the method are settled. */
@Controller()
@UseGuards(UploadAccessGuard)
export class UploadsController {
  constructor(private readonly tus: TusUploads) {}

  @All([UPLOADS_PATH, `${UPLOADS_PATH}/*rest`])
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.tus.server === undefined) throw new UploadsOffError();
    if (!TUS_METHODS.has(req.method)) throw new UploadMethodNotAllowedError();
    // tus 1.0 asks for 415 here; @tus/server answers 400 (wrong type) or 403 (none).
    if (req.method === 'PATCH' && req.headers['content-type'] !== 'application/offset+octet-stream') throw new UnsupportedMediaTypeError();
    await serveTus(this.tus.server, req, res);
  }
}
