import { Global, Module } from '@nestjs/common';
import { OperationsConfig, operationsConfigProvider } from './operations-config.js';
import { GracefulShutdown } from './graceful-shutdown.service.js';
import { HealthController } from './health.controller.js';
import { createLogger } from './logger.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { OpenFileHandles } from './open-file-handles.js';
import { ACCESS_LOGGER, RequestObserver } from './request-observer.js';

/**
 * Health, metrics, access logs and graceful shutdown. Imported by AppModule before FilesModule,
 * so its routes are registered before the files' catch-all route. Global so FileStorageService
 * can report its open handles without FilesModule importing this module.
 */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    operationsConfigProvider,
    { provide: ACCESS_LOGGER, inject: [OperationsConfig], useFactory: (config: OperationsConfig) => createLogger(config.logLevel) },
    OpenFileHandles,
    MetricsService,
    RequestObserver,
    GracefulShutdown,
  ],
  exports: [OpenFileHandles, ACCESS_LOGGER, RequestObserver, GracefulShutdown, MetricsService],
})
export class OperationsModule {}
