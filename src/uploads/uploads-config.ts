import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvironmentVariables } from '../config/environment.js';

/** The staging dot-folder inside UPLOAD_ROOT: never served (dot-names never are), never listed. */
export const STAGING_FOLDER = '.upload-staging';

/** The validated upload settings (UPLOAD_*), in the shape the upload services use. */
export class UploadsConfig {
  constructor(
    /** Real path of UPLOAD_ROOT (one of the served roots), or undefined when uploads are off. */
    readonly root: string | undefined,
    readonly overwrite: boolean,
    readonly maxSize: number,
    readonly minFree: number,
    readonly expiryMs: number,
  ) {}

  get enabled(): boolean {
    return this.root !== undefined;
  }

  /** Where partial uploads and their tus state live: on the same file system as the root, so publishing is a rename. */
  get stagingDir(): string {
    if (this.root === undefined) throw new Error('uploads are off');
    return join(this.root, STAGING_FOLDER);
  }

  /** The expiry job runs this often: twice per expiry period, between once a second and once an hour. */
  get cleanupIntervalMs(): number {
    return Math.min(Math.max(Math.floor(this.expiryMs / 2), 1000), 3_600_000);
  }

  static fromEnvironment(env: EnvironmentVariables): UploadsConfig {
    const root = env.UPLOAD_ROOT === '' ? undefined : realpathSync(resolve(env.UPLOAD_ROOT));
    return new UploadsConfig(root, env.UPLOAD_OVERWRITE === 'true', env.UPLOAD_MAX_SIZE, env.UPLOAD_MIN_FREE, env.UPLOAD_EXPIRY);
  }
}

export const uploadsConfigProvider = {
  provide: UploadsConfig,
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables): UploadsConfig => UploadsConfig.fromEnvironment(env),
};
