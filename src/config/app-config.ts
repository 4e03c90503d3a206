import { ConfigService } from '@nestjs/config';
import { realpathSync } from 'node:fs';
import type { DispositionType } from '../http/content-disposition.js';
import { EnvironmentVariables, type LogLevel, parseRoots } from './environment.js';

/** The validated settings in the shape the services use. Injected by class token. */
export class AppConfig {
  constructor(
    /** Real paths (symlinks resolved) of the served folders, in lookup order. */
    readonly roots: readonly string[],
    readonly port: number,
    readonly host: string,
    readonly disposition: DispositionType,
    readonly maxRanges: number,
    readonly logLevel: LogLevel = 'info',
    /** Grace period for in-flight downloads on SIGTERM/SIGINT, in milliseconds. */
    readonly shutdownGraceMs: number = 30_000,
  ) {}

  static fromEnvironment(env: EnvironmentVariables): AppConfig {
    const roots = parseRoots(env.FILES_ROOT).map((root) => realpathSync(root));
    return new AppConfig(roots, env.PORT, env.HOST, env.CONTENT_DISPOSITION, env.MAX_RANGES, env.LOG_LEVEL, env.SHUTDOWN_GRACE_MS);
  }
}

export const appConfigProvider = {
  provide: AppConfig,
  inject: [ConfigService],
  useFactory: (config: ConfigService<EnvironmentVariables, true>): AppConfig =>
    AppConfig.fromEnvironment({
      FILES_ROOT: config.get('FILES_ROOT', { infer: true }),
      PORT: config.get('PORT', { infer: true }),
      HOST: config.get('HOST', { infer: true }),
      CONTENT_DISPOSITION: config.get('CONTENT_DISPOSITION', { infer: true }),
      MAX_RANGES: config.get('MAX_RANGES', { infer: true }),
      LOG_LEVEL: config.get('LOG_LEVEL', { infer: true }),
      SHUTDOWN_GRACE_MS: config.get('SHUTDOWN_GRACE_MS', { infer: true }),
    }),
};
