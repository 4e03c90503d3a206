import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';

/** One stage of the Dockerfile: its instructions, continuation lines joined, comments dropped. */
interface Stage {
  name: string;
  instructions: { keyword: string; args: string }[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '', instructions: [] });
    stages[stages.length - 1]?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

/** `ENV A=1 B=2` → { A: '1', B: '2' } */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const [key, value] = pair.split('=');
      env[key] = value;
    }
  }
  return env;
}

/** The exec form `["node", "dist/main.js"]` of CMD or HEALTHCHECK ... CMD. */
function execForm(args: string): string[] {
  return JSON.parse(args.slice(args.indexOf('['))) as string[];
}

const UNPRIVILEGED = 65534; // nobody: the test runs the service as a non-root user, as the image does

/**
 * No Docker engine here, so the image itself is never built. Instead this runs the exact command
 * of the Dockerfile's runtime stage, with its ENV, in a copy of exactly the files that stage
 * copies from the build stage (node_modules reduced to the production dependencies, as the build
 * stage's `npm prune --omit=dev` does), as an unprivileged user, and checks the service answers
 * and the HEALTHCHECK command agrees. The compose file and the HAProxy configuration are
 * validated by their own tools.
 */
describe('container deployment', () => {
  const dockerfile = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
  const runtime = dockerfile[dockerfile.length - 1];
  const build = dockerfile.find((stage) => stage.name === 'build') as Stage;

  it('has a build stage with dev dependencies and a production runtime stage run as a non-root user', () => {
    expect(build).toBeDefined();
    expect(argsOf(build, 'RUN').join('\n')).toMatch(/npm ci\b/);
    expect(argsOf(build, 'RUN').join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
    expect(runtime.name).toBe('runtime');
    expect(argsOf(runtime, 'RUN').join('\n')).not.toMatch(/npm (ci|install)/);
    expect(envOf(runtime)).toMatchObject({ NODE_ENV: 'production', FILES_ROOT: '/srv/files' });
    expect(argsOf(runtime, 'USER')).toEqual(['node']);
    expect(argsOf(runtime, 'VOLUME')).toEqual(['["/srv/files"]']);
    expect(argsOf(runtime, 'HEALTHCHECK')).toHaveLength(1);
  });

  it('runs on one supported Node line, the one CI also runs the whole suite on and `engines` names', () => {
    const lines = dockerfile.map((stage) => /^node:(\d+)-/.exec(argsOf(stage, 'FROM')[0] ?? '')?.[1]);
    expect(new Set(lines).size).toBe(1);
    const [major] = lines;
    // Node 20 reached its end of life in April 2026; the image must be on a maintained LTS line.
    expect(['24', '26']).toContain(major);
    expect(/^SUPPORTED_NODE=(\d+)$/m.exec(readFileSync('.ci/run', 'utf8'))?.[1]).toBe(major);
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines.split(' || ').map((range) => /^\^(\d+)\./.exec(range)?.[1])).toContain(major);
    // Whichever of the two runs this is, its Node is one that `engines` names.
    expect(engines.split(' || ').map((range) => /^\^(\d+)\./.exec(range)?.[1])).toContain(process.versions.node.split('.')[0]);
  });

  it('runs the runtime stage command from a copy of the files the stage copies, and the service answers', async () => {
    const workdir = argsOf(runtime, 'WORKDIR')[0];
    const app = mkdtempSync(join(tmpdir(), 'rds-image-'));
    const files = new TempRoot();
    let server: ServerProcess | undefined;
    try {
      for (const args of argsOf(runtime, 'COPY')) {
        const [, source, target] = /^--from=build\s+(\S+)\s+(\S+)$/.exec(args) ?? [];
        expect(source?.startsWith(`${workdir}/`)).toBe(true);
        const inRepo = relative(workdir, source);
        const destination = resolve(app, target);
        if (inRepo === 'node_modules') copyProductionDependencies(destination);
        else cpSync(inRepo, destination, { recursive: true });
      }
      files.write('hello.txt', 'served from the runtime stage\n');
      for (const folder of [app, files.path]) chmodSync(folder, 0o755);

      const asUser = process.getuid?.() === 0 ? { uid: UNPRIVILEGED, gid: UNPRIVILEGED } : {};
      // The image's ENV, except what the test must choose: the volume's folder, and a free loopback port (ServerProcess).
      const { PORT: imagePort, HOST: imageHost, ...imageEnv } = envOf(runtime);
      expect({ imagePort, imageHost }).toEqual({ imagePort: '3000', imageHost: '0.0.0.0' });
      const env = { ...imageEnv, FILES_ROOT: files.path, LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' };
      const command = execForm(argsOf(runtime, 'CMD')[0]);
      expect(command).toEqual(['node', 'dist/main.js']);
      server = await ServerProcess.start(env, command, { cwd: app, cleanEnvironment: true, ...asUser });

      const res = await fetch(`${server.url}/hello.txt`, { headers: { Range: 'bytes=0-5' } });
      expect(res.status).toBe(206);
      expect(await res.text()).toBe('served');
      expect((await fetch(`${server.url}/.readyz`)).status).toBe(200);

      const healthcheck = execForm(argsOf(runtime, 'HEALTHCHECK')[0]);
      const probe = () =>
        spawnSync(healthcheck[0], healthcheck.slice(1), {
          cwd: app,
          env: { ...env, HOST: '127.0.0.1', PORT: String(server?.port) },
          timeout: 20_000,
        });
      expect(probe().status).toBe(0);
      await server.stop();
      expect(server.child.exitCode).toBe(0);
      expect(probe().status).toBe(1);
    } finally {
      await server?.stop();
      rmSync(app, { recursive: true, force: true });
      files.cleanup();
    }
  }, 120_000);

  it('has a compose file that docker-compose validates, with .env.example as its settings', () => {
    requireCommand('docker-compose', 'docker-compose');
    // `config` only reads and validates; it needs no Docker engine.
    execFileSync('docker-compose', ['config', '-q'], { stdio: 'pipe' });
    const resolved = execFileSync('docker-compose', ['--env-file', '.env.example', 'config'], { encoding: 'utf8' });
    expect(execFileSync('docker-compose', ['config', '--services'], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual([
      'app',
      'proxy',
      'redis',
    ]);
    // The shared digest store is optional: only in the `redis` profile, and nothing waits for it.
    expect(resolved).toMatch(/\n {2}redis:\n(?: {4}.*\n)*? {4}profiles:\n {4}- redis\n/);
    expect(resolved).not.toMatch(/depends_on:\n(?: {6}.*\n)*? {6}redis:/);
    const withStore = execFileSync('docker-compose', ['--env-file', '.env.example', 'config'], {
      encoding: 'utf8',
      env: { ...process.env, DIGEST_STORE: 'redis://redis:6379/0' },
    });
    expect(withStore).toMatch(/DIGEST_STORE: redis:\/\/redis:6379\/0/);
    expect(resolved).toMatch(/read_only: true\n\s+source: \S+\/files\n\s+target: \/srv\/files/);
    expect(resolved).toMatch(/restart: unless-stopped/);
    expect(resolved).toMatch(/- dist\/healthcheck\.js/);
    expect(resolved).toMatch(/condition: service_healthy/);
  });

  it('has an HAProxy configuration that haproxy accepts', () => {
    requireCommand('haproxy', 'haproxy');
    const check = spawnSync('haproxy', ['-c', '-f', 'deploy/haproxy.cfg'], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('Configuration file is valid');
    expect(check.status).toBe(0);
  });
});

/**
 * node_modules as the build stage leaves it after `npm prune --omit=dev`: every package
 * `npm ls --omit=dev` lists, copied without its own nested node_modules (those are listed too).
 */
function copyProductionDependencies(destination: string): void {
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n');
  const repo = resolve('.');
  for (const path of listed) {
    if (path === repo || !existsSync(path)) continue;
    const inModules = relative(join(repo, 'node_modules'), path);
    cpSync(path, join(destination, inModules), {
      recursive: true,
      filter: (source) => !relative(path, source).split('/').includes('node_modules'),
    });
  }
}
