import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { requireCommand } from './server-process.js';
import { until } from './wait.js';

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real redis-server (Debian's package) on a loopback port, in memory only (no RDB, no AOF), so
 * a kill loses everything, as a lost cache node would.
 */
export class RedisServer {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    requireCommand('redis-server', 'redis-server');
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.child = child;
    await until(async () => child.exitCode === null && (await accepts(this.port)), `redis-server on port ${this.port}`);
  }

  /** SIGKILL: the store vanishes mid-traffic, connections reset. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }
}
