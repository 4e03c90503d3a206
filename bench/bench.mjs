#!/usr/bin/env node
// The benchmark (bench/README.md): our service built for production against express.static,
// @fastify/static and, when installed, nginx with sendfile, on loopback over one generated fixture
// folder. Runs are interleaved (A B C A B C …); every figure is the median over the rounds and a
// ratio to express.static from the same run. It asserts nothing: it prints a markdown table.
//
//   npm run bench                 full run (1 GiB file, 5 rounds; about 12 minutes)
//   npm run bench -- --quick      64 MiB file, 2 short rounds (a few minutes)
//   options: --rounds N  --duration SECONDS  --only ours,express  --out FILE  --no-build
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
// Servers. Each is a separate process on a free loopback port, started once and kept for the run.

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

const nginxBinary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find(existsSync);

function serverDefinitions() {
  const node = (script, env = {}) => ({ command: 'node', args: [script], env });
  const ours = (env) => node(join(REPO, 'dist/main.js'), { BENCH_FLOOR_ROUTE: '1', HOST: '127.0.0.1', ...env });
  const definitions = [
    { name: 'ours', label: 'ours (1 process)', ...ours({ WORKERS: '1' }) },
    { name: 'ours-cluster', label: 'ours (WORKERS=auto)', ...ours({ WORKERS: 'auto' }) },
    { name: 'express', label: 'express.static', ...node(join(BENCH, 'servers/express-static.mjs')) },
    { name: 'fastify', label: '@fastify/static', ...node(join(BENCH, 'servers/fastify-static.mjs')) },
  ];
  if (nginxBinary) definitions.push({ name: 'nginx', label: 'nginx (sendfile)', nginx: true });
  const only = option('only', '');
  return only ? definitions.filter((d) => only.split(',').includes(d.name) || d.name === 'express') : definitions;
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
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const server = { ...definition, port, child, url: `http://127.0.0.1:${port}`, output };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${definition.name} exited: ${Buffer.concat(output)}`);
    const answer = await httpGet(server, definition.probe ?? '/small.txt').catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${definition.name} did not start: ${Buffer.concat(output)}`);
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

/** One GET, body counted (not kept); resolves with status, headers and time to first byte. */
function httpGet(server, path, headers = {}) {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const req = request(`${server.url}${path}`, { headers, agent: false }, (res) => {
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
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`curl ${curlArgs.join(' ')} exited ${code}`))));
  });
}

