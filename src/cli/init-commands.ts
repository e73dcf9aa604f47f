/**
 * `perfcell init [service]`: scoping as a command. Flags, or questions when on a terminal, for the service,
 * its base URL per environment and its transactions with their peak-hour volumes; writes a load model,
 * scenario skeletons that type-check, an empty stub set and the environment entry (src/init/scaffold.ts),
 * then prints the next three commands.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { inputError } from '../errors.js';
import { CONFIG_FILE } from '../environments/registry.js';
import { INSTALLED, PROJECT_ROOT } from '../k6/locate.js';
import { DEFAULT_P95_MS, parseBaseUrl, parseTransaction, scaffold, type InitAnswers, type Scaffold } from '../init/scaffold.js';
import { GITHUB_WORKFLOW_PATH, githubWorkflow } from '../init/ci-workflow.js';
import { displayPath, durationFlag } from './convention.js';

interface InitFlags {
  baseUrl: string[];
  transaction: string[];
  testHost: string[];
  dependency: string[];
  p95: string;
  dir: string;
  force?: boolean;
  ci: string;
  start: string;
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Asks for what the flags did not give, only when a person is at a terminal. */
async function ask(service: string | undefined, f: InitFlags): Promise<{ service?: string; baseUrl: string[]; transaction: string[] }> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  if (!interactive || (service && f.baseUrl.length && f.transaction.length)) return { service, baseUrl: f.baseUrl, transaction: f.transaction };
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const s = service ?? ((await rl.question('service name (lower-case, e.g. orders): ')).trim() || undefined);
    const baseUrl = f.baseUrl.length ? f.baseUrl : [(await rl.question('base URL in the local environment (e.g. http://127.0.0.1:3000): ')).trim()];
    const transaction = [...f.transaction];
    if (transaction.length === 0) {
      process.stdout.write('transactions, one a line as name=METHOD /path@perHour (e.g. list-orders=GET /orders@1800); empty line to finish\n');
      for (;;) {
        const line = (await rl.question('  transaction: ')).trim();
        if (!line) break;
        transaction.push(line);
      }
    }
    return { service: s, baseUrl, transaction };
  } finally {
    rl.close();
  }
}

/** perfcell.config.yaml with the service's target in each environment (comments and other entries kept). */
export function mergeRegistry(text: string | undefined, s: Scaffold, service: string): string {
  const doc = parseDocument(text ?? '# perfcell\'s environment registry (docs/campaigns.md): per environment the services\' base URLs and whether load may go there.\n');
  if (!doc.has('environments')) doc.set('environments', doc.createNode({}));
  for (const [env, entry] of Object.entries(s.environments)) {
    if (doc.hasIn(['environments', env])) doc.setIn(['environments', env, 'targets', service], entry.targets[service]);
    else doc.setIn(['environments', env], doc.createNode(entry));
  }
  return doc.toString();
}

/**
 * The node_modules/@types folder that holds k6's types, found as Node finds packages: perfcell's own in its
 * checkout, the service's (hoisted) when perfcell is installed there.
 */
function typesRoot(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('@types/k6/package.json')));
}

/** The CI workflow for the service's repository (`--ci github`), or nothing (`--ci none`). */
function ciFiles(f: InitFlags, a: InitAnswers, model: string): Record<string, string> {
  if (f.ci === 'none') return {};
  if (f.ci !== 'github') throw inputError('command line', '--ci', `github or none (got "${f.ci}")`);
  const url = new URL(a.baseUrls.local ?? (Object.values(a.baseUrls)[0] as string));
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { [GITHUB_WORKFLOW_PATH]: githubWorkflow({ service: a.service, model, port, start: f.start }) };
}

