import { Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { FileStorageService } from '../files/file-storage.service.js';
import { AccessConfig, accessConfigProvider } from './access-config.js';
import { AccessService } from './access.service.js';
import { FileAccessGuard } from './file-access.guard.js';
import { jsonBodyParser } from './json-body.js';
import { LinkMinter } from './link-minter.js';
import { LINKS_PATH, LinksController } from './links.controller.js';
import { ListingGuard, ReadTokenGuard } from './token.guard.js';

/**
 * Access control: settings, the decisions (AccessService), the file guard, `POST /.api/links`.
 * Global, so FilesController's @UseGuards(FileAccessGuard) and other modules' routes
 * (`AccessService.requireToken`) find it; imported before FilesModule so its dot-route is
 * registered before the files' catch-all.
 */
@Global()
@Module({
  controllers: [LinksController],
  providers: [
    accessConfigProvider,
    AccessService,
    FileAccessGuard,
    ReadTokenGuard,
    ListingGuard,
    FileStorageService,
    {
      provide: LinkMinter,
      inject: [AccessConfig, FileStorageService],
      useFactory: (config: AccessConfig, storage: FileStorageService) => new LinkMinter(config, storage),
    },
  ],
  exports: [AccessConfig, AccessService, FileAccessGuard, ReadTokenGuard, ListingGuard],
})
export class AccessModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(jsonBodyParser('8kb')).forRoutes({ path: LINKS_PATH, method: RequestMethod.POST });
  }
}
