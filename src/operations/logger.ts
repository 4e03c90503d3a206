import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import sonicBoom from 'sonic-boom';
import type { LogLevel } from '../config/environment.js';

// sonic-boom is CommonJS (`module.exports = SonicBoom`), so Node's default import is the class
// itself, while its types declare an ES default export (which TypeScript then looks for on the
// module object). The one cast for it, here.
const SonicBoom = sonicBoom as unknown as typeof sonicBoom.SonicBoom;
type SonicBoom = InstanceType<typeof SonicBoom>;

/** One JSON line per event on stdout; the level comes from LOG_LEVEL. */
export function createLogger(level: LogLevel, destination: DestinationStream = stdoutLog()): Logger {
  return pino({ level, base: { pid: process.pid } }, destination);
}

/**
 * stdout for the log lines: one asynchronous SonicBoom per process, as pino's default destination,
 * flushed synchronously when the process exits. Ours rather than pino's default for one reason:
 * pino 10 bundles sonic-boom 4, whose flushSync retries a failed write every 100 ms forever,
 * whatever the error. When the reader of stdout is gone (EPIPE: a log collector that died, a
 * killed pipeline) while lines are still buffered at exit, the process then never ends, SIGTERM
 * or not. sonic-boom 5 throws instead. A write error stops the log (nobody can read it any more),
 * never the server.
 */
export class StdoutLog implements DestinationStream {
  private stopped = false;

  constructor(private readonly stream: SonicBoom) {
    // An asynchronous write failed (EPIPE above all): the lines have nowhere to go.
    stream.on('error', () => (this.stopped = true));
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    if (!this.stopped) this.stream.write(line);
  }

  /** Writes what is still buffered, now; gives up (and stops the log) on an error it cannot retry. */
  flushSync(): void {
    if (this.stopped) return;
    try {
      this.stream.flushSync();
    } catch {
      this.stopped = true;
    }
  }
}

let stdout: StdoutLog | undefined;

/** The process's one stdout destination: every logger shares it, so lines never interleave mid-line. */
export function stdoutLog(): StdoutLog {
  return (stdout ??= new StdoutLog(new SonicBoom({ fd: 1, sync: false })));
}

/** Nest's own messages (start-up, errors) as pino JSON lines too, so the whole output parses. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }

  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
