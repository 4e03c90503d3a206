// Preloaded into a server under a keep-alive load (`node --import ./bench/probes/connection-gaps.mjs
// server.js`): for every request it notes when the server started handling it ('request' event)
// and when the response finished, per connection. Once a second it appends one JSON line to
// $GAPS_OUT (default stderr): how long requests spent in the server (start → finish), and the gap
// on each connection between one response finishing and the next request starting (the client's
// round trip plus the time the request sat unread in the kernel). A gap far above the loop's
// iteration time means the server left that connection unread. Also counts socket pauses.
// Measurement aid for bench/README.md ("Where the time goes, round 2"); never loaded by the service.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { Socket } from 'node:net';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) start();

function start() {
  const out = process.env.GAPS_OUT;
  const write = (line) => (out ? appendFileSync(out, `${line}\n`) : process.stderr.write(`${line}\n`));
  const lastFinish = new WeakMap();
  let service = [];
  let gaps = [];
  let pauses = 0;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request') {
      const started = performance.now();
      const socket = req.socket;
      const previous = lastFinish.get(socket);
      if (previous !== undefined) gaps.push(started - previous);
      res.once('finish', () => {
        const finished = performance.now();
        service.push(finished - started);
        lastFinish.set(socket, finished);
      });
    }
    return emit.apply(this, arguments);
  };
  const pause = Socket.prototype.pause;
  Socket.prototype.pause = function () {
    pauses += 1;
    return pause.apply(this, arguments);
  };
  const summary = (values) => {
    const sorted = values.sort((a, b) => a - b);
    const at = (p) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 100) / 100;
    return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
  };
  setInterval(() => {
    if (service.length === 0 && gaps.length === 0) return;
    write(
      JSON.stringify({
        t: new Date().toISOString().slice(11, 19),
        serviceMs: summary(service),
        gapMs: summary(gaps),
        socketPauses: pauses,
      }),
    );
    service = [];
    gaps = [];
    pauses = 0;
  }, 1000).unref();
}
