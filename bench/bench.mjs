#!/usr/bin/env node
// The benchmark (bench/README.md): our service built for production against express.static,
// @fastify/static and, when installed, nginx with sendfile, on loopback over one generated fixture
// folder. Runs are interleaved (A B C A B C …); every figure is the median over the rounds and a
// ratio to express.static from the same run. It asserts nothing: it prints a markdown table.
//
//   npm run bench                 full run (1 GiB file, 5 rounds; about 25 minutes)
//   npm run bench -- --quick      64 MiB file, 2 short rounds (about 5 minutes)
//   options: --rounds N  --duration SECONDS  --only ours,express  --scenarios smallFile,floor
//            --out FILE  --no-build  --autocannon
// Adding a scenario (issue 10's listing, for one): see SCENARIOS below and bench/README.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from './latency-client.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const FIXTURES = join(BENCH, 'fixtures');
const WORK = join(BENCH, '.work');
const MiB = 1024 * 1024;

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const QUICK = flag('quick');
const settings = {
  bigSize: QUICK ? 64 * MiB : 1024 * MiB,
  rounds: Number(option('rounds', QUICK ? 2 : 5)),
  duration: Number(option('duration', QUICK ? 2 : 4)), // seconds per request-rate measurement
  connections: 64,
  slowClients: 200,
  slowRate: 256 * 1024, // bytes per second per slow client
  slowSeconds: QUICK ? 4 : 10,
  slowRounds: QUICK ? 1 : 2,
  ttfbSamples: QUICK ? 5 : 15,
};
/** The steady-state latency phase after each request-rate measurement (bench/latency-client.mjs). */
settings.latencySeconds = Math.max(2, settings.duration / 2);

// ---------------------------------------------------------------------------------------------
// Fixtures: a big file (1 GiB), a 1 MiB file and a small text file. Generated, never committed.

function ensureFixtures() {
  mkdirSync(FIXTURES, { recursive: true });
  const big = join(FIXTURES, QUICK ? 'big-64m.bin' : 'big-1g.bin');
  if (!existsSync(big) || statSync(big).size !== settings.bigSize) {
    log(`generating ${big} (${settings.bigSize / MiB} MiB)`);
    // 1 MiB of pseudo-random bytes, each copy shifted so no two MiB are identical.
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < MiB; i++) block[i] = (i * 2654435761) >>> 24;
    const fd = createWriteStream(big);
    let written = 0;
    const writeMore = () => {
      while (written < settings.bigSize) {
        const copy = Buffer.from(block);
        copy.writeUInt32BE(written / MiB, 0);
        written += MiB;
        if (!fd.write(copy)) return fd.once('drain', writeMore);
      }
      fd.end();
    };
    writeMore();
    return new Promise((done) => fd.on('finish', done)).then(() => finishFixtures(big));
  }
  return finishFixtures(big);
}

function finishFixtures(big) {
  const medium = join(FIXTURES, 'medium-1m.bin');
  if (!existsSync(medium) || statSync(medium).size !== MiB) {
    const bytes = Buffer.alloc(MiB);
    for (let i = 0; i < MiB; i++) bytes[i] = (i * 40503) >>> 8;
    writeFileSync(medium, bytes);
  }
  const small = join(FIXTURES, 'small.txt');
  if (!existsSync(small)) writeFileSync(small, 'A small text file served by the benchmark.\n'.repeat(8)); // 344 bytes
  return { big: `/${big.split('/').pop()}`, bigSize: statSync(big).size, medium: '/medium-1m.bin', small: '/small.txt' };
}

// ---------------------------------------------------------------------------------------------
// Servers. Each is a separate process on a free loopback port, started once and kept for the run
// (restarted only where a scenario needs a fresh process).

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function hasCommand(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** First line a tool prints about its version (wrk exits 1 after printing it, nginx prints it on stderr). */
function commandVersion(command, versionArgs) {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0].trim() || `${command} (unknown version)`;
}

const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find(existsSync);