/** Scenario 1: one download of the big file, MB/s (10^6 bytes per second). */
async function throughput(server, files) {
  const out = await curl(['-w', '%{http_code} %{size_download} %{time_total}', `${server.url}${files.big}`]);
  const [status, size, seconds] = out.trim().split(' ');
  if (status !== '200' || Number(size) !== files.bigSize) throw new Error(`${server.name}: throughput got ${out}`);
  return Number(size) / Number(seconds) / 1e6;
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

/** Scenarios 3, 4, 5, 7: request rate with 64 connections; every answer must have `expectStatus`. */
async function requestRate(server, path, headers, expectStatus) {
  const check = await httpGet(server, path, headers);
  if (check.status !== expectStatus) throw new Error(`${server.name} ${path}: expected ${expectStatus}, got ${check.status}`);
  if (useWrk) {
    const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const out = await new Promise((done, fail) => {
      const child = spawn('wrk', ['-t2', `-c${settings.connections}`, `-d${settings.duration}s`, ...headerArgs, `${server.url}${path}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`wrk exited ${code}`))));
    });
    const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const errors = /Socket errors: (.*)/.exec(out);
    if (bad || errors) throw new Error(`${server.name} ${path}: wrk saw failures:\n${out}`);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  }
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url: `${server.url}${path}`, connections: settings.connections, duration: settings.duration, headers });
  const codes = Object.keys(result.statusCodeStats ?? {});
  if (result.errors > 0 || codes.some((code) => Number(code) !== expectStatus))
    throw new Error(`${server.name} ${path}: status codes ${codes}, ${result.errors} errors`);
  return result.requests.average;
}

/** Resident set size of a process and all its descendants (cluster workers, nginx workers), bytes. */
function treeRss(pid) {
  let total = 0;
  const visit = (id) => {
    try {
      const status = readFileSync(`/proc/${id}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(' ') : []) visit(child);
      }
    } catch {
      // the process went away between two reads
    }
  };
  visit(pid);
  return total;
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
// The run.

const SCENARIOS = [
  { key: 'throughput', title: '1. throughput: one download of the big file', unit: 'MB/s', better: 'higher', run: throughput },
  { key: 'segmented', title: '2. segmented: 8 parallel ranged downloads', unit: 's wall', better: 'lower', run: segmented },
  {
    key: 'smallRange',
    title: '3. small range (`bytes=1000-4999` of 1 MiB), 64 conns',
    unit: 'req/s',
    better: 'higher',
    run: (s, f) => requestRate(s, f.medium, { range: 'bytes=1000-4999' }, 206),
  },
  {
    key: 'smallFile',
    title: '4. small file (344 B text), 64 conns',
    unit: 'req/s',
    better: 'higher',
    run: (s, f) => requestRate(s, f.small, {}, 200),
  },
  {
    key: 'revalidation',
    title: '5. revalidation (`If-None-Match`, all 304), 64 conns',
    unit: 'req/s',
    better: 'higher',
    run: (s, f) => requestRate(s, f.small, { 'if-none-match': s.etag }, 304),
  },
  {
    key: 'floor',
    title: '7. framework floor (constant 19-byte route), 64 conns',
    unit: 'req/s',
    better: 'higher',
    run: (s) => requestRate(s, '/.bench-floor', {}, 200),
  },
];

/** `--scenarios throughput,slow` runs only those (keys: throughput segmented smallRange smallFile revalidation floor ttfb slow listing). */
function selected({ key }) {
  const wanted = option('scenarios', '');
  return !wanted || wanted.split(',').includes(key);
}

async function main() {
  const started = Date.now();
  if (option('scenarios', '') === 'listing') return listingOnly(); // the listing scenario alone: no file fixtures, no baselines
  if (!flag('no-build') && serverDefinitions().some((d) => d.name.startsWith('ours'))) {
    log('building the service (npm run build)');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  mkdirSync(WORK, { recursive: true });
  const files = await ensureFixtures();
  const definitions = serverDefinitions();
  log(
    `servers: ${definitions.map((d) => d.name).join(', ')}${nginxBinary ? '' : ' (nginx not installed: skipped; apt-get install nginx-light)'}`,
  );
  log(`request rates with ${useWrk ? 'wrk' : 'autocannon'}; ${settings.rounds} rounds, big file ${files.bigSize / MiB} MiB`);

  const servers = [];
  for (const definition of definitions) servers.push(await startServer(definition));
  const results = Object.fromEntries(servers.map((s) => [s.name, { samples: {}, slow: [], ttfb: [] }]));
  try {
    for (const server of servers) {
      server.etag = (await httpGet(server, files.small)).headers.etag;
      // Warm-up: JIT, page cache, keep-alive paths.
      await throughput(server, files);
      await requestRate(server, files.small, {}, 200).catch(() => undefined);
    }
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of SCENARIOS.filter(selected)) {
        // Interleaved: every server once per scenario per round, in an order rotated each round.
        const order = servers.map((_, i) => servers[(i + round) % servers.length]);
        for (const server of order) {
          const value = await scenario.run(server, files);
          (results[server.name].samples[scenario.key] ??= []).push(value);
        }
      }
      if (selected({ key: 'ttfb' })) for (const server of servers) results[server.name].ttfb.push(await ttfb(server, files));
      log(`round ${round}/${settings.rounds} done`);
    }
    for (let round = 1; round <= (selected({ key: 'slow' }) ? settings.slowRounds : 0); round++) {
      for (const [i, server] of servers.entries()) {
        // On a freshly started process, so garbage left by the earlier scenarios does not count.
        log(`slow clients: ${server.name}`);
        await stopServer(server);
        const fresh = await startServer(server);
        servers[i] = fresh;
        results[server.name].slow.push(await slowClients(fresh, files));
      }
    }
  } finally {
    for (const server of servers) await stopServer(server);
  }

  const table = renderTable(servers, results, files);
  const header = [
    `Benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${QUICK ? ' (--quick)' : ''}: ` +
      `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ` +
      `${settings.rounds} interleaved rounds, big file ${files.bigSize / MiB} MiB, request rates with ${useWrk ? 'wrk' : 'autocannon'} (${settings.duration} s each), took ${Math.round((Date.now() - started) / 1000)} s.`,
    nginxBinary ? '' : 'nginx is not installed, so it was skipped (`apt-get install nginx-light`).',
  ].filter(Boolean);
  const listing = selected({ key: 'listing' }) ? `\n${renderListing(await listingScenario())}\n` : '';
  const text = `${header.join('\n')}\n\n${table}\n${listing}`;
  process.stdout.write(text);
  writeFileSync(option('out', join(WORK, 'last-run.md')), text);
}

function renderTable(servers, results, files) {
  const fmt = (value, unit) =>
    unit === 'MB/s' || unit === 'req/s' ? Math.round(value).toLocaleString('en-US') : value.toFixed(unit === 'ms' ? 2 : 2);
  const ratio = (value, base, better) => (better === 'higher' ? value / base : base / value);
  const rows = [];
  rows.push(`| scenario | ${servers.map((s) => s.label).join(' | ')} |`);
  rows.push(`|---|${servers.map(() => '---:').join('|')}|`);
  const line = (title, unit, better, valueOf) => {
    const base = valueOf(results.express);
    const cells = servers.map((s) => {
      const value = valueOf(results[s.name]);
      return s.name === 'express' ? `${fmt(value, unit)}` : `${fmt(value, unit)} (${ratio(value, base, better).toFixed(2)}×)`;
    });
    rows.push(`| ${title} [${unit}] | ${cells.join(' | ')} |`);
  };
  for (const scenario of SCENARIOS.filter(selected))
    line(scenario.title, scenario.unit, scenario.better, (r) => median(r.samples[scenario.key]));
  if (selected({ key: 'slow' })) {
    const peak = (r) => Math.max(...r.slow.map((s) => s.peak)) / MiB;
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
  const ours = results.ours;
  if (ours?.samples.smallFile && ours.samples.floor) {
    const share = median(ours.samples.smallFile) / median(ours.samples.floor);
    rows.push('');
    rows.push(
      `Our small-file rate is ${(share * 100).toFixed(0)} % of our framework floor. Ratios in parentheses are to express.static in the same run (higher is better; for time and memory it is express ÷ ours). Big file: ${files.big}.`,
    );
  }
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Scenario "listing" (the API engineer's, issue 10): the first and the last page of a folder of
// 100,000 files through `GET /.api/files/{folder}/`. A page costs the one directory read plus a
// bounded selection and the page's own lstat calls (src/api/directory.service.ts), so the two
// times should be close; a sort of the folder per page, or a stat of every file, would show as a
// first page far dearer than the last (or both far above the bare readdir shown beside them).
// Ours only: the baselines have no JSON listing with a cursor. `--scenarios listing` runs it alone.

const LISTING_FILES = 100_000;
const LISTING_PAGE = 1000;

function ensureListingFixture() {
  const folder = join(FIXTURES, 'listing', 'many');
  const marker = join(folder, `f${String(LISTING_FILES - 1).padStart(6, '0')}`);
  if (!existsSync(marker)) {
    log(`generating ${LISTING_FILES} empty files in ${folder}`);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < LISTING_FILES; i++) writeFileSync(join(folder, `f${String(i).padStart(6, '0')}`), '');
  }
  return join(FIXTURES, 'listing');
}

/** Median time of `samples` GETs of a page, and the entries it held. */
async function timePage(server, path, samples) {
  const times = [];
  let entries = 0;
  for (let i = 0; i < samples; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(`${server.url}${path}`);
    const body = await res.json();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (res.status !== 200) throw new Error(`listing ${path}: ${res.status} ${JSON.stringify(body)}`);
    entries = body.entries.length;
  }
  return { ms: median(times), entries };
}

async function listingScenario() {
  const root = ensureListingFixture();
  const samples = QUICK ? 5 : 15;
  const { readdir } = await import('node:fs/promises');
  const server = await startServer({
    name: 'ours-listing',
    command: 'node',
    args: [join(REPO, 'dist/main.js')],
    env: { HOST: '127.0.0.1', FILES_ROOT: root, LOG_LEVEL: 'warn' },
    probe: '/.api/files/',
  });
  try {
    // The cursor of the last page: the entry before it (the API's cursor is base64url of "f:" + name).
    const lastName = `f${String(LISTING_FILES - LISTING_PAGE - 1).padStart(6, '0')}`;
    const cursor = Buffer.from(`f:${lastName}`).toString('base64url');
    await timePage(server, `/.api/files/many/?limit=${LISTING_PAGE}`, 3); // warm-up
    const first = await timePage(server, `/.api/files/many/?limit=${LISTING_PAGE}`, samples);
    const last = await timePage(server, `/.api/files/many/?limit=${LISTING_PAGE}&cursor=${cursor}`, samples);
    const readdirTimes = [];
    for (let i = 0; i < samples; i++) {
      const started = process.hrtime.bigint();
      await readdir(join(root, 'many'), { withFileTypes: true });
      readdirTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return { first, last, readdirMs: median(readdirTimes), samples };
  } finally {
    await stopServer(server);
  }
}

function renderListing({ first, last, readdirMs, samples }) {
  return [
    `| listing: ${LISTING_FILES.toLocaleString('en-US')}-file folder, ${LISTING_PAGE} per page, median of ${samples} [ms] | ours |`,
    '|---|---:|',
    `| first page (${first.entries} entries) | ${first.ms.toFixed(1)} |`,
    `| last page (${last.entries} entries) | ${last.ms.toFixed(1)} |`,
    `| last ÷ first | ${(last.ms / first.ms).toFixed(2)}× |`,
    `| bare \`readdir\` of the folder (in the benchmark process, for scale) | ${readdirMs.toFixed(1)} |`,
  ].join('\n');
}

async function listingOnly() {
  if (!flag('no-build')) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(WORK, { recursive: true });
  const text = `Listing benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpus().length} cores, Node ${process.version}.\n\n${renderListing(await listingScenario())}\n`;
  process.stdout.write(text);
  writeFileSync(option('out', join(WORK, 'last-listing.md')), text);
}

// ---------------------------------------------------------------------------------------------

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
