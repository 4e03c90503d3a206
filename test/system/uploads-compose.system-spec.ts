import { execFileSync } from 'node:child_process';
import { requireCommand } from '../support/server-process.js';

/** The documented compose variant for uploads: validated by docker-compose (no Docker engine needed for `config`). */
describe('docker-compose.uploads.yml', () => {
  const both = ['-f', 'docker-compose.yml', '-f', 'docker-compose.uploads.yml', '--env-file', '.env.example'];

  it('validates on top of docker-compose.yml and makes only the files volume writable, as the upload folder', () => {
    requireCommand('docker-compose', 'docker-compose');
    execFileSync('docker-compose', [...both, 'config', '-q'], { stdio: 'pipe' });
    const resolved = execFileSync('docker-compose', [...both, 'config'], { encoding: 'utf8' });
    const app = resolved.slice(resolved.indexOf('  app:'), resolved.indexOf('  proxy:'));
    expect(app).toMatch(/UPLOAD_ROOT: \/srv\/files/);
    expect(app).toMatch(/UPLOAD_MAX_SIZE: 10GiB/);
    // The bind mount of the files, and no read_only on it; the container's own file system stays read-only.
    expect(app).toMatch(/volumes:\n\s+- source: \S+\/files\n\s+target: \/srv\/files\n/);
    expect(app).toMatch(/^ {4}read_only: true$/m);
  });

  it('leaves the default compose file read-only', () => {
    requireCommand('docker-compose', 'docker-compose');
    const resolved = execFileSync('docker-compose', ['--env-file', '.env.example', 'config'], { encoding: 'utf8' });
    expect(resolved).toMatch(/read_only: true\n\s+source: \S+\/files\n\s+target: \/srv\/files/);
    expect(resolved).not.toContain('UPLOAD_ROOT');
  });
});
