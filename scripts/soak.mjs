#!/usr/bin/env node
// Soak test: `npm run soak -- [--duration 60] [--clients 16] [--max-requests 200000] [--private] [--json]`.
//
// Starts the compiled service (dist/main.js) on a loopback port over a temporary folder of random
// files, then for a fixed time many concurrent keep-alive clients send random requests: whole
// files, single ranges, suffix ranges, multi-range requests, If-Range with the right and a wrong
// validator, If-None-Match revalidations, and downloads they abort part-way. Every byte received
// is compared with the file. At the end it prints the request count, bytes verified, errors, and
// the server's RSS and open descriptors at start and end, then stops the server with SIGTERM.
// Exit code 0 only with zero corrupted bytes, zero 5xx, zero unexpected errors, no descriptor
// growth and a clean (exit 0) server shutdown. Bounded in time and count; loopback only.
// With --private the service runs with ACCESS=private: every request carries a signed link
// (half of them pinned; signed here from the README's canonical string, independently of the
// service's code) or a bearer token, and a few carry none or bad ones, which must get exactly
// 401 or 403 with the right reason and never a byte of the file.
import { spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const HOST = '127.0.0.1';
const LIMITS = { duration: 600, clients: 64, maxRequests: 1_000_000 };

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    clients: { type: 'string', default: '16' },
    'max-requests': { type: 'string', default: '200000' },
    json: { type: 'boolean', default: false },
    private: { type: 'boolean', default: false },
    // Test of the soak itself: changes a byte of a file on disk (keeping its size and mtime, so
    // its ETag stays the same) once the run has started; the run must then fail.
    'self-test-corrupt': { type: 'boolean', default: false },
  },
});
const durationSeconds = boundedInt(options.duration, 1, LIMITS.duration, '--duration');
const clientCount = boundedInt(options.clients, 1, LIMITS.clients, '--clients');
const maxRequests = boundedInt(options['max-requests'], 1, LIMITS.maxRequests, '--max-requests');

function boundedInt(text, min, max, name) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`${name} must be an integer between ${min} and ${max} (got "${text}")\n`);
    process.exit(2);
  }
  return value;
}

const MAIN = resolve('dist/main.js');
if (!existsSync(MAIN)) {
  process.stderr.write('dist/main.js is missing: run `npm run build` first\n');
  process.exit(2);
}

// ---- fixtures -------------------------------------------------------------------------------

const FIXTURE_TIME = Math.floor(Date.now() / 1000) - 3600;
const root = mkdtempSync(join(tmpdir(), 'rds-soak-'));
const files = [
  ['empty.txt', 0],
  ['small.txt', 1000],
  ['medium.bin', 1024 * 1024 + 7],
  ['large.bin', 8 * 1024 * 1024 + 13],
].map(([name, size]) => {
  const bytes = randomBytes(size);
  writeFileSync(join(root, name), bytes);
  // Whole seconds, so --self-test-corrupt can put the very same mtime back.
  utimesSync(join(root, name), FIXTURE_TIME, FIXTURE_TIME);
  return { name, bytes, size, etag: '' };
});

// ---- server ---------------------------------------------------------------------------------

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

// ---- access (--private) ------------------------------------------------------------------------

const privateMode = options.private;
const signingSecret = randomBytes(32);
const apiToken = randomBytes(32).toString('base64url');
const accessEnv = privateMode
  ? {
      ACCESS: 'private',
      SIGNING_KEYS: `soak:${signingSecret.toString('base64')}`,
      API_TOKENS: `soak:${createHash('sha256').update(apiToken).digest('hex')}`,
      AUTH_FAILURE_LIMIT: '0', // the bad credentials below are on purpose
    }
  : { ACCESS: 'public' };

