import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requireCommand, ServerProcess } from '../support/server-process.js';

interface Example {
  command: string;
  expected: string[];
}

/**
 * The README's API examples (section "Listing, metadata and browsers"), run as written against the
 * compiled service over the sample `files/` folder. A JSON line must have the same fields and the
 * same values except for validators and dates (which differ per checkout); any other line must
 * match exactly.
 */
function examples(): Example[] {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('## Listing, metadata and browsers');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const found: Example[] = [];
  for (const block of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('$ ')) found.push({ command: line.slice(2), expected: [] });
      else if (line !== '') found[found.length - 1].expected.push(line);
    }
  }
  return found;
}

const VARYING = new Set(['etag', 'lastModified', 'url']);

function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, VARYING.has(key) ? typeof field : comparable(field)]));
}

describe("the README's API examples", () => {
  let server: ServerProcess;
  const all = examples();

  beforeAll(async () => {
    requireCommand('curl', 'curl');
    server = await ServerProcess.start({ FILES_ROOT: 'files', CORS_ORIGINS: 'https://app.example', DIGEST: 'off', LOG_LEVEL: 'warn' });
  });
  afterAll(() => server?.stop());

  it('finds the examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
  });

  test.each(all.map((example) => [example.command, example] as const))('%s', (_command, example) => {
    const command = example.command.replaceAll('http://localhost:3000', server.url);
    const output = execFileSync('sh', ['-c', command], { encoding: 'utf8' }).replace(/\r/g, '').trimEnd().split('\n');
    expect(output).toHaveLength(example.expected.length);
    example.expected.forEach((expected, index) => {
      if (expected.startsWith('{')) expect(comparable(JSON.parse(output[index]))).toEqual(comparable(JSON.parse(expected)));
      else expect(output[index]).toBe(expected);
    });
  });
});
