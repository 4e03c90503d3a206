#!/usr/bin/env node
// Copies the current build (dist/) and the benchmark's entry point to bench/.work/builds/NAME, so
// bench/compare.mjs can run it next to later builds: `npm run build && node bench/snapshot.mjs NAME`.
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH, '..');
const name = process.argv[2];
if (!name || !/^[\w.-]+$/.test(name)) throw new Error('usage: node bench/snapshot.mjs NAME');
if (!existsSync(join(REPO, 'dist/main.js'))) throw new Error('dist/ is missing: npm run build');
const target = join(BENCH, '.work/builds', name);
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'bench/floor'), { recursive: true });
cpSync(join(REPO, 'dist'), join(target, 'dist'), { recursive: true });
cpSync(join(BENCH, 'floor/main.mjs'), join(target, 'bench/floor/main.mjs'));
// The snapshot resolves its packages from the working tree's node_modules.
symlinkSync(join(REPO, 'node_modules'), join(target, 'node_modules'));
process.stdout.write(`${target}\n`);