/** A signed link's query for `/name` (README: canonical string), optionally pinned to the file's version. */
function signedQuery(file, { pin = false, expires = Math.floor(Date.now() / 1000) + 3600 } = {}) {
  const version = pin ? file.etag.slice(1, -1) : '';
  const canonical = ['rds-link-v1', `/${file.name}`, String(expires), version, '', ''].join('\n');
  const sig = createHmac('sha256', signingSecret).update(canonical).digest('base64url');
  return `exp=${expires}&kid=soak${pin ? `&v=${encodeURIComponent(version)}` : ''}&sig=${sig}`;
}

/**
 * The credentials of one request in private mode: the path to ask for, extra headers, and, for
 * the few that must be refused, the status and reason expected instead of the file.
 */
function withCredentials(file, plan) {
  const path = `/${file.name}`;
  if (!privateMode) return { path, plan };
  const roll = random(100);
  const bearer = { Authorization: `Bearer ${apiToken}` };
  if (roll < 25) return { path: `${path}?${signedQuery(file)}`, plan };
  if (roll < 50) return { path: `${path}?${signedQuery(file, { pin: true })}`, plan };
  if (roll < 92) return { path, plan: { ...plan, headers: { ...plan.headers, ...bearer } } };
  const refused = (status, reason) => ({ kind: 'refused', status, reason, headers: plan.headers });
  if (roll < 94) return { path, plan: refused(401, undefined) };
  if (roll < 96)
    return {
      path: `${path}?${signedQuery(file).replace(/sig=./, (m) => (m === 'sig=A' ? 'sig=B' : 'sig=A'))}`,
      plan: refused(403, 'bad-signature'),
    };
  if (roll < 98)
    return { path: `${path}?${signedQuery(file, { expires: Math.floor(Date.now() / 1000) - 1 })}`, plan: refused(403, 'expired') };
  return { path, plan: { ...refused(403, 'bad-token'), headers: { ...plan.headers, Authorization: 'Bearer not-the-token' } } };
}

const port = await freePort();
const serverOutput = [];
const server = spawn(process.execPath, [MAIN], {
  env: { ...process.env, FILES_ROOT: root, HOST, PORT: String(port), LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '10000', ...accessEnv },
  stdio: ['ignore', 'pipe', 'pipe'],
});
for (const stream of [server.stdout, server.stderr]) {
  stream.on('data', (chunk) => {
    serverOutput.push(chunk.toString());
    if (serverOutput.length > 200) serverOutput.shift();
  });
}
const serverExit = new Promise((done) => server.once('exit', (code, signal) => done({ code, signal })));

function descriptors() {
  return readdirSync(`/proc/${server.pid}/fd`).length;
}

function rssBytes() {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---- one HTTP exchange ------------------------------------------------------------------------

/**
 * Sends one GET and collects the response. With `abortAfter`, the client hangs up once that many
 * body bytes arrived (the response is then `aborted`, with what came so far).
 */
function exchange(agent, path, headers, abortAfter) {
  return new Promise((done, fail) => {
    // Without an agent: a one-off connection that closes, so it is not counted as the server's descriptor.
    const req = request({ host: HOST, port, path, headers, agent: agent ?? false }, (res) => {
      const chunks = [];
      let received = 0;
      let finished = false;
      res.on('data', (chunk) => {
        chunks.push(chunk);
        received += chunk.length;
        if (abortAfter !== undefined && received >= abortAfter && !finished) {
          finished = true;
          req.destroy();
          done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), aborted: true });
        }
      });
      res.on('end', () => {
        if (finished) return;
        finished = true;
        done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), aborted: false });
      });
      res.on('error', (error) => {
        if (!finished) fail(error);
      });
    });
    req.on('error', (error) => fail(error));
    req.end();
  });
}

// ---- random requests and their verification ----------------------------------------------------

const random = (n) => Math.floor(Math.random() * n);

function randomRange(size, longest = 256 * 1024) {
  const start = random(size);
  const end = Math.min(size - 1, start + random(Math.max(1, Math.min(size, longest))));
  return { start, end };
}

