// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFunction = new Map();
const byPackage = new Map();
for (const [id, ticks] of selfTicks) {
  const { callFrame } = byId.get(id);
  const where = callFrame.url.replace(/^file:\/\//, '');
  const pkg =
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
    (where.startsWith('node:') ? 'node-core' : where.includes('/dist/') ? 'our code' : where || `(${callFrame.functionName || 'native'})`);
  const key = `${callFrame.functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + ticks);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ticks);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, ticks] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((ticks / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
show('self time by package', byPackage, 15);
show('self time by function', byFunction, top);
