import { spawn } from 'node:child_process';

interface SoakSummary {
  passed: boolean;
  requests: number;
  byStatus: Record<string, number>;
  multiRangeRequests: number;
  abortedDownloads: number;
  bytesVerified: number;
  corruptedBytes: number;
  serverErrors: number;
  errors: number;
  firstErrors: string[];
  fdsStart: number;
  fdsEnd: number;
  serverExit: { code: number | null; signal: string | null };
  access: 'public' | 'private';
  refused: number;
}

/** Runs `scripts/soak.mjs` (what `npm run soak` runs after building) and reads its JSON summary line. */
function soak(args: string[]): Promise<{ status: number | null; summary: SoakSummary; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['scripts/soak.mjs', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (status) => {
      const last = output.trim().split('\n').pop() ?? '';
      try {
        done({ status, summary: JSON.parse(last) as SoakSummary, output });
      } catch {
        fail(new Error(`no summary from the soak:\n${output}`));
      }
    });
  });
}

/** A short soak, as CI runs it: `npm run soak` runs the same for a minute by default. */
describe('soak', () => {
  it('many clients for 15 s: zero corrupted bytes, zero 5xx, no descriptor growth, clean shutdown', async () => {
    const { status, summary, output } = await soak(['--duration', '15', '--clients', '8']);
    expect(summary.firstErrors).toEqual([]);
    expect(summary).toMatchObject({ passed: true, corruptedBytes: 0, serverErrors: 0, errors: 0, serverExit: { code: 0, signal: null } });
    expect(summary.fdsEnd).toBeLessThanOrEqual(summary.fdsStart);
    // It really exercised what it claims to.
    expect(summary.requests).toBeGreaterThan(100);
    expect(summary.multiRangeRequests).toBeGreaterThan(0);
    expect(summary.abortedDownloads).toBeGreaterThan(0);
    expect(summary.byStatus['206']).toBeGreaterThan(0);
    expect(summary.byStatus['304']).toBeGreaterThan(0);
    expect(summary.bytesVerified).toBeGreaterThan(0);
    expect(output).toContain('soak: PASSED');
    expect(status).toBe(0);
  }, 120_000);

  it('private mode for 10 s: every request through a signed link or a token, bad credentials refused exactly, nothing corrupted', async () => {
    const { status, summary, output } = await soak(['--duration', '10', '--clients', '8', '--private']);
    expect(summary.firstErrors).toEqual([]);
    expect(summary).toMatchObject({
      passed: true,
      access: 'private',
      corruptedBytes: 0,
      serverErrors: 0,
      errors: 0,
      serverExit: { code: 0, signal: null },
    });
    expect(summary.fdsEnd).toBeLessThanOrEqual(summary.fdsStart);
    expect(summary.byStatus['206']).toBeGreaterThan(0);
    expect(summary.byStatus['401']).toBeGreaterThan(0);
    expect(summary.byStatus['403']).toBeGreaterThan(0);
    expect(summary.refused).toBe(summary.byStatus['401'] + summary.byStatus['403']);
    expect(summary.bytesVerified).toBeGreaterThan(0);
    expect(output).toContain('soak: PASSED');
    expect(status).toBe(0);
  }, 120_000);

  it('fails when the bytes served differ from the file (a file changed on disk behind an unchanged ETag)', async () => {
    const { status, summary, output } = await soak(['--duration', '3', '--clients', '4', '--self-test-corrupt']);
    expect(summary.passed).toBe(false);
    expect(summary.corruptedBytes).toBeGreaterThan(0);
    expect(output).toContain('soak: FAILED');
    expect(status).toBe(1);
  }, 120_000);
});