/** A random request for `file`, with what a correct server may answer. */
function randomRequest(file) {
  const roll = random(100);
  if (file.size === 0 || roll < 10) return { kind: 'full', headers: {} };
  if (roll < 15) return { kind: 'not-modified', headers: { 'If-None-Match': file.etag } };
  if (roll < 40) {
    const { start, end } = randomRange(file.size);
    return { kind: 'range', headers: { Range: `bytes=${start}-${end}` }, ranges: [{ start, end }] };
  }
  if (roll < 47) {
    const length = 1 + random(Math.min(file.size, 64 * 1024));
    return { kind: 'range', headers: { Range: `bytes=-${length}` }, ranges: [{ start: file.size - length, end: file.size - 1 }] };
  }
  if (roll < 52) {
    const start = random(file.size);
    return { kind: 'range', headers: { Range: `bytes=${start}-`, 'If-Range': file.etag }, ranges: [{ start, end: file.size - 1 }] };
  }
  if (roll < 55) {
    // A validator that no longer matches: the whole current file, 200.
    return { kind: 'full', headers: { Range: `bytes=0-99`, 'If-Range': '"stale-0"' } };
  }
  if (roll < 80) {
    const ranges = Array.from({ length: 2 + random(4) }, () => randomRange(file.size, Math.ceil(file.size / 8)));
    const header = ranges.map(({ start, end }) => `${start}-${end}`).join(',');
    return { kind: 'range', headers: { Range: `bytes=${header}` }, ranges };
  }
  // Downloads abandoned part-way: whole files and long ranges.
  const start = random(Math.max(1, file.size - 1));
  const headers = roll < 90 ? {} : { Range: `bytes=${start}-` };
  const expected = roll < 90 ? { kind: 'full' } : { kind: 'range', ranges: [{ start, end: file.size - 1 }] };
  return { ...expected, headers, abortAfter: 1 + random(Math.max(1, Math.min(file.size, 4 * 1024 * 1024))) };
}

/** Merged, sorted byte intervals (inclusive). */
function union(ranges) {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end + 1) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

class Mismatch extends Error {}

/** Counts body bytes that differ from the file at `offset` (a prefix when the download was aborted). */
function compare(file, offset, bytes, stats) {
  const expected = file.bytes.subarray(offset, offset + bytes.length);
  if (expected.length !== bytes.length) throw new Mismatch(`${file.name}: ${bytes.length} bytes at ${offset} run past the end`);
  if (!expected.equals(bytes)) {
    let wrong = 0;
    for (let index = 0; index < bytes.length; index += 1) if (bytes[index] !== expected[index]) wrong += 1;
    stats.corruptedBytes += wrong;
    throw new Mismatch(`${file.name}: ${wrong} corrupted bytes at offset ${offset}`);
  }
  stats.bytesVerified += bytes.length;
}

function parseContentRange(value, file) {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  if (!match || Number(match[3]) !== file.size) throw new Mismatch(`${file.name}: bad Content-Range ${value}`);
  return { start: Number(match[1]), end: Number(match[2]) };
}

