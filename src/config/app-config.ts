import { ConfigService } from '@nestjs/config';
import { realpathSync } from 'node:fs';
import type { DispositionType } from '../http/content-disposition.js';
import { EnvironmentVariables, parseRoots } from './environment.js';

/** Repr-Digest (RFC 9530): DIGEST, DIGEST_PRECOMPUTE, DIGEST_CACHE_ENTRIES. */
export interface DigestSettings {
  readonly enabled: boolean;
  readonly precompute: boolean;
  readonly cacheEntries: number;
}

export const DIGEST_DEFAULTS: DigestSettings = { enabled: true, precompute: false, cacheEntries: 50_000 };

/** The validated settings in the shape the services use. Injected by class token. */
export class AppConfig {
  constructor(
    /** Real paths (symlinks resolved) of the served folders, in lookup order. */
    readonly roots: readonly string[],
    readonly port: number,
    readonly host: string,
    readonly disposition: DispositionType,
    readonly maxRanges: number,
    readonly digest: DigestSettings = DIGEST_DEFAULTS,
  ) {}

  static fromEnvironment(env: Omit<EnvironmentVariables, 'LOG_LEVEL' | 'SHUTDOWN_GRACE_MS'>): AppConfig {
    const roots = parseRoots(env.FILES_ROOT).map((root) => realpathSync(root));
    return new AppConfig(roots, env.PORT, env.HOST, env.CONTENT_DISPOSITION, env.MAX_RANGES, {
      enabled: env.DIGEST === 'on',
      precompute: env.DIGEST_PRECOMPUTE === 'true',
      cacheEntries: env.DIGEST_CACHE_ENTRIES,
    });
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
      DIGEST: config.get('DIGEST', { infer: true }),
      DIGEST_PRECOMPUTE: config.get('DIGEST_PRECOMPUTE', { infer: true }),
      DIGEST_CACHE_ENTRIES: config.get('DIGEST_CACHE_ENTRIES', { infer: true }),
      WORKERS: config.get('WORKERS', { infer: true }),
    }),
};
