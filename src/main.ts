import 'reflect-metadata';
import { type DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { AppConfig } from './config/app-config.js';
import { ConfigurationError, workerCount } from './config/environment.js';
import { describeListenError, type ListenFailure } from './config/listen-error.js';
import { createLogger, PinoNestLogger } from './operations/logger.js';
import { ACCESS_LOGGER } from './operations/request-observer.js';
import type { Logger as PinoLogger } from 'pino';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { runPrimary } from './cluster.js';

async function bootstrap(appModule: DynamicModule): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    abortOnError: false,
    // Nest's start-up lines wait until the port is bound: a start that fails there is one line.
    bufferLogs: true,
    autoFlushLogs: false,
    // Nothing here reads a request body: no JSON and urlencoded parsers in front of every GET.
    bodyParser: false,
  });
  app.useLogger(new PinoNestLogger(app.get<PinoLogger>(ACCESS_LOGGER)));
  configureApp(app);
  const config = app.get(AppConfig);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    throw describeListenError(error as ListenFailure, config.port, config.host);
  }
  app.flushLogs();
  new Logger('Bootstrap').log(`serving ${config.roots.join(', ')} on ${await app.getUrl()}`);
}

/** WORKERS=1 (default): this process serves. More: it validates the settings once, then forks (src/cluster.ts). */
async function start(): Promise<void> {
  const { module, env } = await AppModule.load(); // validates every setting (and reads .env) before any worker exists
  if (cluster.isPrimary) {
    const workers = workerCount(env.WORKERS, availableParallelism());
    if (workers > 1) return runPrimary({ workers, config: AppConfig.fromEnvironment(env), logger: createLogger(env.LOG_LEVEL) });
  }
  await bootstrap(module);
}

start().catch((error: unknown) => {
  // A bad setting is one clear line, not a stack trace; the process never starts half-configured.
  const message = error instanceof ConfigurationError ? error.message : `Failed to start: ${String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
