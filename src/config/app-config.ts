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
    /** CACHE_CONTROL: the Cache-Control of file responses at plain (unpinned) URLs; undefined sends none. */
    readonly cacheControl: string | undefined = undefined,
  ) {}

  static fromEnvironment(env: EnvironmentVariables): AppConfig {
    const roots = parseRoots(env.FILES_ROOT).map((root) => realpathSync(root));
    return new AppConfig(
      roots,
      env.PORT,
      env.HOST,
      env.CONTENT_DISPOSITION,
      env.MAX_RANGES,
      {
        enabled: env.DIGEST === 'on',
        precompute: env.DIGEST_PRECOMPUTE === 'true',
        cacheEntries: env.DIGEST_CACHE_ENTRIES,
      },
      env.CACHE_CONTROL,
    );
  }
}
