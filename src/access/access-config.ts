import { type AccessSettings, accessSettingsOf, EnvironmentVariables } from '../config/environment.js';
import type { SigningKey } from './signing-keys.js';
import type { TokenEntry } from './tokens.js';

/** The validated access settings (ACCESS, SIGNING_KEYS, API_TOKENS, LINK_MAX_TTL, ...), injected by class token. */
export class AccessConfig implements AccessSettings {
  readonly mode: 'public' | 'private';
  readonly signingKeys: readonly SigningKey[];
  readonly tokens: readonly TokenEntry[];
  readonly linkMaxTtlSeconds: number;
  readonly publicBaseUrl: string | undefined;
  readonly failureLimit: number;
  readonly failureWindowSeconds: number;

  constructor(settings: AccessSettings) {
    this.mode = settings.mode;
    this.signingKeys = settings.signingKeys;
    this.tokens = settings.tokens;
    this.linkMaxTtlSeconds = settings.linkMaxTtlSeconds;
    this.publicBaseUrl = settings.publicBaseUrl;
    this.failureLimit = settings.failureLimit;
    this.failureWindowSeconds = settings.failureWindowSeconds;
  }

  static fromEnvironment(env: EnvironmentVariables): AccessConfig {
    return new AccessConfig(accessSettingsOf(env));
  }

  /** The key new links are signed with: the first one listed. */
  get signingKey(): SigningKey | undefined {
    return this.signingKeys[0];
  }
}

export const accessConfigProvider = {
  provide: AccessConfig,
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables): AccessConfig => AccessConfig.fromEnvironment(env),
};