/** Splits a complete multipart/byteranges body (RFC 9110 §14.6) into its parts, strictly. */
function parseMultipart(body, contentType, file) {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) throw new Mismatch(`${file.name}: no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let position = body.indexOf(delimiter);
  if (position !== 0) throw new Mismatch(`${file.name}: multipart body does not start with the boundary`);
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 4).toString() === '--\r\n') {
      if (position + 4 !== body.length) throw new Mismatch(`${file.name}: bytes after the closing boundary`);
      return parts;
    }
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const header = body.subarray(position + 2, headerEnd).toString('latin1');
    const range = parseContentRange(/content-range: *([^\r\n]+)/i.exec(header)?.[1], file);
    const start = headerEnd + 4;
    const length = range.end - range.start + 1;
    parts.push({ range, body: body.subarray(start, start + length) });
    position = start + length;
    if (body.subarray(position, position + 2).toString() !== '\r\n') throw new Mismatch(`${file.name}: part longer than its Content-Range`);
    position += 2;
    if (body.indexOf(delimiter, position) !== position) throw new Mismatch(`${file.name}: missing boundary after a part`);
  }
}

function verify(file, plan, response, stats) {
  const { status, headers, body, aborted } = response;
  if (status >= 500) {
    stats.serverErrors += 1;
    throw new Mismatch(`${file.name}: ${status} for ${JSON.stringify(plan.headers)}`);
  }
  if (plan.kind === 'refused') {
    let reason;
    try {
      reason = JSON.parse(body.toString()).reason;
    } catch {
      throw new Mismatch(`${file.name}: ${status} without a JSON body where ${plan.status} was expected`);
    }
    if (status !== plan.status || reason !== plan.reason || headers.etag !== undefined) {
      throw new Mismatch(`${file.name}: ${status} ${reason} where ${plan.status} ${plan.reason} was expected`);
    }
    stats.refused += 1;
    return;
  }
  if (headers.etag !== undefined && headers.etag !== file.etag)
    throw new Mismatch(`${file.name}: ETag ${headers.etag}, expected ${file.etag}`);
  if (plan.kind === 'not-modified') {
    if (status !== 304 || body.length !== 0) throw new Mismatch(`${file.name}: expected 304, got ${status}`);
    return;
  }
  if (status === 200) {
    const requested = plan.kind === 'range' ? plan.ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0) : 0;
    // A multi-range request asking for more than the whole file is answered with the whole file.
    if (plan.kind === 'range' && !(plan.ranges.length > 1 && requested > file.size))
      throw new Mismatch(`${file.name}: 200 for ${plan.headers.Range}`);
    if (!aborted && body.length !== file.size) throw new Mismatch(`${file.name}: 200 with ${body.length} of ${file.size} bytes`);
    compare(file, 0, body, stats);
    return;
  }
  if (status !== 206 || plan.kind !== 'range') throw new Mismatch(`${file.name}: unexpected ${status} for ${JSON.stringify(plan.headers)}`);
  const contentType = String(headers['content-type'] ?? '');
  let served;
  if (contentType.startsWith('multipart/byteranges')) {
    // This soak abandons only whole-file and single-range downloads.
    if (aborted) throw new Mismatch(`${file.name}: an aborted multipart response was not expected`);
    const parts = parseMultipart(body, contentType, file);
    for (const part of parts) compare(file, part.range.start, part.body, stats);
    served = parts.map((part) => part.range);
  } else {
    const range = parseContentRange(headers['content-range'], file);
    if (!aborted && body.length !== range.end - range.start + 1)
      throw new Mismatch(`${file.name}: 206 body of ${body.length} bytes for ${headers['content-range']}`);
    compare(file, range.start, body, stats);
    served = [range];
  }
  if (aborted) return;
  // The parts must cover exactly the bytes asked for (overlapping and adjacent ranges may be merged).
  if (JSON.stringify(union(served)) !== JSON.stringify(union(plan.ranges))) {
    throw new Mismatch(`${file.name}: served ${JSON.stringify(served)} for ${plan.headers.Range}`);
  }
}

// ---- run ---------------------------------------------------------------------------------------

const stats = {
  requests: 0,
  byStatus: {},
  multiRange: 0,
  aborted: 0,
  refused: 0,
  bytesVerified: 0,
  corruptedBytes: 0,
  serverErrors: 0,
  errors: 0,
  firstErrors: [],
};

function recordError(message) {
  stats.errors += 1;
  if (stats.firstErrors.length < 10) stats.firstErrors.push(message);
}

async function waitUntilReady() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited early:\n${serverOutput.join('')}`);
    try {
      const res = await exchange(undefined, '/.readyz', {});
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('server did not become ready');
}

async function settledDescriptors(atMost) {
  // Closed sockets leave the server's table a moment after the client side closes.
  const deadline = Date.now() + 10_000;
  let count = descriptors();
  while (count > atMost && Date.now() < deadline) {
    await sleep(100);
    count = descriptors();
  }
  return count;
}

