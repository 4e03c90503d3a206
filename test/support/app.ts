import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';

/**
 * Settings a test must set to get them: ConfigModule copies each app's validated settings into
 * process.env, so without these an earlier app's value would leak into the next one (an empty
 * value counts as unset).
 */
const UNSET: Record<string, string> = { LISTING: '', CORS_ORIGINS: '', CACHE_CONTROL: '' };

/** The real app, configured as main.ts does, listening on a free loopback port. */
export async function startApp(env: Record<string, string>): Promise<{ app: INestApplication; port: number }> {
  const moduleRef = await Test.createTestingModule({
    imports: [await AppModule.forRoot({ LOG_LEVEL: 'silent', ...UNSET, ...env })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  return { app, port };
}
