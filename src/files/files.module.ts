import { Module } from '@nestjs/common';
import { appConfigProvider } from '../config/app-config.js';
import { DigestService } from '../digest/digest.service.js';
import { FileStorageService } from './file-storage.service.js';
import { FilesController } from './files.controller.js';
import { RangeService } from './range.service.js';

@Module({
  controllers: [FilesController],
  providers: [appConfigProvider, RangeService, FileStorageService, DigestService],
  exports: [appConfigProvider, FileStorageService, DigestService],
})
export class FilesModule {}