function corruptOnDisk(file) {
  const path = join(root, file.name);
  const changed = Buffer.from(file.bytes);
  changed[random(changed.length)] ^= 0xff;
  writeFileSync(path, changed);
  utimesSync(path, FIXTURE_TIME, FIXTURE_TIME);
}

let exitCode = 1;
try {
  await waitUntilReady();
  for (const file of files) {
    const res = await exchange(undefined, `/${file.name}`, {
      Range: 'bytes=0-0',
      ...(privateMode ? { Authorization: `Bearer ${apiToken}` } : {}),
    });
    file.etag = res.headers.etag;
  }
  await sleep(300);
  const start = { rss: rssBytes(), fds: descriptors() };
  if (options['self-test-corrupt']) corruptOnDisk(files.find((file) => file.name === 'small.txt'));

  const agent = new Agent({ keepAlive: true, maxSockets: clientCount });
  const deadline = Date.now() + durationSeconds * 1000;
  let issued = 0;
  async function client() {
    while (Date.now() < deadline && issued < maxRequests) {
      issued += 1;
      const file = files[random(files.length)];
      const { path, plan } = withCredentials(file, randomRequest(file));
      try {
        const response = await exchange(agent, path, plan.headers, plan.abortAfter);
        stats.requests += 1;
        stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
        if (plan.kind === 'range' && plan.ranges.length > 1) stats.multiRange += 1;
        if (response.aborted) stats.aborted += 1;
        verify(file, plan, response, stats);
      } catch (error) {
        recordError(
          error instanceof Mismatch ? error.message : `${file.name} ${JSON.stringify(plan.headers)}: ${error.code ?? error.message}`,
        );
      }
    }
  }
  await Promise.all(Array.from({ length: clientCount }, client));
  agent.destroy();
  const end = { rss: rssBytes(), fds: await settledDescriptors(start.fds) };

  server.kill('SIGTERM');
  const exit = await serverExit;
  const summary = {
    durationSeconds,
    clients: clientCount,
    access: privateMode ? 'private' : 'public',
    refused: stats.refused,
    requests: stats.requests,
    byStatus: stats.byStatus,
    multiRangeRequests: stats.multiRange,
    abortedDownloads: stats.aborted,
    bytesVerified: stats.bytesVerified,
    corruptedBytes: stats.corruptedBytes,
    serverErrors: stats.serverErrors,
    errors: stats.errors,
    firstErrors: stats.firstErrors,
    rssStart: start.rss,
    rssEnd: end.rss,
    fdsStart: start.fds,
    fdsEnd: end.fds,
    serverExit: exit,
  };
  const passed =
    summary.corruptedBytes === 0 &&
    summary.serverErrors === 0 &&
    summary.errors === 0 &&
    summary.fdsEnd <= summary.fdsStart &&
    exit.code === 0 &&
    summary.requests > 0;
  const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const lines = [
    `soak: ${summary.requests} requests in ${durationSeconds} s with ${clientCount} clients (${summary.multiRangeRequests} multi-range, ${summary.abortedDownloads} aborted on purpose)`,
    ...(privateMode
      ? [`access: private, through signed links and a token; ${summary.refused} bad or missing credentials refused as expected`]
      : []),
    `status codes: ${JSON.stringify(summary.byStatus)}`,
    `bytes verified: ${summary.bytesVerified} (${mib(summary.bytesVerified)}), corrupted bytes: ${summary.corruptedBytes}`,
    `5xx: ${summary.serverErrors}, errors: ${summary.errors}${summary.firstErrors.length ? `\n  ${summary.firstErrors.join('\n  ')}` : ''}`,
    `server RSS: ${mib(summary.rssStart)} -> ${mib(summary.rssEnd)}; open descriptors: ${summary.fdsStart} -> ${summary.fdsEnd}`,
    `server exit after SIGTERM: code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''}`,
    passed ? 'soak: PASSED' : 'soak: FAILED',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ passed, ...summary })}\n`);
  exitCode = passed ? 0 : 1;
} catch (error) {
  process.stderr.write(`soak could not run: ${error.message}\n`);
} finally {
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
process.exit(exitCode);
