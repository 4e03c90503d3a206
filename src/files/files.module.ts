import { Module } from '@nestjs/common';
import { DigestService } from '../digest/digest.service.js';
import { FileStorageService } from './file-storage.service.js';
import { FilesController } from './files.controller.js';
import { RangeService } from './range.service.js';

@Module({
  controllers: [FilesController],
  providers: [RangeService, FileStorageService, DigestService],
  exports: [FileStorageService, DigestService],
})
export class FilesModule {}
