// Steady-state latency under a closed-loop keep-alive load, measured without wrk's two distortions
// (bench/README.md, "Where the time goes, round 2"): CONNECTIONS sockets each send one GET, wait for
// the whole answer, and send the next, for SECONDS. The first answer on each connection is kept
// apart: it includes the wait for the server to accept the connection (libuv accepts one
// connection per event-loop iteration, so 64 connections opened at once are admitted one by one),
// which is a property of the connection burst, not of the steady state. No coordinated-omission
// correction is applied: every number is one request's real round trip.
//
//   node bench/latency-client.mjs URL [CONNECTIONS=64] [SECONDS=5] [--status 200] [--json] [-H 'Name: value']...
//
// Without --json it prints a summary; with --json one JSON object (used by bench/bench.mjs, which
// runs two of these processes side by side, as wrk runs two threads).
import { connect } from 'node:net';

export async function measureLatency({ url, connections = 64, seconds = 5, headers = {}, expectStatus }) {
  const { hostname, port, pathname, search } = new URL(url);
  const head = [`GET ${pathname}${search} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const request = Buffer.from(`${head.join('\r\n')}\r\n\r\n`);
  const latencies = [];
  const first = [];
  const requestsPerConnection = [];
  let unexpected = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  const run = (index) =>
    new Promise((done) => {
      let count = 0;
      let pending = Buffer.alloc(0);
      let sentAt = performance.now();
      const socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      const finish = () => {
        requestsPerConnection[index] = count;
        socket.destroy();
        done();
      };
      const send = () => {
        if (performance.now() > deadline) return finish();
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        for (;;) {
          const headEnd = pending.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const text = pending.subarray(0, headEnd).toString('latin1');
          const status = Number(text.slice(9, 12));
          const length = status === 304 || status === 204 ? 0 : Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
          if (pending.length < headEnd + 4 + length) return;
          pending = pending.subarray(headEnd + 4 + length);
          const now = performance.now();
          if (expectStatus !== undefined && status !== expectStatus) unexpected++;
          // The first answer is timed from when the connection was opened: that is what the client waited.
          if (count === 0) first.push(now - started);
          else latencies.push(now - sentAt);
          count++;
          send();
        }
      });
      socket.on('error', () => {
        errors++;
        finish();
      });
    });

  await Promise.all(Array.from({ length: connections }, (_, i) => run(i)));
  return { latencies, first, requestsPerConnection, unexpected, errors, seconds: (performance.now() - started) / 1000 };
}

/** p-th quantile (0..1) of a sorted array. */
export function quantile(sorted, p) {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const headers = {};
  let expectStatus;
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') continue;
    if (args[i] === '-H') {
      const [name, ...value] = args[++i].split(':');
      headers[name.trim()] = value.join(':').trim();
    } else if (args[i] === '--status') expectStatus = Number(args[++i]);
    else positional.push(args[i]);
  }
  const [url, connections = '64', seconds = '5'] = positional;
  const result = await measureLatency({ url, connections: Number(connections), seconds: Number(seconds), headers, expectStatus });
  if (json) {
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const all = [...result.latencies].sort((a, b) => a - b);
  const first = [...result.first].sort((a, b) => a - b);
  const counts = [...result.requestsPerConnection].sort((a, b) => a - b);
  const f = (ms) => ms.toFixed(1);
  const total = all.length + first.length;
  console.log(
    `${total} requests, ${Math.round(total / result.seconds)} req/s, ${result.unexpected} unexpected status, ${result.errors} socket errors`,
  );
  console.log(
    `steady state (first answer per connection left out): p50 ${f(quantile(all, 0.5))} p99 ${f(quantile(all, 0.99))} p99.9 ${f(quantile(all, 0.999))} max ${f(all.at(-1) ?? NaN)} ms`,
  );
  console.log(
    `first answer per connection, from the burst of connects: median ${f(quantile(first, 0.5))} last ${f(first.at(-1) ?? NaN)} ms`,
  );
  console.log(`requests per connection: min ${counts[0]} median ${quantile(counts, 0.5)} max ${counts.at(-1)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
