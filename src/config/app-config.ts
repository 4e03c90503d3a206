import type { DispositionType } from '../http/content-disposition.js';
import type { EnvironmentVariables } from './environment.js';

/** The shared digest store: DIGEST_STORE, DIGEST_STORE_TTL. */
export interface DigestStoreSettings {
  readonly url: string;
  readonly ttlSeconds: number;
}

/** Repr-Digest (RFC 9530): DIGEST, DIGEST_PRECOMPUTE, DIGEST_CACHE_ENTRIES, and the optional store. */
export interface DigestSettings {
  readonly enabled: boolean;
  readonly precompute: boolean;
  readonly cacheEntries: number;
  readonly store?: DigestStoreSettings;
}

export const DIGEST_DEFAULTS: DigestSettings = { enabled: true, precompute: false, cacheEntries: 50_000 };

/**
 * The validated settings of serving files, in the shape the services use; derived once from the
 * validated environment (SettingsModule) and injected by class token. Other modules derive their
 * own settings class from EnvironmentVariables the same way (OperationsConfig).
 */
export class AppConfig {
  /** Real paths (symlinks resolved) of the served folders, in lookup order. */
  readonly roots: readonly string[];
  readonly port: number;
  readonly host: string;
  readonly disposition: DispositionType;
  readonly maxRanges: number;
  readonly digest: DigestSettings;
  /** Cache-Control for plain (unpinned) file URLs; none sent when undefined. */
  readonly cachePolicy: string | undefined;

  constructor(settings: Partial<AppConfig> & Pick<AppConfig, 'roots'>) {
    this.roots = settings.roots;
    this.port = settings.port ?? 3000;
    this.host = settings.host ?? '0.0.0.0';
    this.disposition = settings.disposition ?? 'inline';
    this.maxRanges = settings.maxRanges ?? 16;
    this.digest = settings.digest ?? DIGEST_DEFAULTS;
    this.cachePolicy = settings.cachePolicy;
  }

  static fromEnvironment(env: EnvironmentVariables): AppConfig {
    return new AppConfig({
      roots: env.FILES_ROOT,
      port: env.PORT,
      host: env.HOST,
      disposition: env.CONTENT_DISPOSITION,
      maxRanges: env.MAX_RANGES,
      digest: {
        enabled: env.DIGEST === 'on',
        precompute: env.DIGEST_PRECOMPUTE === 'true',
        cacheEntries: env.DIGEST_CACHE_ENTRIES,
        store: env.DIGEST_STORE === '' ? undefined : { url: env.DIGEST_STORE, ttlSeconds: env.DIGEST_STORE_TTL },
      },
    });
  }
}
