// Preloaded into a server under load (`node --import ./bench/probes/loop-probe.mjs server.js`):
// once a second it appends one JSON line to $LOOP_PROBE_OUT (default stderr) with the event-loop
// delay percentiles (perf_hooks.monitorEventLoopDelay, 1 ms resolution), the garbage-collection
// pauses of that second (count, total and longest, by kind) and the process CPU time used.
// Measurement aid for bench/README.md ("Where the time goes, round 2"); never loaded by the service.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.LOOP_PROBE_OUT;
// --import is inherited by worker threads (the digest worker): measure the main thread only.
if (isMainThread) start();

function start() {
  const write = (line) => (out ? appendFileSync(out, `${line}\n`) : process.stderr.write(`${line}\n`));
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let gc = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind ?? entry.kind] ?? 'other';
      const k = (gc[kind] ??= { n: 0, ms: 0, maxMs: 0 });
      k.n += 1;
      k.ms += entry.duration;
      k.maxMs = Math.max(k.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let cpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = process.cpuUsage();
    const ms = (ns) => Math.round(ns / 1e4) / 100; // ns → ms, 2 decimals
    const round = (o) =>
      Object.fromEntries(
        Object.entries(o).map(([k, v]) => [k, { n: v.n, ms: Math.round(v.ms * 10) / 10, maxMs: Math.round(v.maxMs * 10) / 10 }]),
      );
    write(
      JSON.stringify({
        t: new Date().toISOString().slice(11, 19),
        loopMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) },
        gc: round(gc),
        cpuMs: Math.round((now.user - cpu.user + now.system - cpu.system) / 1000), // the whole process, all threads
        heapMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
        rssMiB: Math.round(process.memoryUsage.rss() / 1048576),
      }),
    );
    histogram.reset();
    gc = {};
    cpu = now;
  }, 1000);
  timer.unref();
}
