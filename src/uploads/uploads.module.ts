import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { TusUploads } from './tus-uploads.service.js';
import { UploadAccessGuard } from './upload-access.guard.js';
import { UploadAuthorizer, WriteTokenAuthorizer } from './upload-authorizer.js';
import { AccessConfig } from '../access/access-config.js';
import { EnvironmentVariables } from '../config/environment.js';
import { UploadHasher } from './upload-hasher.js';
import { UploadMetrics } from './upload-metrics.js';
import { UploadsController } from './uploads.controller.js';
import { uploadsConfigProvider } from './uploads-config.js';

/**
 * Resumable uploads (tus 1.0) into UPLOAD_ROOT under /.uploads/. Imported by AppModule before
 * FilesModule, so its routes come before the files' catch-all route. Uses FilesModule's
 * DigestService to make a published file's digest known at once.
 */
@Module({
  imports: [FilesModule],
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
export class UploadsModule {}