function serverDefinitions() {
  const node = (script, env = {}) => ({ command: 'node', args: [script], env });
  // The production build with the bench-only root module that adds GET /.bench-floor (bench/floor/main.mjs).
  const ours = (env) => node(join(BENCH, 'floor/main.mjs'), { HOST: '127.0.0.1', ...env });
  const definitions = [
    { name: 'ours', label: 'ours (1 process)', digest: true, single: true, ...ours({ WORKERS: '1' }) },
    { name: 'ours-cluster', label: 'ours (WORKERS=auto)', digest: true, ...ours({ WORKERS: 'auto' }) },
    { name: 'express', label: 'express.static', ...node(join(BENCH, 'servers/express-static.mjs')) },
    { name: 'fastify', label: '@fastify/static', ...node(join(BENCH, 'servers/fastify-static.mjs')) },
  ];
  if (nginxBinary) definitions.push({ name: 'nginx', label: 'nginx (sendfile)', nginx: true });
  const only = option('only', '');
  return only ? definitions.filter((d) => only.split(',').includes(d.name) || d.name === 'express') : definitions;
}

/** Keeps the last `limit` bytes a child wrote (for error messages), so a long run's access log is not held in memory. */
function tail(limit = 64 * 1024) {
  let chunks = [];
  let size = 0;
  return {
    push(chunk) {
      chunks.push(chunk);
      size += chunk.length;
      while (size - chunks[0].length > limit) size -= chunks.shift().length;
    },
    text: () => Buffer.concat(chunks).toString('utf8').slice(-limit),
    clear: () => ((chunks = []), (size = 0)),
  };
}

