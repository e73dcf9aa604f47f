/**
 * Runs a CI template's own shell steps on this machine, the way GitHub Actions or GitLab CI would, in a
 * scratch clone: what is ours (every `run:` / script line, the variables, the step order, `if: always()`,
 * `${{ … }}` expressions, GITHUB_OUTPUT, after_script) runs for real with bash; what is the platform's
 * (`uses:` actions, the Docker image, caches, artifacts, permissions) is emulated only in the effect later
 * steps rely on, and listed in `skipped` so a reader sees what was not checked. Remote services (`gh`,
 * `curl` to an API) are replaced by recording stand-ins first on PATH.
 *
 * Pure parts (parsing, expressions, rules) are exported for the test; the runners are the imperative shell.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ─── Scratch repository ──────────────────────────────────────────────────────────────────────────────

export interface ScratchRepo {
  /** Temp folder holding everything below; remove() deletes it. */
  root: string;
  /** Bare "origin" with `main` = the project's committed HEAD and the pull request's branch. */
  origin: string;
  /** The job's checkout (the pull request's branch); `../base` beside it is where the templates put the base. */
  work: string;
  /** Folder of the recording stand-ins, to put first on PATH. */
  bin: string;
  /** JSON lines written by the stand-ins, one per call. */
  calls: string;
  branch: string;
  remove: () => void;
}

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', ['-c', 'user.name=perfcell-ci-test', '-c', 'user.email=ci-test@perfcell.invalid', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${r.stderr}`);
  return r.stdout.trim();
};

/**
 * origin = a bare clone of `repo`'s committed HEAD as `main`; work = a clone of origin on `branch`, one commit
 * ahead of main with `files` added (pushed, as a pull request's branch is). Uncommitted changes of `repo`
 * are not in it: the builds under test are what is committed.
 * `tools`: the project's ignored `.tools/` (k6), linked into the checkout as a restored CI cache would be.
 */
