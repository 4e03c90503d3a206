import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { EnvironmentVariables } from './environment.js';

/**
 * The validated environment, and the AppConfig derived from it once, for every module: feature
 * modules inject these instead of each building their own copy.
 */
@Module({})
export class SettingsModule {
  static forEnvironment(env: EnvironmentVariables): DynamicModule {
    return {
      module: SettingsModule,
      global: true,
      providers: [
        { provide: EnvironmentVariables, useValue: env },
        { provide: AppConfig, useValue: AppConfig.fromEnvironment(env) },
      ],
      exports: [EnvironmentVariables, AppConfig],
    };
  }
}
