import { Module, type OnModuleInit } from '@nestjs/common';
import { ApiModule } from '../api/api.module.js';
import { CorsRoutes } from '../api/cors-routes.js';
import { FilesModule } from '../files/files.module.js';
import { TusUploads, UPLOADS_PATH } from './tus-uploads.service.js';
import { UploadAccessGuard } from './upload-access.guard.js';
import { UploadAuthorizer, WriteTokenAuthorizer } from './upload-authorizer.js';
import { AccessConfig } from '../access/access-config.js';
import { EnvironmentVariables } from '../config/environment.js';
import { UploadHasher } from './upload-hasher.js';
import { UploadMetrics } from './upload-metrics.js';
import { UploadsController } from './uploads.controller.js';
import { UploadsConfig, uploadsConfigProvider } from './uploads-config.js';
import { UPLOADS_CORS_ROUTE } from './uploads-cors.js';

/**
 * Resumable uploads (tus 1.0) into UPLOAD_ROOT under /.uploads/. Imported by AppModule before
 * FilesModule, so its routes come before the files' catch-all route. Uses FilesModule's
 * DigestService to make a published file's digest known at once, and ApiModule's CorsRoutes to
 * give /.uploads its CORS profile.
 */
@Module({
  imports: [FilesModule, ApiModule],
  controllers: [UploadsController],
  providers: [
    uploadsConfigProvider,
    UploadMetrics,
    UploadHasher,
    TusUploads,
    UploadAccessGuard,
    {
      provide: UploadAuthorizer,
      inject: [EnvironmentVariables],
      useFactory: (env: EnvironmentVariables) => new WriteTokenAuthorizer(AccessConfig.fromEnvironment(env).tokens),
    },
  ],
})
export class UploadsModule implements OnModuleInit {
  constructor(
    private readonly config: UploadsConfig,
    private readonly corsRoutes: CorsRoutes,
  ) {}

  /** Uploads off: /.uploads answers 404 to everything, OPTIONS and preflights included, and grants nothing. */
  onModuleInit(): void {
    if (this.config.enabled) this.corsRoutes.add(UPLOADS_PATH, UPLOADS_CORS_ROUTE);
    else this.corsRoutes.withhold(UPLOADS_PATH);
  }
}