export function createScratchRepo(o: { repo: string; branch: string; files: Record<string, string>; tools?: string }): ScratchRepo {
  const root = mkdtempSync(join(tmpdir(), 'perfcell-ci-'));
  try {
    const origin = join(root, 'origin.git');
    const work = join(root, 'work');
    git(root, 'clone', '--quiet', '--bare', o.repo, origin);
    // main = the project's HEAD whatever branch it is on, and origin's default branch.
    git(origin, 'update-ref', 'refs/heads/main', git(o.repo, 'rev-parse', 'HEAD'));
    git(origin, 'symbolic-ref', 'HEAD', 'refs/heads/main');
    git(root, 'clone', '--quiet', origin, work);
    git(work, 'checkout', '--quiet', '-b', o.branch);
    for (const [path, text] of Object.entries(o.files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
      git(work, 'add', path);
    }
    git(work, 'commit', '--quiet', '--allow-empty', '-m', 'the pull request under test');
    git(work, 'push', '--quiet', 'origin', o.branch);
    if (o.tools) symlinkSync(o.tools, join(work, '.tools'));
    const bin = join(root, 'bin');
    const calls = join(root, 'calls.jsonl');
    writeStandIns(bin, calls);
    return { root, origin, work, bin, calls, branch: o.branch, remove: () => rmSync(root, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

// ─── Stand-ins for remote services ───────────────────────────────────────────────────────────────────

export interface StandInCall {
  tool: 'gh' | 'curl';
  args: string[];
  cwd: string;
  /** Content of gh's --body-file, when given. */
  body?: string;
  /** Whether GH_TOKEN was set (gh refuses to run in Actions without it). */
  token?: boolean;
  exitCode: number;
}

/**
 * gh: records the call; `pr comment --edit-last` fails while no comment was posted yet (as on a pull
 * request's first run), a plain `pr comment` "posts" and succeeds; without GH_TOKEN it fails as gh does.
 * curl: records the call and fails as without network (exit 7): nothing may reach the internet from a job.
 */
function writeStandIns(bin: string, calls: string): void {
  mkdirSync(bin, { recursive: true });
  const script = (tool: string, body: string) =>
    `#!/usr/bin/env node
// Recording stand-in for ${tool} (test/support/ci-template.ts): nothing leaves this machine.
const fs = require('node:fs');
const args = process.argv.slice(2);
const calls = ${JSON.stringify(calls)};
const previous = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const record = (extra, exitCode) => { fs.appendFileSync(calls, JSON.stringify({ tool: ${JSON.stringify(tool)}, args, cwd: process.cwd(), ...extra, exitCode }) + '\\n'); process.exit(exitCode); };
${body}
`;
  const gh = script(
    'gh',
    `const token = Boolean(process.env.GH_TOKEN || process.env.GITHUB_TOKEN);
const i = args.indexOf('--body-file');
const body = i >= 0 && fs.existsSync(args[i + 1]) ? fs.readFileSync(args[i + 1], 'utf8') : undefined;
if (!token) { console.error('gh: set the GH_TOKEN environment variable'); record({ body, token }, 4); }
const posted = previous.some((c) => c.tool === 'gh' && c.exitCode === 0 && c.args[0] === 'pr' && c.args[1] === 'comment');
if (args.includes('--edit-last') && !posted) { console.error('no comments found for current user'); record({ body, token }, 1); }
record({ body, token }, 0);`,
  );
  const curl = script('curl', `console.error('curl: (7) stand-in: no network from a CI job under test'); record({}, 7);`);
  for (const [name, text] of [['gh', gh], ['curl', curl]] as const) {
    const path = join(bin, name);
    // The stand-ins are CommonJS (require) wherever they live: give them a .cjs body behind a bash shim.
    writeFileSync(`${path}.cjs`, text.replace(/^#!.*\n/, ''));
    writeFileSync(path, `#!/usr/bin/env bash\nexec node ${JSON.stringify(`${path}.cjs`)} "$@"\n`);
    chmodSync(path, 0o755);
  }
}

export function readCalls(file: string): StandInCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as StandInCall);
}

// ─── Results ─────────────────────────────────────────────────────────────────────────────────────────

export interface StepResult {
  name: string;
  outcome: 'success' | 'failure' | 'skipped' | 'emulated';
  exitCode?: number;
  durationMs: number;
}

export interface JobResult {
  /** What the job ends with: 0 when it succeeds, else the exit code of its first failed step (GitLab: of the script). */
  exitCode: number;
  steps: StepResult[];
  /** The platform's parts not run, and how their effect was provided. */
  skipped: string[];
  /** Everything the steps printed, with "$ step" headers. */
  log: string;
  /** GitHub: each step's GITHUB_OUTPUT values, by step id. */
  outputs: Record<string, Record<string, string>>;
}

// ─── Shared: environment, bash ───────────────────────────────────────────────────────────────────────

/** Variables of the test's own process that would change what the job does (the job sets its own). */
const FOREIGN = /^(PERFCELL_|SUT_|GATE_|BASE_PORT_OFFSET$|GITHUB_|RUNNER_|CI_|CI$|GITLAB_|NODE_OPTIONS$|NODE_TEST_CONTEXT$|GH_|PERF_GATE_)/;

/** The machine's environment like a self-hosted runner's, without the test's own switches, stand-ins first on PATH. */
export function runnerEnvironment(bin: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !FOREIGN.test(k)) env[k] = v;
  env.PATH = `${bin}:${base.PATH ?? '/usr/bin:/bin'}`;
  return env;
}

interface BashRun {
  code: number;
  output: string;
}

/** Runs a script file with bash in its own process group; on the deadline the whole group is killed (exit 124). */
function bash(args: string[], cwd: string, env: Record<string, string>, deadline: number): Promise<BashRun> {
  return new Promise((res) => {
    const child = spawn('bash', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        /* gone */
      }
    }, Math.max(0, deadline - Date.now()));
    child.once('close', (code) => {
      clearTimeout(timer);
      res({ code: timedOut ? 124 : (code ?? 1), output: timedOut ? `${output}\n[ci-template] killed: the job's timeout\n` : output });
    });
  });
}

const stringMap = (value: unknown, where: string): Record<string, string> => {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: a mapping of names to values`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => {
    if (typeof v === 'object' && v !== null) throw new Error(`${where}.${k}: a string, number or boolean`);
    return [k, String(v)];
  }));
};

/** Overrides may only change a template's own variables: that is what its users can do. */
function applyOverrides(vars: Record<string, string>, overrides: Record<string, string>, file: string, field: string): Record<string, string> {
  for (const k of Object.keys(overrides)) {
    if (!(k in vars)) throw new Error(`${file}: ${field}: no variable "${k}" to override (it has: ${Object.keys(vars).join(', ')})`);
  }
  return { ...vars, ...overrides };
}

// ─── GitHub Actions ──────────────────────────────────────────────────────────────────────────────────

export interface GithubStep {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with: Record<string, string>;
  run?: string;
  env: Record<string, string>;
  workingDirectory?: string;
  /** bash arguments before the script file: Actions' default `bash -e {0}`, `shell: bash` adds no profile and pipefail. */
  shell: string[];
}

export interface GithubJob {
  /** Workflow env, then the job's. */
  env: Record<string, string>;
  timeoutMinutes: number;
  steps: GithubStep[];
}

const STEP_KEYS = new Set(['name', 'id', 'if', 'uses', 'with', 'run', 'env', 'shell', 'working-directory']);

/** A workflow's job, validated: every key this runner does not emulate is refused rather than ignored. */
export function parseGithubJob(text: string, file: string, jobName: string): GithubJob {
  const doc = parse(text) as { env?: unknown; jobs?: Record<string, { env?: unknown; 'timeout-minutes'?: number; steps?: unknown[]; services?: unknown; container?: unknown; strategy?: unknown; defaults?: unknown }> };
  const job = doc.jobs?.[jobName];
  if (!job) throw new Error(`${file}: jobs.${jobName}: a job of that name (it has: ${Object.keys(doc.jobs ?? {}).join(', ')})`);
  for (const k of ['services', 'container', 'strategy', 'defaults'] as const) if (job[k] !== undefined) throw new Error(`${file}: jobs.${jobName}.${k}: not emulated by test/support/ci-template.ts`);
  const steps = (job.steps ?? []).map((raw, i): GithubStep => {
    const where = `${file}: jobs.${jobName}.steps[${i}]`;
    const s = raw as Record<string, unknown>;
    for (const k of Object.keys(s)) if (!STEP_KEYS.has(k)) throw new Error(`${where}.${k}: not emulated by test/support/ci-template.ts`);
    if ((s.run === undefined) === (s.uses === undefined)) throw new Error(`${where}: exactly one of run or uses`);
    const shell = s.shell === undefined ? ['-e'] : s.shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail'] : undefined;
    if (!shell) throw new Error(`${where}.shell: bash or none (got ${String(s.shell)})`);
    return {
      // Actions' own names for unnamed steps: the action, or "Run" and the script's first line.
      name: String(s.name ?? s.uses ?? `Run ${String(s.run).split('\n')[0] ?? ''}`),
      id: s.id === undefined ? undefined : String(s.id),
      if: s.if === undefined ? undefined : String(s.if),
      uses: s.uses === undefined ? undefined : String(s.uses),
      with: stringMap(s.with, `${where}.with`),
      run: s.run === undefined ? undefined : String(s.run),
      env: stringMap(s.env, `${where}.env`),
      workingDirectory: s['working-directory'] === undefined ? undefined : String(s['working-directory']),
      shell,
    };
  });
  return { env: { ...stringMap(doc.env, `${file}: env`), ...stringMap(job.env, `${file}: jobs.${jobName}.env`) }, timeoutMinutes: job['timeout-minutes'] ?? 360, steps };
}

/** The expression context: github, runner, env, steps; job status for always()/success()/failure(). */
export interface ExpressionContext {
  github: Record<string, unknown>;
  runner: Record<string, unknown>;
  env: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }>;
  jobFailed: boolean;
}

type Value = string | number | boolean | null | Record<string, unknown>;
const truthy = (v: Value) => v !== null && v !== false && v !== 0 && v !== '';
const asString = (v: Value): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A subset of Actions' expression language, enough for the templates: literals ('…', numbers, true/false/null),
 * property paths (github.event.pull_request.number), always()/success()/failure()/cancelled(), ==, !=, !, &&, ||
 * and parentheses. Anything else (hashFiles, format, …) is an error naming the expression.
 */
export function evaluateExpression(expr: string, ctx: ExpressionContext): Value {
  const tokens = expr.match(/\s*('(?:[^']|'')*'|==|!=|&&|\|\||[()!]|[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*(?:\(\))?|-?\d+(?:\.\d+)?|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`expression \`${expr}\`: ${why} (test/support/ci-template.ts knows literals, paths, status functions, ==, !=, !, &&, || and parentheses)`);
  };
  const lookup = (path: string): Value => {
    let v: unknown = ctx as unknown as Record<string, unknown>;
    for (const part of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined ? null : (v as Value);
  };
  const primary = (): Value => {
    const t = tokens[i++];
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') fail('missing )');
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'");
    if (/^-?\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (t === 'always()') return true;
    if (t === 'success()') return !ctx.jobFailed;
    if (t === 'failure()') return ctx.jobFailed;
    if (t === 'cancelled()') return false;
    if (/^[A-Za-z_]/.test(t) && !t.endsWith(')') && tokens[i] !== '(') {
      if (!['github', 'runner', 'env', 'steps'].includes(t.split('.')[0] as string)) fail(`unknown context in ${t}`);
      return lookup(t);
    }
    return fail(`unsupported token ${t}`);
  };
  const equal = (a: Value, b: Value) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : asString(a) === asString(b));
  const cmp = (): Value => {
    const a = primary();
    const op = tokens[i];
    if (op === '==' || op === '!=') {
      i++;
      const b = primary();
      return op === '==' ? equal(a, b) : !equal(a, b);
    }
    return a;
  };
  const and = (): Value => {
    let v = cmp();
    while (tokens[i] === '&&') {
      i++;
      const r = cmp();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  function or(): Value {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  const v = or();
  if (i !== tokens.length) fail(`unexpected ${tokens[i]}`);
  return v;
}

/** `${{ expr }}` in a string replaced by its value, as Actions does before the shell sees the script. */
export function substituteExpressions(text: string, ctx: ExpressionContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => asString(evaluateExpression(e.trim(), ctx)));
}

/** A step's `if:`: absent means success(); a condition without a status function is ANDed with success(). */
export function stepShouldRun(condition: string | undefined, ctx: ExpressionContext): boolean {
  if (condition === undefined) return !ctx.jobFailed;
  const expr = condition.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1').trim();
  const value = truthy(evaluateExpression(expr, ctx));
  return /\b(always|failure|cancelled|success)\(\)/.test(expr) ? value : value && !ctx.jobFailed;
}

/** GITHUB_OUTPUT's two forms: name=value and name<<DELIMITER … DELIMITER. */
export function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join('\n');
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

export interface GithubRunOptions {
  template: string;
  job: string;
  scratch: ScratchRepo;
  /** Values for the template's own env variables (workflow or job level); any other name is refused. */
  variables?: Record<string, string>;
  /** github.* as the pull_request event gives it. */
  github: {
    repository: string;
    token: string;
    serverUrl: string;
    runId: string;
    baseRef: string;
    event: { pull_request: { number: number; head: { ref: string; repo: { full_name: string } }; base: { ref: string } } };
  };
  /** Ceiling on the whole job, ms (the template's timeout-minutes applies too). */
  timeoutMs: number;
  /** Receives the job's output as it comes (for a live log); the whole of it is in the result too. */
  log?: (line: string) => void;
}

/** Emulations of the platform's actions: their effect that later steps rely on, and what was not done. */
/**
 * A Node of another major than this machine's, for a template that asks for it (node-version 22, image
 * node:22-…): PERFCELL_NODE<major> (a node binary) or .tools/node-<major>/bin/node (npm run setup fetches
 * Node 22 there). Its folder goes first on the job's PATH, so `node` and npm's scripts run on it.
 */
export function provisionedNodeBin(major: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env[`PERFCELL_NODE${major}`], join(REPO_ROOT, '.tools', `node-${major}`, 'bin', 'node')].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c) && spawnSync(c, ['--version'], { encoding: 'utf8' }).stdout.startsWith(`v${major}.`));
  return found ? dirname(found) : undefined;
}

