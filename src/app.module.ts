import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EnvironmentVariables, validateEnvironment } from './config/environment.js';
import { SettingsModule } from './config/settings.module.js';
import { AccessModule } from './access/access.module.js';
import { FilesModule } from './files/files.module.js';
import { OperationsModule } from './operations/operations.module.js';

@Module({})
export class AppModule {
  /**
   * `overrides` take precedence over the process environment and `.env`; tests use them to point
   * an app at a temporary folder without touching process.env.
   */
  static async forRoot(overrides: Record<string, string> = {}): Promise<DynamicModule> {
    return (await AppModule.load(overrides)).module;
  }

  /** The app module and the validated settings it was built from (main.ts needs WORKERS before any app exists). */
  static async load(overrides: Record<string, string> = {}): Promise<{ module: DynamicModule; env: EnvironmentVariables }> {
    // Awaited here, so a ConfigurationError rejects this call (and main.ts reports it) instead of
    // surfacing later as an unhandled rejection.
    let env: EnvironmentVariables | undefined;
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      validate: (raw) => {
        env = validateEnvironment({ ...raw, ...overrides });
        // ConfigModule copies what `validate` returns into process.env (keys not set yet), which
        // would leak one app's settings into the next app of a test process and into every child
        // process. Nothing reads ConfigService: the validated settings travel by DI (SettingsModule).
        return {};
      },
    });
    if (env === undefined) throw new Error('ConfigModule did not run the validation');
    // OperationsModule and AccessModule before FilesModule: their dot-paths (/.healthz, /.api/links...)
    // are registered before the files' catch-all route.
    const imports = [config, SettingsModule.forEnvironment(env), OperationsModule, AccessModule, FilesModule];
    const module = { module: AppModule, imports };
    return { module, env };
  }
}
