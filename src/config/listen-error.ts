import { ConfigurationError } from './environment.js';

/** The parts of a failed listen(2) (or its name lookup) that say what went wrong. */
export interface ListenFailure {
  readonly code?: string;
  readonly message?: string;
}

/**
 * A listen that failed after the settings were validated, as the one line a configuration error
 * gets: which setting (PORT or HOST) cannot be used, and why, instead of Nest's start-up log
 * followed by an error object.
 */
export function describeListenError(failure: ListenFailure, port: number, host: string): ConfigurationError {
  const code = failure.code ?? 'unknown error';
  // Quoted, so a stray space or control character in HOST shows (and the message stays one line).
  const shown = JSON.stringify(host);
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigurationError('PORT', `${port} is already in use on ${shown} (EADDRINUSE)`);
    case 'EACCES':
      return new ConfigurationError('PORT', `${port} may not be bound by this user on ${shown} (EACCES: ports below 1024 need privileges)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new ConfigurationError('HOST', `${shown} cannot be resolved to an address (${code})`);
    case 'EADDRNOTAVAIL':
      return new ConfigurationError('HOST', `${shown} is not an address of this machine, so it cannot be bound (EADDRNOTAVAIL)`);
    case 'EAFNOSUPPORT':
      return new ConfigurationError('HOST', `${shown} is of an address family this machine does not support (EAFNOSUPPORT)`);
    default:
      return new ConfigurationError(
        'HOST',
        `${shown} with PORT ${port} cannot be listened on (${code}${failure.message ? `: ${failure.message.replace(/\s+/g, ' ')}` : ''})`,
      );
  }
}
