import { EnvironmentVariables, type LogLevel } from '../config/environment.js';

/** The validated operational settings: LOG_LEVEL, SHUTDOWN_GRACE_MS and TRUST_PROXY. */
export class OperationsConfig {
  constructor(
    readonly logLevel: LogLevel,
    /** Grace period for in-flight downloads on SIGTERM/SIGINT, in milliseconds. */
    readonly shutdownGraceMs: number,
    /** One reverse proxy in front: the client address is the last X-Forwarded-For entry. */
    readonly trustProxy = false,
  ) {}
}

export const operationsConfigProvider = {
  provide: OperationsConfig,
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables): OperationsConfig =>
    new OperationsConfig(env.LOG_LEVEL, env.SHUTDOWN_GRACE_MS, env.TRUST_PROXY === 'true'),
};
