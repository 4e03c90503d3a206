// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package, by function, and by layer.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [top] [--skip-ms N] [--window-ms N]
//   --skip-ms N     ignore the first N ms of samples (start-up, warm-up)
//   --window-ms N   then keep only the next N ms (the measured load)
//
// "By layer" puts each sample's leaf frame in a layer: Node's own code split by what it does
// (HTTP parsing, response writing, streams, events, file-system calls), the packages by role, our
// code split into the observer and the rest. "Inclusive" is the share of samples with a given
// frame anywhere on the stack: about what that layer and everything it calls costs.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const numberOption = (name) => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  args.splice(at, 2);
  return value;
};
const skipMs = numberOption('skip-ms') ?? 0;
const windowMs = numberOption('window-ms') ?? Infinity;
const [file, topArg] = args;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

// Sample times: startTime plus the running sum of timeDeltas (µs).
const kept = [];
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  const ms = (at - profile.startTime) / 1000;
  if (ms >= skipMs && ms < skipMs + windowMs) kept.push(profile.samples[i]);
}
const total = kept.length;

const urlOf = (node) => node.callFrame.url.replace(/^file:\/\//, '');
const packageOf = (where) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1];

function packageLabel(node) {
  const where = urlOf(node);
  return (
    packageOf(where) ??
    (where.startsWith('node:')
      ? 'node-core'
      : where.includes('/dist/')
        ? 'our code'
        : where || `(${node.callFrame.functionName || 'native'})`)
  );
}

const FS_NATIVES = new Set(['open', 'close', 'read', 'fstat', 'readlink', 'stat', 'lstat', 'realpath']);

/** The layer of a leaf frame. */
function layerOf(node) {
  const where = urlOf(node);
  const name = node.callFrame.functionName;
  if (name === '(garbage collector)' || name === '(idle)' || name === '(program)') return name;
  if (where === '') {
    if (FS_NATIVES.has(name)) return 'file-system calls (open, fstat, readlink, read, close)';
    if (name === 'writev' || name === 'writeBuffer' || name === 'writeUtf8String' || name === 'writeLatin1String')
      return 'node: socket writes (native)';
    return `native: ${name || '(anonymous)'}`;
  }
  if (where.startsWith('node:')) {
    if (/_http_outgoing|stream_base_commons/.test(where)) return 'node: response writing (_http_outgoing)';
    if (/_http_(server|incoming|common)/.test(where)) return 'node: HTTP parsing, request/response objects';
    if (/streams\//.test(where)) return 'node: streams';
    if (/events/.test(where)) return 'node: events';
    if (/task_queues|timers/.test(where)) return 'node: ticks, timers';
    return `node: other (${where.replace(/^node:(internal\/)?/, '')})`;
  }
  const pkg = packageOf(where);
  if (pkg === undefined) {
    if (/\/dist\/operations\//.test(where)) return 'our observer (request-observer, metrics)';
    if (/\/dist\//.test(where)) return 'our code (controller, storage, http/)';
    return `other: ${where.split('/').slice(-2).join('/')}`;
  }
  if (['pino', 'sonic-boom', 'pino-std-serializers', 'fast-redact', 'quick-format-unescaped', 'thread-stream'].includes(pkg))
    return 'access log (pino, sonic-boom)';
  if (pkg === 'prom-client' || pkg === 'tdigest' || pkg === 'bintrees') return 'metrics (prom-client)';
  if (pkg.startsWith('@nestjs/')) return 'Nest (core, platform-express, common)';
  if (['express', 'router', 'finalhandler', 'path-to-regexp', 'parseurl', 'on-finished', 'debug', 'ms'].includes(pkg))
    return 'Express (router, request/response)';
  return pkg;
}

/** Frames whose inclusive share is printed: [label, test on function name and url]. */
const INCLUSIVE = [
  [
    'Express router (Router.handle and everything below it)',
    (name, where) => name === 'handle' && /node_modules\/router\/index/.test(where),
  ],
  [
    'our observer middleware (RequestObserver.middleware, its next() included)',
    (name, where) => name === 'middleware' && /request-observer/.test(where),
  ],
  ['Nest router-execution-context (handler call and reply)', (name, where) => /router-execution-context/.test(where)],
  ['Nest ExpressAdapter.reply (StreamableFile piping set-up)', (name, where) => name === 'reply' && /express-adapter/.test(where)],
  ['FilesController.download (our handler)', (name, where) => name === 'download' && /files\.controller/.test(where)],
  ['FileStorageService.open (open, fstat, readlink)', (name, where) => name === 'open' && /file-storage/.test(where)],
  ['SliceReader._read (read, verify, push)', (name, where) => name === '_read' && /slice-reader/.test(where)],
  ['ServerResponse.setHeader (every call)', (name, where) => name === 'setHeader' && /_http_outgoing/.test(where)],
  [
    'ServerResponse.writeHead / _storeHeader',
    (name, where) => (name === 'writeHead' || name === '_storeHeader') && /_http_(server|outgoing)/.test(where),
  ],
  ['pino (log line)', (name, where) => /node_modules\/pino\//.test(where)],
  ['sonic-boom (write of the log line)', (name, where) => /sonic-boom/.test(where)],
  ['prom-client (metrics update)', (name, where) => /prom-client/.test(where)],
  ['parserOnIncoming (Node hands the request to Express)', (name) => name === 'parserOnIncoming'],
  ['res.end (everything that ends a response)', (name, where) => name === 'end' && /_http_outgoing/.test(where)],
];

const byFunction = new Map();
const byPackage = new Map();
const byLayer = new Map();
const inclusive = new Map();
const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
for (const id of kept) {
  const node = byId.get(id);
  const where = urlOf(node);
  add(byPackage, packageLabel(node));
  add(
    byFunction,
    `${node.callFrame.functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`,
  );
  add(byLayer, layerOf(node));
  const seen = new Set();
  for (let current = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current);
    for (const [label, test] of INCLUSIVE) if (!seen.has(label) && test(frame.callFrame.functionName, urlOf(frame))) seen.add(label);
  }
  for (const label of seen) add(inclusive, label);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, ticks] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((ticks / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(`${total} samples${skipMs || windowMs !== Infinity ? ` (from ${skipMs} ms, for ${windowMs} ms)` : ''}`);
show('self time by layer (leaf frame)', byLayer, 22);
show('inclusive time (frame anywhere on the stack)', inclusive, INCLUSIVE.length);
show('self time by package', byPackage, 15);
show('self time by function', byFunction, top);
