import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, requireCommand, type ServerProcess } from './server-process.js';
import { until } from './wait.js';

/**
 * HAProxy (the Debian package) on a loopback port, round-robin over `servers`. It names the
 * instance that answered in `X-Served-By` (`instance1`, ...; test-only, the shipped
 * deploy/haproxy.cfg does not).
 */
export class LoadBalancer {
  private constructor(
    private readonly process: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts HAProxy with its config in `workDir` and waits until it forwards `/.healthz`. */
  static async start(servers: readonly ServerProcess[], workDir: string): Promise<LoadBalancer> {
    requireCommand('haproxy', 'haproxy');
    const port = await freePort();
    const config = join(workDir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(port, servers));
    const balancer = new LoadBalancer(spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'ignore'] }), port);
    await until(
      async () => {
        try {
          return (await fetch(`${balancer.url}/.healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      'HAProxy to listen',
      { timeoutMs: 30_000 },
    );
    return balancer;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((done) => this.process.once('exit', done));
    this.process.kill('SIGTERM');
    await exited;
  }
}

function haproxyConfig(port: number, servers: readonly ServerProcess[]): string {
  return [
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 60s',
    '    timeout server 60s',
    'frontend http',
    `    bind 127.0.0.1:${port}`,
    '    default_backend app',
    'backend app',
    '    balance roundrobin',
    '    http-response set-header X-Served-By %[srv_name]',
    ...servers.map((server, index) => `    server instance${index + 1} 127.0.0.1:${server.port}`),
    '',
  ].join('\n');
}
