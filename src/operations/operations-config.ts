import { EnvironmentVariables, type LogLevel } from '../config/environment.js';

/** The validated operational settings: LOG_LEVEL and SHUTDOWN_GRACE_MS. */
export class OperationsConfig {
  constructor(
    readonly logLevel: LogLevel,
    /** Grace period for in-flight downloads on SIGTERM/SIGINT, in milliseconds. */
    readonly shutdownGraceMs: number,
  ) {}
}

export const operationsConfigProvider = {
  provide: OperationsConfig,
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables): OperationsConfig => new OperationsConfig(env.LOG_LEVEL, env.SHUTDOWN_GRACE_MS),
};
