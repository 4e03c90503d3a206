import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkQuery } from '../../src/access/signed-link.js';
import { parseSigningKeys } from '../../src/access/signing-keys.js';
import { TempRoot } from '../support/fixtures.js';
import { requireCommand, ServerProcess } from '../support/server-process.js';

const README = readFileSync('README.md', 'utf8');

/** The fenced code block of the README whose first line is `marker`, without the fences. */
function readmeBlock(marker: string): string {
  const blocks = [...README.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  const block = blocks.find((text) => text.startsWith(`${marker}\n`));
  if (block === undefined) throw new Error(`README has no code block starting with ${marker}`);
  return block;
}

/** A value the README states, e.g. the test vector's `sig:` line. */
function readmeValue(pattern: RegExp): string {
  const match = pattern.exec(README);
  if (match === null) throw new Error(`README does not match ${pattern}`);
  return match[1];
}

const VECTOR_SECRET = readmeValue(/Key `k1` with secret `([^`]+)`/);
const VECTOR_EXP = 1_767_225_600;

/**
 * The README's access recipes, run as written: key generation with openssl, minting a link in
 * Python and in a shell with openssl, checked against the README's test vector and against the
 * service itself.
 */
describe('README: private files recipes', () => {
  const work = mkdtempSync(join(tmpdir(), 'rds-readme-'));
  const root = new TempRoot();
  let secret: string;
  let server: ServerProcess;

  beforeAll(async () => {
    requireCommand('python3', 'python3');
    requireCommand('openssl', 'openssl');
    const generate = readmeBlock('openssl rand -base64 32                   # a signing secret; then SIGNING_KEYS=k1:<that secret>')
      .split('\n')[0]
      .split('#')[0]
      .trim();
    secret = execFileSync('sh', ['-c', generate], { encoding: 'utf8' }).trim();
    root.write('docs/report 2024.pdf', 'the report');
    root.write('docs/naïve café.txt', 'accents');
    root.write('docs/plain-file_1.txt', 'plain');
    server = await ServerProcess.start({ FILES_ROOT: root.path, ACCESS: 'private', SIGNING_KEYS: `k1:${secret}` });
  });

  afterAll(async () => {
    await server?.stop();
    root.cleanup();
  });

  it('`openssl rand -base64 32` makes a secret the service accepts: 32 random bytes', () => {
    expect(parseSigningKeys(`k1:${secret}`)[0].secret).toHaveLength(32);
  });

  it('the test vector in the README is what the service computes', () => {
    const [key] = parseSigningKeys(`k1:${VECTOR_SECRET}`);
    const link = `/docs/report%202024.pdf?${linkQuery(key, { resource: '/docs/report 2024.pdf', scope: false, expires: VECTOR_EXP, download: false })}`;
    expect(link).toBe(readmeValue(/^link: +(\S+)$/m));
    expect(link).toContain(`sig=${readmeValue(/^sig: +(\S+)$/m)}`);
    const full = linkQuery(key, {
      resource: '/docs/report 2024.pdf',
      scope: false,
      expires: VECTOR_EXP,
      version: '5c-18eac6dfadc0bb67',
      download: true,
      filename: 'Rapport annuel.pdf',
    });
    expect(full).toContain(`sig=${readmeValue(/and `filename=Rapport annuel\.pdf` the signature is\s+`([\w-]+)`/)}`);
  });

  describe('Python', () => {
    const module = join(work, 'mint_link.py');
    const python = (call: string) =>
      execFileSync(
        'python3',
        ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(work)}); from mint_link import mint_link; print(${call})`],
        {
          encoding: 'utf8',
        },
      ).trim();

    beforeAll(() => writeFileSync(module, readmeBlock('# mint_link.py: a signed link to PATH (decoded), valid TTL seconds')));

    it('reproduces the test vectors', () => {
      const now = VECTOR_EXP - 3600;
      expect(python(`mint_link(${JSON.stringify(VECTOR_SECRET)}, 'k1', '/docs/report 2024.pdf', now=${now})`)).toBe(
        readmeValue(/^link: +(\S+)$/m),
      );
      const [key] = parseSigningKeys(`k1:${VECTOR_SECRET}`);
      const claims = {
        resource: '/docs/report 2024.pdf',
        scope: false,
        expires: VECTOR_EXP,
        version: '5c-18eac6dfadc0bb67',
        download: true,
        filename: 'Rapport annuel.pdf',
      };
      expect(
        python(
          `mint_link(${JSON.stringify(VECTOR_SECRET)}, 'k1', '/docs/report 2024.pdf', now=${now}, version='5c-18eac6dfadc0bb67', download=True, filename='Rapport annuel.pdf')`,
        ),
      ).toBe(`/docs/report%202024.pdf?${linkQuery(key, claims)}`);
    });

    it('mints links the service accepts, also for names with spaces and accents, and with a base64url secret', async () => {
      for (const [path, body] of [
        ['/docs/report 2024.pdf', 'the report'],
        ['/docs/naïve café.txt', 'accents'],
      ]) {
        const link = python(
          `mint_link(${JSON.stringify(secret)}, 'k1', ${JSON.stringify(path)}, ttl=60, download=True, filename='Saved (1).txt')`,
        );
        const res = await fetch(`${server.url}${link}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(body);
        expect(res.headers.get('content-disposition')).toBe('attachment; filename="Saved (1).txt"');
      }
      const urlSafe = Buffer.from(secret, 'base64').toString('base64url');
      const link = python(`mint_link(${JSON.stringify(urlSafe)}, 'k1', '/docs/plain-file_1.txt', ttl=60)`);
      expect((await fetch(`${server.url}${link}`)).status).toBe(200);
    });

    it('an expired one is refused with reason expired', async () => {
      const link = python(`mint_link(${JSON.stringify(secret)}, 'k1', '/docs/plain-file_1.txt', ttl=-1)`);
      const res = await fetch(`${server.url}${link}`);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ reason: 'expired' });
    });
  });

  describe('shell with openssl', () => {
    const script = join(work, 'mint-link.sh');
    const fakeBin = join(work, 'bin');

    beforeAll(() => {
      writeFileSync(script, readmeBlock('# mint-link.sh: SECRET (base64) KID FILE_PATH [TTL]'));
      // A `date` that answers the vector's clock, so the recipe can be checked against the vector.
      execFileSync('mkdir', ['-p', fakeBin]);
      writeFileSync(join(fakeBin, 'date'), `#!/bin/sh\necho ${VECTOR_EXP - 3600}\n`);
      chmodSync(join(fakeBin, 'date'), 0o755);
    });

    const shell = (env: Record<string, string>) =>
      execFileSync('bash', [script], { encoding: 'utf8', env: { ...process.env, ...env } }).trim();

    it('reproduces the test vector signature', () => {
      const link = shell({
        SECRET: VECTOR_SECRET,
        KID: 'k1',
        FILE_PATH: '/docs/report 2024.pdf',
        PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
      });
      expect(link).toBe(`/docs/report 2024.pdf?exp=${VECTOR_EXP}&kid=k1&sig=${readmeValue(/^sig: +(\S+)$/m)}`);
    });

    it('mints a link the service accepts', async () => {
      const link = shell({ SECRET: secret, KID: 'k1', FILE_PATH: '/docs/plain-file_1.txt', TTL: '60' });
      const res = await fetch(`${server.url}${link}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('plain');
    });
  });
});
