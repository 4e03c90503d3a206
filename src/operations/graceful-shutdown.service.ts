import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { OperationsConfig } from './operations-config.js';
import { ACCESS_LOGGER } from './request-observer.js';

/** How often idle keep-alive connections are closed while in-flight downloads drain. */
const IDLE_SWEEP_MS = 50;

/**
 * Graceful shutdown, run by Nest when SIGTERM or SIGINT arrives (main.ts enables the hooks, with
 * process.exit(0) at the end): readiness fails, the listener stops accepting connections, idle
 * keep-alive connections are closed, and in-flight downloads may finish for up to
 * SHUTDOWN_GRACE_MS; whatever is still open then is cut.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private isDraining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: OperationsConfig,
    @Inject(ACCESS_LOGGER) private readonly logger: Logger,
  ) {}

  /** True from the first shutdown signal on; readiness reports 503 from then. */
  get draining(): boolean {
    return this.isDraining;
  }

  /** Readiness fails at once; used by the shutdown below and by tests. */
  startDraining(): void {
    this.isDraining = true;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.startDraining();
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    this.logger.info({ signal, graceMs: this.config.shutdownGraceMs }, 'shutting down: draining in-flight requests');
    const closed = new Promise<void>((done) => server.close(() => done()));
    // A connection that finishes its response becomes idle; close it rather than wait out its keep-alive.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.closeIdleConnections();
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((done) => {
      graceTimer = setTimeout(() => done('grace-over'), this.config.shutdownGraceMs);
    });
    const outcome = await Promise.race([closed.then(() => 'drained' as const), graceOver]);
    clearInterval(sweep);
    clearTimeout(graceTimer);
    if (outcome === 'grace-over') {
      this.logger.warn('grace period over: closing the connections still open');
      server.closeAllConnections();
      await closed;
    }
    this.logger.info('all connections closed');
  }
}