function emulateAction(step: GithubStep, scratch: ScratchRepo, job: { pathPrefix: string[] }): string {
  const [action] = (step.uses ?? '').split('@');
  switch (action) {
    case 'actions/checkout':
      if (step.with['fetch-depth'] !== '0') throw new Error(`${step.uses}: the scratch clone has the full history; fetch-depth ${step.with['fetch-depth'] ?? 1} not emulated`);
      return `${step.uses}: the scratch clone on branch ${scratch.branch}, full history, origin/main present (GitHub checks out the merge commit refs/pull/N/merge)`;
    case 'actions/setup-node': {
      const wanted = step.with['node-version'] ?? '';
      const have = process.versions.node;
      const cache = step.with.cache === 'npm' ? '; its npm cache (~/.npm) stands for cache: npm' : '';
      const major = wanted.split('.')[0] ?? '';
      if (!wanted || have.split('.')[0] === major) return `${step.uses}: this machine's node ${have}${cache}`;
      const bin = provisionedNodeBin(major);
      if (!bin) throw new Error(`${step.uses}: node-version ${wanted} wanted, this machine has ${have} and no Node ${major} is provisioned (npm run setup; or PERFCELL_NODE${major})`);
      job.pathPrefix.unshift(bin);
      return `${step.uses}: Node ${major} from ${bin} first on PATH${cache}`;
    }
    case 'actions/setup-go':
      return `${step.uses}: not installed (go ${step.with['go-version'] ?? ''}); k6 comes from the cache, so Go is not used`;
    case 'actions/cache': {
      const path = step.with.path ?? '';
      if (!existsSync(join(scratch.work, path))) throw new Error(`${step.uses}: path ${path} is not restored in the scratch clone (createScratchRepo's tools)`);
      return `${step.uses}: ${path} restored (linked to the project's own); key not computed, nothing saved`;
    }
    case 'actions/upload-artifact': {
      const path = step.with.path ?? '';
      if (!existsSync(join(scratch.work, path))) throw new Error(`${step.uses}: nothing to upload at ${path}`);
      return `${step.uses}: ${path} exists; not uploaded`;
    }
    default:
      throw new Error(`${step.uses}: no emulation in test/support/ci-template.ts`);
  }
}

