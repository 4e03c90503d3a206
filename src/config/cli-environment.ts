import { existsSync } from 'node:fs';
import { EnvironmentVariables, validateEnvironment } from './environment.js';

/**
 * The settings as the server would see them, for the command-line tools (`npm run sign`): the
 * process environment over `.env` in the working directory (the precedence @nestjs/config
 * gives the server), validated by the same function.
 */
export function loadCliEnvironment(): EnvironmentVariables {
  if (existsSync('.env')) process.loadEnvFile('.env'); // never overrides a variable already set
  return validateEnvironment(process.env);
}
