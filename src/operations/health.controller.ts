import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { AppConfig } from '../config/app-config.js';
import { GracefulShutdown } from './graceful-shutdown.service.js';
import { LIVENESS_PATH, READINESS_PATH } from './operations-paths.js';

interface HealthBody {
  status: 'ok' | 'unavailable';
  reason?: string;
}

/**
 * Liveness: the process answers. Readiness: it should get traffic, meaning it is not shutting
 * down and every root is still a readable directory (checked on each call; a stat and an
 * access(2) per root are cheap). Both are under dot-paths, which no file can shadow.
 */
@Controller()
export class HealthController {
  constructor(
    private readonly config: AppConfig,
    private readonly shutdown: GracefulShutdown,
  ) {}

  @Get(LIVENESS_PATH)
  @Header('Cache-Control', 'no-store')
  @HttpCode(200)
  live(): HealthBody {
    return { status: 'ok' };
  }

  @Get(READINESS_PATH)
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthBody> {
    const reason = this.shutdown.draining ? 'shutting down' : await this.unreadableRoot();
    if (reason === undefined) return { status: 'ok' };
    res.status(503);
    return { status: 'unavailable', reason };
  }

  /** Deliberately answers only "root N": the readiness body never shows a path of the server's disk. */
  private async unreadableRoot(): Promise<string | undefined> {
    for (const [index, root] of this.config.roots.entries()) {
      try {
        if (!(await stat(root)).isDirectory()) return `root ${index + 1} is not a directory`;
        await access(root, constants.R_OK | constants.X_OK);
      } catch {
        return `root ${index + 1} is not readable`;
      }
    }
    return undefined;
  }
}