export async function runGithubJob(o: GithubRunOptions): Promise<JobResult> {
  const file = o.template;
  const job = parseGithubJob(readFileSync(file, 'utf8'), file, o.job);
  const vars = applyOverrides(job.env, o.variables ?? {}, file, 'env');
  const deadline = Date.now() + Math.min(o.timeoutMs, job.timeoutMinutes * 60_000);
  const work = o.scratch.work;
  const temp = join(o.scratch.root, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  const summary = join(temp, 'step-summary.md');
  writeFileSync(summary, '');
  const pr = o.github.event.pull_request;
  const ctx: ExpressionContext = {
    github: { repository: o.github.repository, token: o.github.token, server_url: o.github.serverUrl, run_id: o.github.runId, base_ref: o.github.baseRef, head_ref: pr.head.ref, event_name: 'pull_request', event: o.github.event, workspace: work },
    runner: { os: 'Linux', temp },
    env: vars,
    steps: {},
    jobFailed: false,
  };
  const platform: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: work,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_BASE_REF: o.github.baseRef,
    GITHUB_HEAD_REF: pr.head.ref,
    GITHUB_REF: `refs/pull/${pr.number}/merge`,
    GITHUB_REPOSITORY: o.github.repository,
    GITHUB_SERVER_URL: o.github.serverUrl,
    GITHUB_RUN_ID: o.github.runId,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: temp,
  };
  const result: JobResult = { exitCode: 0, steps: [], skipped: ["concurrency, permissions: the platform's (not emulated)"], log: '', outputs: {} };
  /** Folders actions/setup-node puts first on PATH for the later steps. */
  const nodePath = { pathPrefix: [] as string[] };
  const say = (s: string) => {
    result.log += s;
    o.log?.(s);
  };
  for (const [i, step] of job.steps.entries()) {
    const started = Date.now();
    if (!stepShouldRun(step.if, ctx)) {
      result.steps.push({ name: step.name, outcome: 'skipped', durationMs: 0 });
      say(`\n$ [skipped] ${step.name}\n`);
      continue;
    }
    let outcome: StepResult['outcome'];
    let exitCode = 0;
    if (step.uses) {
      try {
        const what = emulateAction(step, o.scratch, nodePath);
        result.skipped.push(what);
        say(`\n$ [emulated] ${what}\n`);
        outcome = 'emulated';
      } catch (e) {
        say(`\n$ [emulated] ${step.name}: ${(e as Error).message}\n`);
        outcome = 'failure';
        exitCode = 1;
      }
    } else {
      const script = join(temp, `step-${i}.sh`);
      const output = join(temp, `output-${i}`);
      writeFileSync(output, '');
      writeFileSync(script, substituteExpressions(step.run ?? '', ctx));
      const stepEnv = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, substituteExpressions(v, ctx)]));
      const env = { ...runnerEnvironment([...nodePath.pathPrefix, o.scratch.bin].join(':')), ...vars, ...platform, GITHUB_OUTPUT: output, ...stepEnv };
      say(`\n$ ${step.name}\n`);
      const r = await bash([...step.shell, script], resolve(work, step.workingDirectory ?? '.'), env, deadline);
      say(r.output);
      exitCode = r.code;
      outcome = r.code === 0 ? 'success' : 'failure';
      if (step.id) {
        ctx.steps[step.id] = { outputs: parseGithubOutput(readFileSync(output, 'utf8')), outcome, conclusion: outcome };
        result.outputs[step.id] = ctx.steps[step.id]?.outputs ?? {};
      }
    }
    if (outcome === 'failure') {
      say(`[ci-template] step "${step.name}" failed (exit ${exitCode})\n`);
      if (!ctx.jobFailed) result.exitCode = exitCode;
      ctx.jobFailed = true;
    }
    result.steps.push({ name: step.name, outcome, exitCode, durationMs: Date.now() - started });
  }
  return result;
}

