import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const MAIN = resolve('dist/main.js');

/** A free loopback port, found by letting the kernel pick one. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface StartOptions {
  cwd?: string;
  /** Start from `env` alone instead of the test's own environment (as a container would). */
  cleanEnvironment?: boolean;
  uid?: number;
  gid?: number;
}

/** The compiled service (`npm run build`), started as its own process like production starts it. */
export class ServerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    private readonly output: string[],
    private readonly stdoutChunks: string[],
  ) {}

  static async start(env: Record<string, string>, command: string[] = ['node', MAIN], options: StartOptions = {}): Promise<ServerProcess> {
    if (command[1] === MAIN && !existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` first');
    const port = await freePort();
    const output: string[] = [];
    const stdout: string[] = [];
    const inherited = options.cleanEnvironment ? {} : process.env;
    const child = spawn(command[0], command.slice(1), {
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      env: { ...inherited, HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      stdout.push(chunk.toString());
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const server = new ServerProcess(child, port, output, stdout);
    try {
      await server.waitUntilListening();
    } catch (error) {
      child.kill('SIGKILL'); // never leave a half-started server behind
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** stdout and stderr, interleaved as they arrived. */
  get logs(): string {
    return this.output.join('');
  }

  /** stdout alone: the JSON log. */
  get stdout(): string {
    return this.stdoutChunks.join('');
  }

  /** Open file descriptors of the server process, from /proc. */
  openDescriptors(): number {
    return readdirSync(`/proc/${this.child.pid}/fd`).length;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async waitUntilListening(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`server exited early:\n${this.logs}`);
      try {
        await fetch(`${this.url}/`);
        return;
      } catch {
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    throw new Error(`server did not start listening:\n${this.logs}`);
  }
}

/** Fails loudly (never skips) when a real client is missing. */
export function requireCommand(command: string, aptPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${command} is not installed: run \`apt-get update && apt-get install -y ${aptPackage}\` (the README's test command does this)`,
    );
  }
}
