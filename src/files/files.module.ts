import { Module } from '@nestjs/common';
import { DigestService } from '../digest/digest.service.js';
import { FileStorageService } from './file-storage.service.js';
import { FilesController } from './files.controller.js';

@Module({
  controllers: [FilesController],
  providers: [FileStorageService, DigestService],
  exports: [FileStorageService, DigestService],
})
export class FilesModule {}
