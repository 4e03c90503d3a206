import { Global, Module } from '@nestjs/common';
import { FolderRoute } from '../files/folder-route.js';
import { FilesModule } from '../files/files.module.js';
import { apiConfigProvider } from './api-config.js';
import { ApiController } from './api.controller.js';
import { ApiService } from './api.service.js';
import { CorsMiddleware } from './cors.middleware.js';
import { CorsRoutes } from './cors-routes.js';
import { DirectoryService } from './directory.service.js';
import { DocsController, OpenApiDocument } from './docs.controller.js';
import { IndexService } from './index.service.js';

/**
 * For REST and browser consumers: `/.api/files/...` metadata and listings, the HTML index of
 * folder URLs (IndexService, which the file route delegates to), CORS, and the OpenAPI document
 * with Swagger UI. Imported by AppModule before FilesModule, so its dot-routes come before the
 * files' catch-all route. Global, so FilesController finds the FolderRoute (IndexService) without
 * FilesModule importing this module, which imports it.
 */
@Global()
@Module({
  imports: [FilesModule],
  controllers: [ApiController, DocsController],
  providers: [
    apiConfigProvider,
    DirectoryService,
    ApiService,
    IndexService,
    { provide: FolderRoute, useExisting: IndexService },
    CorsRoutes,
    CorsMiddleware,
    OpenApiDocument,
  ],
  exports: [FolderRoute, CorsRoutes, CorsMiddleware, OpenApiDocument],
})
export class ApiModule {}
