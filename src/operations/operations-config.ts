import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables, LogLevel } from '../config/environment.js';

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
  inject: [ConfigService],
  useFactory: (config: ConfigService<EnvironmentVariables, true>): OperationsConfig =>
    new OperationsConfig(config.get('LOG_LEVEL', { infer: true }), config.get('SHUTDOWN_GRACE_MS', { infer: true })),
};
