#!/usr/bin/env node
// `npm run demo`: the method end to end on the reference target, in about five minutes.
//   1. setup if needed (npm dependencies, k6 built into .tools/bin);
//   2. a three-phase campaign on load-models/grc-person.yaml, profile `demo` (60 s per phase): for each
//      phase perfcell starts the reference target embedded (PGlite, in-process bus), seeds the same 1000
//      persons, rewires grc to the WireMock stubs the phase uses (ticketing always stubbed), runs k6 —
//      plus Chromium playing the operator's journey in the end-to-end phase — and checks the stubs' traffic;
//   3. everything stops; the iteration folder (and its report, once written) is printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => console.log(`demo: ${m}`);

// 1. Setup when something it provides is missing (it is idempotent, but a no-op run still costs seconds).
const k6 = process.env.PERFCELL_K6 ?? join(root, '.tools', 'bin', 'k6');
if (!existsSync(join(root, 'node_modules', '.package-lock.json')) || (!process.env.PERFCELL_K6 && !existsSync(k6))) {
  say('first run: npm run setup');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The reference target listens on its default ports (perfcell.config.yaml, environment `local`).
const ports = [8080, 8081, 8082, 8083, 8084, 8085, 8086];
const busy = [];
for (const port of ports) {
  const free = await new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
  if (!free) busy.push(port);
}
if (busy.length > 0) {
  console.error(`demo: port(s) ${busy.join(', ')} in use on 127.0.0.1; the demo starts the reference target there. Stop what holds them (a running reference target: \`node bin/perfcell.js sut stop\`) and run again.`);
  process.exit(3);
}

// 2. The campaign. Ctrl-C reaches perfcell too (same process group): it stops k6, the stubs and the target.
say(`campaign stubbed → unstubbed → e2e on grc-person, profile ${process.env.PERFCELL_DEMO_PROFILE ?? 'demo (about 1 min of load per phase)'}`);
const child = spawn(process.execPath, [join(root, 'bin', 'perfcell.js'), 'campaign', join(root, 'load-models', 'grc-person.yaml'), '--profile', process.env.PERFCELL_DEMO_PROFILE ?? 'demo', '--quiet'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (b) => (out += b.toString()));
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => {}); // the child handles it; wait for it to finish cleanly
const code = await new Promise((res) => child.once('exit', (c, sig) => res(c ?? (sig ? 128 : 1))));

// 3. Where the results are.
const dir = out.trim().split('\n').pop() ?? '';
if (dir && existsSync(join(dir, 'campaign.json'))) {
  const record = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8'));
  say(`campaign ${record.status}${record.reason ? ` (${record.reason})` : ''}`);
  say(`iteration folder: ${relative(process.cwd(), dir) || dir}`);
  if (record.report) say(`report: ${record.report}`);
  else say('report: not written by this build yet (perfcell report <iteration folder> once available)');
}
process.exit(code);