// ─── GitLab CI ───────────────────────────────────────────────────────────────────────────────────────

export interface GitlabJob {
  variables: Record<string, string>;
  rules: string[];
  timeoutMs: number;
  image?: string;
  cachePaths: string[];
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  artifactPaths: string[];
  junit: string[];
}

const GITLAB_KEYS = new Set(['stage', 'image', 'rules', 'timeout', 'variables', 'cache', 'before_script', 'script', 'after_script', 'artifacts']);

/** "25m", "1h 30m", "90s" → ms. */
export function parseGitlabDuration(text: string, where: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };
  const parts = [...text.matchAll(/(\d+)\s*([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) throw new Error(`${where}: a duration like 25m or 1h 30m (got "${text}")`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

export function parseGitlabJob(text: string, file: string, jobName: string): GitlabJob {
  const doc = parse(text) as Record<string, Record<string, unknown>>;
  const job = doc[jobName];
  if (!job) throw new Error(`${file}: ${jobName}: a job of that name (it has: ${Object.keys(doc).join(', ')})`);
  for (const k of Object.keys(job)) if (!GITLAB_KEYS.has(k)) throw new Error(`${file}: ${jobName}.${k}: not emulated by test/support/ci-template.ts`);
  const lines = (key: string): string[] => {
    const v = job[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new Error(`${file}: ${jobName}.${key}: a list of commands`);
    return v.map(String);
  };
  const rules = ((job.rules as { if?: string }[] | undefined) ?? []).map((r, i) => {
    if (Object.keys(r).some((k) => k !== 'if')) throw new Error(`${file}: ${jobName}.rules[${i}]: only if: is emulated`);
    return String(r.if);
  });
  const cache = job.cache as { paths?: string[] } | undefined;
  const artifacts = job.artifacts as { paths?: string[]; reports?: { junit?: string | string[] } } | undefined;
  const junit = artifacts?.reports?.junit;
  return {
    variables: stringMap(job.variables, `${file}: ${jobName}.variables`),
    rules,
    timeoutMs: job.timeout === undefined ? 3_600_000 : parseGitlabDuration(String(job.timeout), `${file}: ${jobName}.timeout`),
    image: job.image === undefined ? undefined : String(job.image),
    cachePaths: cache?.paths ?? [],
    beforeScript: lines('before_script'),
    script: lines('script'),
    afterScript: lines('after_script'),
    artifactPaths: artifacts?.paths ?? [],
    junit: junit === undefined ? [] : Array.isArray(junit) ? junit : [junit],
  };
}

/** A rule's `if:` of the forms `$VAR == "x"`, `$VAR != "x"`, `$VAR` (set and not empty). */
export function gitlabRuleMatches(rule: string, vars: Record<string, string>): boolean {
  const m = /^\s*\$(\w+)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'))?\s*$/.exec(rule);
  if (!m) throw new Error(`rules: if: ${rule}: test/support/ci-template.ts knows $VAR, $VAR == "x" and $VAR != "x"`);
  const value = vars[m[1] as string];
  if (!m[2]) return Boolean(value);
  const literal = m[3] ?? m[4];
  return m[2] === '==' ? value === literal : value !== literal;
}

/**
 * The shell script GitLab's runner builds for bash: errexit and pipefail, each command echoed then run as
 * written, in one shell (an `exit` in a command ends the job's script there).
 */
export function gitlabShellScript(commands: string[]): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return ['set -eo pipefail', 'set +o noclobber', ...commands.flatMap((c) => [`echo ${quote(`$ ${c.split('\n')[0] ?? ''}${c.includes('\n') ? ' # collapsed multi-line command' : ''}`)}`, c])].join('\n') + '\n';
}

export interface GitlabRunOptions {
  template: string;
  job: string;
  scratch: ScratchRepo;
  /** CI/CD variables of the project: only the template's own variables may be given (they override the job's). */
  variables?: Record<string, string>;
  /** Predefined CI_* variables of a merge request pipeline (CI_PROJECT_DIR is the scratch checkout). */
  predefined: Record<string, string>;
  timeoutMs: number;
  log?: (line: string) => void;
}

export async function runGitlabJob(o: GitlabRunOptions): Promise<JobResult> {
  const file = o.template;
  const job = parseGitlabJob(readFileSync(file, 'utf8'), file, o.job);
  const work = o.scratch.work;
  const predefined = { CI: 'true', GITLAB_CI: 'true', CI_PROJECT_DIR: work, CI_BUILDS_DIR: dirname(work), ...o.predefined };
  const vars = applyOverrides(job.variables, o.variables ?? {}, file, `${o.job}.variables`);
  for (const [k, v] of Object.entries(vars)) if (v.includes('$')) throw new Error(`${file}: ${o.job}.variables.${k}: variable references are not expanded by test/support/ci-template.ts`);
  const all = { ...predefined, ...vars };
  const result: JobResult = { exitCode: 0, steps: [], skipped: [], log: '', outputs: {} };
  const say = (s: string) => {
    result.log += s;
    o.log?.(s);
  };
  if (!job.rules.some((r) => gitlabRuleMatches(r, all))) throw new Error(`${file}: ${o.job}.rules: no rule matches this pipeline (${job.rules.join('; ')}): the job would not run`);
  let nodeBin: string | undefined;
  if (job.image) {
    const m = /^node:(\d+)/.exec(job.image);
    if (m && m[1] !== process.versions.node.split('.')[0]) {
      nodeBin = provisionedNodeBin(m[1] as string);
      if (!nodeBin) throw new Error(`${file}: ${o.job}.image: ${job.image} wanted, this machine has node ${process.versions.node} and no Node ${m[1]} is provisioned (npm run setup; or PERFCELL_NODE${m[1]})`);
      result.skipped.push(`image ${job.image}: this machine instead, Node ${m[1]} from ${nodeBin} first on PATH`);
    } else result.skipped.push(`image ${job.image}: this machine instead (node ${process.versions.node})`);
  }
  for (const p of job.cachePaths) {
    if (!existsSync(join(work, p))) throw new Error(`${file}: ${o.job}.cache.paths: ${p} is not restored in the scratch clone (createScratchRepo's tools)`);
    result.skipped.push(`cache ${p}: restored (linked to the project's own), nothing saved`);
  }
  const deadline = Date.now() + Math.min(o.timeoutMs, job.timeoutMs);
  const env = { ...runnerEnvironment(nodeBin ? `${nodeBin}:${o.scratch.bin}` : o.scratch.bin), ...all };
  const temp = join(o.scratch.root, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  const phase = async (name: string, commands: string[], extra: Record<string, string>, until: number): Promise<number> => {
    const started = Date.now();
    const script = join(temp, `${name}.sh`);
    writeFileSync(script, gitlabShellScript(commands));
    say(`\n$ [${name}]\n`);
    const r = await bash([script], work, { ...env, ...extra }, until);
    say(r.output);
    result.steps.push({ name, outcome: r.code === 0 ? 'success' : 'failure', exitCode: r.code, durationMs: Date.now() - started });
    return r.code;
  };
  result.exitCode = await phase('before_script + script', [...job.beforeScript, ...job.script], {}, deadline);
  // after_script: a new shell, always, its own 5-minute limit; its failure does not change the job's status.
  if (job.afterScript.length > 0) await phase('after_script', job.afterScript, { CI_JOB_STATUS: result.exitCode === 0 ? 'success' : 'failed' }, Date.now() + 5 * 60_000);
  for (const p of [...job.artifactPaths, ...job.junit]) {
    if (!existsSync(join(work, p))) {
      say(`[ci-template] artifact ${p} missing\n`);
      result.skipped.push(`artifact ${p}: MISSING`);
    } else result.skipped.push(`artifact ${p}: exists, not uploaded`);
  }
  return result;
}