/** scenarios/tsconfig.json: editors and `tsc -p scenarios` type-check the skeletons against k6's types and perfcell/k6. */
function scenarioTsconfig(dir: string): string {
  const scenarios = join(dir, 'scenarios');
  const rel = (p: string) => relative(scenarios, p).split('\\').join('/');
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2020'],
      types: ['k6'], typeRoots: [rel(typesRoot())],
      baseUrl: '.', paths: { 'perfcell/k6': [rel(join(PROJECT_ROOT, 'src', 'scenario', 'k6-api.ts'))] },
    },
    include: ['./**/*.ts'],
  }, null, 2) + '\n';
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .argument('[service]', 'the service to load-test (lower-case, digits, "-")')
    .option('--base-url <env=url>', 'base URL of the service in an environment; a bare URL is the "local" one (repeatable)', collect, [])
    .option('-t, --transaction <name=METHOD /path@perHour>', 'a transaction and its peak-hour volume (repeatable)', collect, [])
    .option('--test-host <host>', 'a non-loopback host declared as a test host: load allowed there (repeatable)', collect, [])
    .option('--dependency <name>', 'a dependency to stub: an empty stub set stubs/<name>/ (repeatable)', collect, [])
    .option('--p95 <duration>', 'p95 SLO of every transaction, to refine afterwards', `${DEFAULT_P95_MS}ms`)
    .option('-C, --dir <dir>', 'the repository to write into', '.')
    .option('--force', 'replace files that exist')
    .option('--ci <kind>', `a pull-request gate workflow for the repository: github (${GITHUB_WORKFLOW_PATH}) or none`, 'github')
    .option('--start <command>', 'the CI workflow\'s command that starts the service on $PORT', 'npm start')
    .description('scope a new service: load model, scenario skeletons, empty stub set, environment entry, CI gate workflow; prints the next commands')
    .action(async (serviceArg: string | undefined, f: InitFlags) => {
      const a = await ask(serviceArg, f);
      if (!a.service) throw inputError('command line', 'service', 'the service name (perfcell init <service>)');
      const answers: InitAnswers = {
        service: a.service,
        baseUrls: Object.fromEntries(a.baseUrl.map(parseBaseUrl)),
        transactions: a.transaction.map(parseTransaction),
        testHosts: f.testHost,
        p95Ms: durationFlag('--p95', f.p95),
        dependencies: f.dependency,
      };
      const s = scaffold(answers);
      const dir = resolve(f.dir);
      const files = { ...s.files };
      // In perfcell's own checkout neither: its tsconfig covers scenarios/ and ci/ holds its own workflows.
      if (dir !== resolve(PROJECT_ROOT)) {
        if (!existsSync(join(dir, 'scenarios', 'tsconfig.json'))) files['scenarios/tsconfig.json'] = scenarioTsconfig(dir);
        Object.assign(files, ciFiles(f, answers, s.model));
      }
      if (!f.force) for (const p of Object.keys(files)) if (existsSync(join(dir, p)) && !p.endsWith('.gitkeep')) throw inputError(join(dir, p), '', 'a file that does not exist yet (--force replaces it)');
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), content);
      }
      const config = join(dir, CONFIG_FILE);
      writeFileSync(config, mergeRegistry(existsSync(config) ? readFileSync(config, 'utf8') : undefined, s, answers.service));
      const out = process.stdout;
      for (const p of [...Object.keys(files), CONFIG_FILE]) out.write(`  wrote ${displayPath(join(dir, p))}\n`);
      for (const [env, e] of Object.entries(s.environments)) {
        out.write(`  environment ${env}: ${e.targets[answers.service]} — load ${e.loadTesting}${e.loadTesting === 'forbidden' ? ' (not loopback: declare it with --test-host to allow load)' : ''}\n`);
      }
      const model = displayPath(join(dir, s.model));
      // Installed in the service's repository, the CLI is node_modules/.bin/perfcell: npx finds it.
      const cli = INSTALLED ? 'npx perfcell' : 'perfcell';
      out.write(`\nnext:\n  ${cli} model check ${model}\n  ${cli} model show ${model} -p smoke\n  ${cli} run ${model} -p smoke\n`);
    });
}
