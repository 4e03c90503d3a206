import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';

/** The bash block that follows `<!-- recipe: NAME -->` in the README, as written there. */
function recipe(name: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const marker = readme.indexOf(`<!-- recipe: ${name} -->`);
  if (marker === -1) throw new Error(`README has no recipe ${name}`);
  const start = readme.indexOf('```bash\n', marker) + '```bash\n'.length;
  return readme.slice(start, readme.indexOf('```', start)).trimEnd().split('\n');
}

/**
 * The README's manual If-Range resume, run with bash and curl against the compiled service: the
 * recipe's own lines, with the URL pointed at the test's server and one line of the test's after
 * the first attempt (to interrupt it, or to change the file on the server meanwhile).
 */
describe('README recipe: resuming by hand with If-Range', () => {
  const served = new TempRoot();
  let server: ServerProcess;
  let lines: string[];

  beforeAll(async () => {
    requireCommand('curl', 'curl');
    lines = recipe('if-range');
    server = await ServerProcess.start({ FILES_ROOT: served.path });
  });

  afterAll(async () => {
    await server?.stop();
    served.cleanup();
  });

  function run(between: string): { stdout: string; file: Buffer } {
    const work = new TempRoot();
    try {
      const firstAttempt = lines.findIndex((line) => line.startsWith('etag='));
      expect(firstAttempt).toBeGreaterThan(0);
      const script = [...lines.slice(0, firstAttempt + 1), between, ...lines.slice(firstAttempt + 1)]
        .join('\n')
        .replaceAll('http://localhost:3000', server.url);
      const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work.path, encoding: 'utf8', timeout: 60_000 });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(readFileSync(work.resolve('big.iso.headers'), 'utf8')).toMatch(/^HTTP\/1\.1 200/);
      return { stdout: result.stdout, file: readFileSync(work.resolve('big.iso')) };
    } finally {
      work.cleanup();
    }
  }

  it('appends the rest of the same version (206) to an interrupted download', () => {
    const original = served.writeRandom('big.iso', 3 * 1024 * 1024);
    const { stdout, file } = run('truncate -s 1000000 big.iso');
    expect(stdout).toBe('');
    expect(file.equals(original)).toBe(true);
  });

  it('replaces the partial file with the whole new version (200) when the file changed on the server', () => {
    served.writeRandom('big.iso', 3 * 1024 * 1024);
    const replacement = served.resolve('replacement.bin');
    const changed = served.writeRandom('replacement.bin', 2 * 1024 * 1024 + 5);
    const { file } = run(`truncate -s 1000000 big.iso && cp '${replacement}' '${served.resolve('big.iso')}'`);
    expect(file.equals(changed)).toBe(true);
  });

  it('leaves a complete download alone (416) instead of appending the error body to it', () => {
    const original = served.writeRandom('big.iso', 1024 * 1024);
    const { stdout, file } = run('true');
    expect(stdout.trim()).toBe('big.iso was already complete');
    expect(file.equals(original)).toBe(true);
  });
});
