import { EnvironmentVariables } from '../config/environment.js';
import { parseAllowedOrigins, type AllowedOrigins } from '../http/cors.js';

/** The validated settings of the API: LISTING and CORS_ORIGINS (CACHE_CONTROL lives in AppConfig, the file route sends it). */
export class ApiConfig {
  constructor(
    /** Folder listings (JSON and HTML index) are served. */
    readonly listing: boolean,
    /** Undefined: CORS is off and no CORS header is ever sent. */
    readonly corsOrigins: AllowedOrigins | undefined,
  ) {}
}

export const apiConfigProvider = {
  provide: ApiConfig,
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables): ApiConfig =>
    new ApiConfig(env.LISTING !== 'off', env.CORS_ORIGINS === undefined ? undefined : parseAllowedOrigins(env.CORS_ORIGINS)),
};