async function startServer(definition) {
  const port = await freePort();
  let child;
  if (definition.nginx) {
    const dir = join(WORK, 'nginx');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `daemon off;
worker_processes auto;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${FIXTURES};
    location = /.bench-floor { default_type text/plain; return 200 "framework floor ok\\n"; }
  }
}
`,
    );
    child = spawn(nginxBinary, ['-c', conf, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    child = spawn(definition.command, definition.args, {
      cwd: REPO,
      env: { ...process.env, NODE_ENV: 'production', FILES_ROOT: FIXTURES, PORT: String(port), ...definition.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  // Both pipes are drained at once: our access log writes a line per request to stdout, and a full
  // pipe would stall the server (bench/README.md). Only the tail is kept.
  const output = tail();
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const server = { ...definition, port, child, url: `http://127.0.0.1:${port}`, output };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${definition.name} exited: ${output.text()}`);
    const answer = await httpGet(server, '/.bench-floor').catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${definition.name} did not start: ${output.text()}`);
    await sleep(100);
  }
  return server;
}

async function stopServer(server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill(server.nginx ? 'SIGQUIT' : 'SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------
// Measurements.

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function log(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** One request, body counted (not kept); resolves with status, headers and time to first byte. */
function httpGet(server, path, headers = {}, method = 'GET') {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const req = request(`${server.url}${path}`, { method, headers, agent: false }, (res) => {
      const ttfbMs = Number(process.hrtime.bigint() - started) / 1e6;
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, bytes, ttfbMs }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

function curl(curlArgs) {
  return new Promise((done, fail) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', ...curlArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`curl ${curlArgs.join(' ')} exited ${code}`))));
  });
}

/** Every process of a server: the one started and its descendants (cluster workers, nginx workers). */
function processTree(pid) {
  const pids = [];
  const visit = (id) => {
    pids.push(id);
    try {
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(' ') : []) visit(child);
      }
    } catch {
      // the process went away between two reads
    }
  };
  visit(pid);
  return pids;
}

/** Resident set size of a server's process tree, bytes. */
function treeRss(pid) {
  let total = 0;
  for (const id of processTree(pid)) {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${id}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, all threads: the digest worker and libuv's pool included) used so far
 * by a server's process tree, in seconds, from /proc/PID/stat. A process that exits in between is
 * not counted; none does during a measurement.
 */
function treeCpuSeconds(pid) {
  let ticks = 0;
  for (const id of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS;
}

/** Scenario 1: one download of the big file, MB/s (10^6 bytes per second). */
async function throughput(server, files) {
  const out = await curl(['-w', '%{http_code} %{size_download} %{time_total}', `${server.url}${files.big}`]);
  const [status, size, seconds] = out.trim().split(' ');
  if (status !== '200' || Number(size) !== files.bigSize) throw new Error(`${server.name}: throughput got ${out}`);
  return Number(size) / Number(seconds) / 1e6;
}

/**
 * Until the server's responses for `path` carry Repr-Digest (our servers; a no-op for the
 * baselines). Four answers in a row, each on a new connection: with WORKERS=auto, node:cluster
 * hands connections to the workers in turn, and each worker has its own digest cache.
 */
async function digestKnown(server, path) {
  if (!server.digest) return;
  const deadline = Date.now() + 120_000;
  for (let inARow = 0; inARow < 4;) {
    inARow = (await httpGet(server, path, {}, 'HEAD')).headers['repr-digest'] ? inARow + 1 : 0;
    if (Date.now() > deadline) throw new Error(`${server.name}: no steady Repr-Digest for ${path} after 120 s`);
    if (inARow === 0) await sleep(100);
  }
}

/**
 * Scenario 1b: the first download of the big file by a freshly started process, which has never
 * hashed it: for ours, the request queues the file's hashing, so the digest worker reads and hashes
 * the same 1 GiB while it is being sent. Returns MB/s, and (for the single process, whose one
 * cache a HEAD can ask) whether the hashing was done by the time the download ended. The response
 * must go out without a digest, or the measurement is not what it says.
 */
async function firstDownload(server, files) {
  const out = await curl(['-D', '-', '-w', '\n%{http_code} %{size_download} %{time_total}', `${server.url}${files.big}`]);
  const lines = out.trim().split(/\r?\n/);
  const [status, size, seconds] = lines.at(-1).split(' ');
  if (status !== '200' || Number(size) !== files.bigSize) throw new Error(`${server.name}: first download got ${lines.at(-1)}`);
  const hadDigest = lines.some((line) => /^repr-digest:/i.test(line));
  if (server.digest && hadDigest) throw new Error(`${server.name}: the "first" download already carried Repr-Digest`);
  const hashedBy = server.single ? Boolean((await httpGet(server, files.big, {}, 'HEAD')).headers['repr-digest']) : undefined;
  return { mbps: Number(size) / Number(seconds) / 1e6, hashedBy };
}

/** Scenario 2: 8 parallel ranged downloads covering the big file; wall time in seconds. */
async function segmented(server, files) {
  const parts = 8;
  const step = Math.ceil(files.bigSize / parts);
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    Array.from({ length: parts }, (_, i) => {
      const start = i * step;
      const end = Math.min(files.bigSize, start + step) - 1;
      return curl(['-w', '%{http_code} %{size_download}', '-r', `${start}-${end}`, `${server.url}${files.big}`]).then((out) => ({
        out,
        expected: end - start + 1,
      }));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const { out, expected } of results) {
    const [status, size] = out.trim().split(' ');
    if (status !== '206' || Number(size) !== expected) throw new Error(`${server.name}: segment got ${out}`);
  }
  return seconds;
}

const useWrk = hasCommand('wrk') && !flag('autocannon');

/** Parses a wrk latency figure ("12.34ms", "1.20s", "870.00us") to ms. */
function wrkMs(text) {
  const [, value, unit] = /([\d.]+)(us|ms|s|m)/.exec(text);
  return Number(value) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[unit];
}

/**
 * Scenarios 3, 4, 5, 7: request rate with 64 connections (wrk -t2 --latency, else autocannon);
 * every answer must have `expectStatus`. Also the server's CPU time per request (its process
 * tree's utime + stime from /proc before and after the load, over the requests answered), and
 * the p99 as the load generator reports it. Then a steady-state latency phase
 * (bench/latency-client.mjs): p99 of the requests after each connection's first answer, and when
 * the last of the 64 connections opened at once got its first answer.
 */
async function requestRate(server, path, headers, expectStatus) {
  const check = await httpGet(server, path, headers);
  if (check.status !== expectStatus) throw new Error(`${server.name} ${path}: expected ${expectStatus}, got ${check.status}`);
  const cpuBefore = treeCpuSeconds(server.child.pid);
  let rate;
  let requests;
  let toolP99;
  if (useWrk) {
    const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    // --timeout: wrk's default of 2 s counts as an error the first answer on a connection that a
    // slow server admits late (bench/README.md, "Where the time goes, round 2").
    const out = await run('wrk', [
      '-t2',
      `-c${settings.connections}`,
      `-d${settings.duration}s`,
      '--timeout',
      '30s',
      '--latency',
      ...headerArgs,
      `${server.url}${path}`,
    ]);
    const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const errors = /Socket errors: (.*)/.exec(out);
    if (bad || errors) throw new Error(`${server.name} ${path}: wrk saw failures:\n${out}`);
    rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    requests = Number(/(\d+) requests in/.exec(out)[1]);
    toolP99 = wrkMs(/^\s+99%\s+(\S+)/m.exec(out)[1]);
  } else {
    const { default: autocannon } = await import('autocannon');
    const result = await autocannon({
      url: `${server.url}${path}`,
      connections: settings.connections,
      duration: settings.duration,
      headers,
    });
    const codes = Object.keys(result.statusCodeStats ?? {});
    if (result.errors > 0 || codes.some((code) => Number(code) !== expectStatus))
      throw new Error(`${server.name} ${path}: status codes ${codes}, ${result.errors} errors`);
    rate = result.requests.average;
    requests = result.requests.total;
    toolP99 = result.latency.p99;
  }
  const cpuUsPerRequest = ((treeCpuSeconds(server.child.pid) - cpuBefore) / requests) * 1e6;
  const steady = await steadyLatency(server, path, headers, expectStatus);
  return { value: rate, cpuUsPerRequest, toolP99, ...steady };
}

function run(command, commandArgs) {
  return new Promise((done, fail) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let errors = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('close', (code) => (code === 0 ? done(text) : fail(new Error(`${command} exited ${code}: ${errors}`))));
  });
}

/** Two latency-client processes of 32 connections each, side by side (as wrk's two threads). */
async function steadyLatency(server, path, headers, expectStatus) {
  const half = settings.connections / 2;
  const clientArgs = [
    join(BENCH, 'latency-client.mjs'),
    `${server.url}${path}`,
    String(half),
    String(settings.latencySeconds),
    '--json',
    '--status',
    String(expectStatus),
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
  ];
  const results = (await Promise.all([run('node', clientArgs), run('node', clientArgs)])).map((text) => JSON.parse(text));
  const unexpected = results.reduce((n, r) => n + r.unexpected + r.errors, 0);
  if (unexpected > 0) throw new Error(`${server.name} ${path}: ${unexpected} answers without status ${expectStatus} or socket errors`);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const first = results.flatMap((r) => r.first);
  return { steadyP99: quantile(latencies, 0.99), lastAdmittedMs: Math.max(...first) };
}

/**
 * Scenario 6: `slowClients` clients each read the big file at about `slowRate` bytes per second for
 * `slowSeconds`; the server's RSS is sampled from /proc every 50 ms. Returns the peak and the idle RSS.
 */
async function slowClients(server, files) {
  await sleep(300);
  const idle = treeRss(server.child.pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(server.child.pid))), 50);
  const requests = [];
  let received = 0;
  let failures = 0;
  const startedAt = Date.now();
  for (let i = 0; i < settings.slowClients; i++) {
    requests.push(
      new Promise((done) => {
        const req = request(`${server.url}${files.big}`, { agent: false }, (res) => {
          if (res.statusCode !== 200) failures++;
          let got = 0;
          const began = Date.now();
          res.on('data', (chunk) => {
            got += chunk.length;
            received += chunk.length;
            const aheadMs = (got / settings.slowRate) * 1000 - (Date.now() - began);
            if (aheadMs > 0) {
              res.pause();
              setTimeout(() => res.resume(), aheadMs);
            }
          });
          res.on('error', () => done());
          res.on('close', done);
        });
        req.on('error', () => {
          failures++;
          done();
        });
        req.end();
        setTimeout(() => req.destroy(), settings.slowSeconds * 1000);
      }),
    );
  }
  await Promise.all(requests);
  clearInterval(sampler);
  const seconds = (Date.now() - startedAt) / 1000;
  return { peak, idle, failures, rate: received / seconds / settings.slowClients };
}

/** Time to first byte of a 64 KiB range at the start and at the end of the big file, ms. */
async function ttfb(server, files) {
  const span = 64 * 1024;
  const start = [];
  const end = [];
  for (let i = 0; i < settings.ttfbSamples; i++) {
    // Alternate which goes first, so neither side always meets a warmer server.
    const order = i % 2 === 0 ? ['start', 'end'] : ['end', 'start'];
    for (const where of order) {
      const from = where === 'start' ? 0 : files.bigSize - span;
      const result = await httpGet(server, files.big, { range: `bytes=${from}-${from + span - 1}` });
      if (result.status !== 206 || result.bytes !== span) throw new Error(`${server.name}: ttfb range got ${result.status}`);
      (where === 'start' ? start : end).push(result.ttfbMs);
    }
  }
  return { start: median(start), end: median(end) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// ---------------------------------------------------------------------------------------------
// The scenarios of the interleaved rounds. Each runs once per server per round; `run` returns a
// number, or an object whose `value` is the figure and whose other fields are reported in extra
// rows (`extra`). Optional: `servers` (names of the servers it applies to; the others show "–"),
// `prepare(files)` (once, before any server starts: generate a fixture; may add to `files`).
//
// Issue 10 (listing a 100,000-file folder) belongs here, e.g.
//   { key: 'listing', title: '8. listing a 100,000-file folder: first page', unit: 'ms', better: 'lower',
//     servers: ['ours', 'ours-cluster'], prepare: makeListingFixture, run: timeListingPages,
//     extra: { lastPageMs: { title: '8. … last page', unit: 'ms', better: 'lower' } } },
// with `makeListingFixture(files)` writing bench/fixtures/listing/ (100,000 empty files) and
// setting files.listing, and `timeListingPages(server, files)` returning
// { value: firstPageMs, lastPageMs } (bench/README.md, "Adding a scenario").

/** The rows a request-rate scenario adds under its req/s row. */
const REQUEST_RATE_EXTRA = {
  cpuUsPerRequest: { title: '… server CPU per request', unit: 'µs', better: 'lower' },
  steadyP99: { title: '… p99 latency, steady state', unit: 'ms', better: 'lower' },
  toolP99: { title: `… p99 latency as ${useWrk ? 'wrk' : 'autocannon'} reports it`, unit: 'ms', better: 'lower' },
  lastAdmittedMs: { title: '… first answer on the last of 64 connections opened at once', unit: 'ms', better: 'lower' },
};

const SCENARIOS = [
  {
    key: 'throughput',
    title: '1. throughput: one download of the big file, digest already known (steady state)',
    unit: 'MB/s',
    better: 'higher',
    run: throughput,
  },
  { key: 'segmented', title: '2. segmented: 8 parallel ranged downloads', unit: 's wall', better: 'lower', run: segmented },
  {
    key: 'smallRange',
    title: '3. small range (`bytes=1000-4999` of 1 MiB), 64 conns',
    unit: 'req/s',
    better: 'higher',
    extra: REQUEST_RATE_EXTRA,
    run: (s, f) => requestRate(s, f.medium, { range: 'bytes=1000-4999' }, 206),
  },
  {
    key: 'smallFile',
    title: '4. small file (344 B text), 64 conns',
    unit: 'req/s',
    better: 'higher',
    extra: REQUEST_RATE_EXTRA,
    run: (s, f) => requestRate(s, f.small, {}, 200),
  },
  {
    key: 'revalidation',
    title: '5. revalidation (`If-None-Match`, all 304), 64 conns',
    unit: 'req/s',
    better: 'higher',
    extra: REQUEST_RATE_EXTRA,
    run: (s, f) => requestRate(s, f.small, { 'if-none-match': s.etag }, 304),
  },
  {
    key: 'floor',
    title: '7. framework floor (constant 19-byte route), 64 conns',
    unit: 'req/s',
    better: 'higher',
    extra: REQUEST_RATE_EXTRA,
    run: (s) => requestRate(s, '/.bench-floor', {}, 200),
  },
];

/** `--scenarios a,b` runs only those (keys: the SCENARIOS above, plus firstDownload ttfb slow). */
function selected({ key }) {
  const wanted = option('scenarios', '');
  return !wanted || wanted.split(',').includes(key);
}

const appliesTo = (scenario, server) => !scenario.servers || scenario.servers.includes(server.name);

async function restart(servers, i) {
  await stopServer(servers[i]);
  servers[i] = await startServer(servers[i]);
  return servers[i];
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg();
  if (!flag('no-build') && serverDefinitions().some((d) => d.name.startsWith('ours'))) {
    log('building the service (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  mkdirSync(WORK, { recursive: true });
  const files = await ensureFixtures();
  const scenarios = SCENARIOS.filter(selected);
  for (const scenario of scenarios) await scenario.prepare?.(files);
  const definitions = serverDefinitions();
  log(
    `servers: ${definitions.map((d) => d.name).join(', ')}${nginxBinary ? '' : ' (nginx not installed: skipped; apt-get install nginx-light)'}`,
  );
  log(`request rates with ${useWrk ? 'wrk' : 'autocannon'}; ${settings.rounds} rounds, big file ${files.bigSize / MiB} MiB`);

  const servers = [];
  // Interrupted: stop the servers first. They write their logs into pipes this process reads, and
  // one left behind without its reader may never exit (bench/README.md, "Noticed").
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      log(`${signal}: stopping the servers`);
      Promise.all(servers.map(stopServer)).finally(() => process.exit(130));
    });
  for (const definition of definitions) servers.push(await startServer(definition));
  const results = Object.fromEntries(servers.map((s) => [s.name, { samples: {}, slow: [], ttfb: [], first: [], idle: [] }]));
  const record = (server, key, value) => (results[server.name].samples[key] ??= []).push(value);
  try {
    for (const server of servers) {
      server.etag = (await httpGet(server, files.small)).headers.etag;
      // Warm-up: JIT, page cache, keep-alive paths; and every digest computed, so scenario 1 is the steady state.
      await throughput(server, files);
      await requestRate(server, files.small, {}, 200).catch(() => undefined);
      for (const path of [files.big, files.medium, files.small]) await digestKnown(server, path);
    }
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of scenarios) {
        // Interleaved: every server once per scenario per round, in an order rotated each round.
        const order = servers.map((_, i) => servers[(i + round) % servers.length]);
        for (const server of order) {
          if (!appliesTo(scenario, server)) continue;
          const outcome = await scenario.run(server, files);
          const { value, ...extra } = typeof outcome === 'number' ? { value: outcome } : outcome;
          record(server, scenario.key, value);
          for (const [key, figure] of Object.entries(extra)) record(server, `${scenario.key}.${key}`, figure);
        }
      }
      if (selected({ key: 'ttfb' })) for (const server of servers) results[server.name].ttfb.push(await ttfb(server, files));
      log(`round ${round}/${settings.rounds} done`);
    }
    // Fresh processes from here on: the first download of a never-hashed file, idle memory, slow clients.
    if (selected({ key: 'firstDownload' })) {
      for (let round = 1; round <= settings.rounds; round++) {
        for (let k = 0; k < servers.length; k++) {
          const i = (k + round) % servers.length;
          const fresh = await restart(servers, i);
          await sleep(1000);
          results[fresh.name].idle.push(treeRss(fresh.child.pid));
          results[fresh.name].first.push(await firstDownload(fresh, files));
        }
        log(`first downloads ${round}/${settings.rounds} done`);
      }
    }
    for (let round = 1; round <= (selected({ key: 'slow' }) ? settings.slowRounds : 0); round++) {
      for (let i = 0; i < servers.length; i++) {
        // On a freshly started process, so garbage left by the earlier scenarios does not count.
        log(`slow clients: ${servers[i].name}`);
        const fresh = await restart(servers, i);
        results[fresh.name].slow.push(await slowClients(fresh, files));
      }
    }
  } finally {
    for (const server of servers) await stopServer(server);
  }

  const table = renderTable(servers, results, files, scenarios);
  const header = [
    `Benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${QUICK ? ' (--quick)' : ''}, took ${Math.round((Date.now() - started) / 1000)} s.`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Linux ${release()}; ` +
      `load average ${loadBefore[0].toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (other jobs share the machine).`,
    `Node ${process.version}; ${useWrk ? commandVersion('wrk', ['--version']).replace(/ Copyright.*/, '') : 'autocannon (wrk not installed)'}; ` +
      `${commandVersion('curl', ['--version']).split(' ').slice(0, 2).join(' ')}` +
      `${nginxBinary ? `; ${commandVersion(nginxBinary, ['-v']).replace(/^nginx version: /, '')}` : ''}.`,
    `${settings.rounds} interleaved rounds, big file ${files.bigSize / MiB} MiB, request rates for ${settings.duration} s each, ` +
      `then ${settings.latencySeconds} s of steady-state latency (bench/latency-client.mjs).`,
    nginxBinary ? '' : 'nginx is not installed, so it was skipped (`apt-get install nginx-light`).',
  ].filter(Boolean);
  const text = `${header.join('\n')}\n\n${table}\n`;
  process.stdout.write(text);
  writeFileSync(option('out', join(WORK, 'last-run.md')), text);
}

function renderTable(servers, results, files, scenarios) {
  const fmt = (value, unit) => {
    if (value === undefined || Number.isNaN(value)) return '–';
    if (unit === 'MB/s' || unit === 'req/s' || unit === 'µs' || unit === 'MiB' || unit === 'KiB')
      return Math.round(value).toLocaleString('en-US');
    return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
  };
  const ratio = (value, base, better) => (better === 'higher' ? value / base : base / value);
  const rows = [];
  rows.push(`| scenario | ${servers.map((s) => s.label).join(' | ')} |`);
  rows.push(`|---|${servers.map(() => '---:').join('|')}|`);
  const line = (title, unit, better, valueOf) => {
    const base = valueOf(results.express);
    const cells = servers.map((s) => {
      const value = valueOf(results[s.name]);
      if (value === undefined || Number.isNaN(value)) return '–';
      return s.name === 'express' || base === undefined || Number.isNaN(base)
        ? fmt(value, unit)
        : `${fmt(value, unit)} (${ratio(value, base, better).toFixed(2)}×)`;
    });
    rows.push(`| ${title} [${unit}] | ${cells.join(' | ')} |`);
  };
  function firstDownloadRows() {
    if (!selected({ key: 'firstDownload' })) return;
    line('1b. first download by a fresh process, the file never hashed: the digest is computed meanwhile', 'MB/s', 'higher', (r) =>
      r.first.length ? median(r.first.map((x) => x.mbps)) : undefined,
    );
    rows.push(
      `| 1b. … digest finished before the download did (rounds) | ${servers
        .map((s) => (s.single ? `${results[s.name].first.filter((x) => x.hashedBy).length} of ${results[s.name].first.length}` : '–'))
        .join(' | ')} |`,
    );
  }
  const medianOf = (key) => (r) => (r.samples[key]?.length ? median(r.samples[key]) : undefined);
  for (const scenario of scenarios) {
    line(scenario.title, scenario.unit, scenario.better, medianOf(scenario.key));
    for (const [key, extra] of Object.entries(scenario.extra ?? {}))
      line(extra.title, extra.unit, extra.better, medianOf(`${scenario.key}.${key}`));
    if (scenario.key === 'throughput') firstDownloadRows();
  }
  if (!scenarios.some((s) => s.key === 'throughput')) firstDownloadRows();
  const samples = (r, key) => r.samples[key] ?? [];
  if (scenarios.some((s) => s.key === 'smallFile') && scenarios.some((s) => s.key === 'floor')) {
    rows.push(
      `| 4 ÷ 7: small-file rate ÷ the same server's framework floor | ${servers
        .map((s) => {
          const r = results[s.name];
          return samples(r, 'smallFile').length && samples(r, 'floor').length
            ? `${((median(samples(r, 'smallFile')) / median(samples(r, 'floor'))) * 100).toFixed(0)} %`
            : '–';
        })
        .join(' | ')} |`,
    );
  }
  if (selected({ key: 'firstDownload' }))
    line('idle RSS of a freshly started server (1 s after start)', 'MiB', 'lower', (r) =>
      r.idle.length ? median(r.idle) / MiB : undefined,
    );
  if (selected({ key: 'slow' })) {
    const peak = (r) => (r.slow.length ? Math.max(...r.slow.map((s) => s.peak)) / MiB : undefined);
    line(
      `6. slow clients: peak RSS, ${settings.slowClients} × ${settings.slowRate / 1024} KB/s for ${settings.slowSeconds} s`,
      'MiB',
      'lower',
      peak,
    );
    rows.push(
      `| 6. … RSS above idle per connection [KiB] | ${servers.map((s) => Math.round(Math.max(...results[s.name].slow.map((x) => x.peak - x.idle)) / settings.slowClients / 1024)).join(' | ')} |`,
    );
    rows.push(
      `| 6. … mean rate per client [KB/s], failed | ${servers.map((s) => `${Math.round(median(results[s.name].slow.map((x) => x.rate)) / 1024)}, ${results[s.name].slow.reduce((n, x) => n + x.failures, 0)}`).join(' | ')} |`,
    );
  }
  if (selected({ key: 'ttfb' }))
    rows.push(
      `| TTFB of 64 KiB at start / end of big file [ms] | ${servers
        .map((s) => {
          const t = results[s.name].ttfb;
          const a = median(t.map((x) => x.start));
          const b = median(t.map((x) => x.end));
          return `${a.toFixed(2)} / ${b.toFixed(2)} (${(b / a).toFixed(2)}×)`;
        })
        .join(' | ')} |`,
    );
  rows.push('');
  rows.push(
    `Ratios in parentheses are to express.static in the same run (above 1 is better: for rates it is ours ÷ express, for times, CPU and memory express ÷ ours). Big file: ${files.big}.`,
  );
  return rows.join('\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
