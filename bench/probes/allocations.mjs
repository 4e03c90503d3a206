// Where a server's allocations come from (what its garbage collector has to clean up per request).
//
// As a probe: node --import ./bench/probes/allocations.mjs SERVER, with ALLOC_OUT=FILE. The first
// SIGUSR2 starts V8's sampling heap profiler (collected objects included, so it counts everything
// allocated, not what survives); the second writes FILE.
// As a summary: node bench/probes/allocations.mjs FILE REQUESTS [TOP] prints the bytes allocated per
// request in total and by function (the requests are those answered between the two signals; a
// function inlined into another is counted in the one it was inlined into).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) summarise(...process.argv.slice(2));
else if (isMainThread) probe();

function probe() {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((done, fail) => session.post(method, params, (error, result) => (error ? fail(error) : done(result))));
  let sampling = false;
  process.on('SIGUSR2', async () => {
    if (!sampling) {
      sampling = true;
      await post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(process.env.ALLOC_OUT ?? 'allocations.heapprofile', JSON.stringify(profile));
  });
}

function summarise(file, requests = '1', top = '30') {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const perRequest = Number(requests);
  const byFunction = new Map();
  let total = 0;
  const visit = (node) => {
    const where = node.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    total += node.selfSize;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    node.children.forEach(visit);
  };
  visit(profile.head);
  console.log(`${(total / perRequest).toFixed(0)} bytes allocated per request`);
  for (const [key, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${(bytes / perRequest).toFixed(0).padStart(7)}  ${key}`);
  }
}
