#!/usr/bin/env node
// Interleaved A/B of builds of ours against express.static on the request-rate scenarios: how each
// change of bench/README.md ("round 3") was measured. Faster than `npm run bench` and made for
// comparing builds: every server is started once, then each round runs every scenario on every
// server (order rotated), and the table shows medians over the rounds and the median of the
// per-round ratios to express.static (the steadier figure on a shared machine).
//
//   node bench/snapshot.mjs NAME                 copy the current build (dist/) to bench/.work/builds/NAME
//   node bench/compare.mjs [--rounds 8] [--duration 2] [--scenarios smallFile,revalidation] SPEC...
//
// SPEC is `express`, `fastify`, or a snapshot NAME, optionally with environment settings for that
// server: `NAME@LOG_LEVEL=silent;NODE_OPTIONS=--max-semi-space-size=32`. express.static is always
// included. Figures per scenario: req/s (wrk -t2 -c64), server CPU per request (all threads, from
// /proc) and main-thread CPU per request. Needs wrk and the fixtures of a bench run (bench/fixtures).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const FIXTURES = join(BENCH, 'fixtures');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const rounds = Number(option('rounds', 8));
const duration = Number(option('duration', 2));
const scenarioKeys = option('scenarios', 'smallFile,smallRange,revalidation,floor').split(',');
const specs = args.includes('express') ? args : [...args, 'express'];

const SCENARIOS = {
  smallFile: { path: '/small.txt', headers: () => ({}) },
  smallRange: { path: '/medium-1m.bin', headers: () => ({ Range: 'bytes=1000-4999' }) },
  revalidation: { path: '/small.txt', headers: (server) => ({ 'If-None-Match': server.etag }) },
  floor: { path: '/.bench-floor', headers: () => ({}) },
};

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function ticks(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds of every thread of `pid` and its children, and of its main thread alone. */
function cpuSeconds(pid) {
  let all = 0;
  const visit = (id) => {
    try {
      all += ticks(`/proc/${id}/stat`);
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(' ') : []) visit(child);
      }
    } catch {
      // gone
    }
  };
  visit(pid);
  return { all: all / 100, main: ticks(`/proc/${pid}/task/${pid}/stat`) / 100 };
}

function get(port, path) {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res));
    });
    req.on('error', fail);
    req.end();
  });
}

function run(command, commandArgs) {
  return new Promise((done) => {
    const child = spawn(command, commandArgs);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => done(out));
  });
}

function scriptOf(name) {
  if (name === 'express') return join(BENCH, 'servers/express-static.mjs');
  if (name === 'fastify') return join(BENCH, 'servers/fastify-static.mjs');
  const script = join(BENCH, '.work/builds', name, 'bench/floor/main.mjs');
  if (!existsSync(script)) throw new Error(`no snapshot ${name}: node bench/snapshot.mjs ${name}`);
  return script;
}

const servers = [];
let nextPort = 31000 + Math.floor(Math.random() * 1000);
for (const spec of specs) {
  const [name, settings = ''] = spec.split('@');
  const env = Object.fromEntries(
    settings
      .split(';')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const port = nextPort++;
  const child = spawn('node', [scriptOf(name)], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'production', FILES_ROOT: FIXTURES, PORT: String(port), HOST: '127.0.0.1', WORKERS: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  servers.push({ spec, port, child });
}
const stopAll = () => servers.forEach((server) => server.child.kill('SIGKILL'));
process.on('SIGINT', () => (stopAll(), process.exit(130)));

for (const server of servers) {
  for (let attempt = 0; ; attempt++) {
    const answer = await get(server.port, '/.bench-floor').catch(() => undefined);
    if (answer?.statusCode === 200) break;
    if (attempt > 300) throw new Error(`${server.spec} did not start`);
    await sleep(100);
  }
  server.etag = (await get(server.port, '/small.txt')).headers.etag;
}
for (const server of servers) await run('wrk', ['-t2', '-c64', '-d2s', `http://127.0.0.1:${server.port}/small.txt`]); // warm-up

const results = {};
for (let round = 0; round < rounds; round++) {
  for (const key of scenarioKeys) {
    const scenario = SCENARIOS[key];
    const order = [...servers.slice(round % servers.length), ...servers.slice(0, round % servers.length)];
    for (const server of order) {
      const headerArgs = Object.entries(scenario.headers(server)).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
      const before = cpuSeconds(server.child.pid);
      const out = await run('wrk', [
        '-t2',
        '-c64',
        `-d${duration}s`,
        '--timeout',
        '30s',
        ...headerArgs,
        `http://127.0.0.1:${server.port}${scenario.path}`,
      ]);
      const after = cpuSeconds(server.child.pid);
      if (/Non-2xx|Socket errors/.test(out)) throw new Error(`${server.spec} ${key}: wrk saw failures\n${out}`);
      const requests = Number(/(\d+) requests in/.exec(out)[1]);
      ((results[key] ??= {})[server.spec] ??= []).push({
        rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]),
        cpu: ((after.all - before.all) / requests) * 1e6,
        main: ((after.main - before.main) / requests) * 1e6,
      });
    }
  }
}
stopAll();

console.log(`${rounds} rounds of ${duration} s, ${new Date().toISOString().slice(0, 16)} UTC`);
console.log(`| scenario | ${servers.map((server) => server.spec).join(' | ')} |`);
console.log(`|---|${servers.map(() => '---:').join('|')}|`);
for (const key of scenarioKeys) {
  const base = results[key].express;
  const cells = servers.map(({ spec }) => {
    const rows = results[key][spec];
    const rateRatio = median(rows.map((row, i) => row.rate / base[i].rate));
    const cpuRatio = median(rows.map((row, i) => base[i].cpu / row.cpu));
    const figures = `${median(rows.map((row) => row.rate)).toFixed(0)}/s, ${median(rows.map((row) => row.cpu)).toFixed(0)} µs (main ${median(rows.map((row) => row.main)).toFixed(0)})`;
    return spec === 'express' ? figures : `${figures}, ×${rateRatio.toFixed(2)} rate ×${cpuRatio.toFixed(2)} CPU`;
  });
  console.log(`| ${key} | ${cells.join(' | ')} |`);
}
