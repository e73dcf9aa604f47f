#!/usr/bin/env node
// Runs every *.test.ts under test/, src/ and sut/ with node's test runner (through tsx), one file at a time:
// many tests send real load, and two load tests at once on a 2-core machine falsify each other's figures.
// Arguments filter the files by substring: `node scripts/test.mjs compile run-`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['test', 'src', 'sut'];
const skip = new Set(['node_modules', 'fixtures', '.tools', 'reports']);
function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    if (skip.has(e)) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = roots.flatMap((r) => walk(r, [])).sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
