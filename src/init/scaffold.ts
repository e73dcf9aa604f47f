/**
 * `perfcell init`: the scoping step's answers (service, base URL per environment, transactions and their
 * peak-hour volumes) → the files a newcomer needs for a first smoke run on their own API. Pure: answers in,
 * file contents out; src/cli/init-commands.ts asks, writes and merges the environment registry.
 */
import { isLoopbackHost } from '../model/environment.js';
import { inputError } from '../errors.js';

export interface InitTransaction {
  name: string;
  method: string;
  path: string;
  peakPerHour: number;
}

export interface InitAnswers {
  service: string;
  /** Environment name → base URL of the service there. */
  baseUrls: Record<string, string>;
  transactions: InitTransaction[];
  /** Hosts declared as test hosts: load may go there although they are not loopback. */
  testHosts: string[];
  /** p95 SLO for every transaction, ms (the cell refines it per transaction afterwards). */
  p95Ms: number;
  /** Stub sets to create for the service's dependencies (empty ones, filled by `stubs` recordings later). */
  dependencies: string[];
}

export interface EnvironmentEntry {
  loadTesting: 'allowed' | 'forbidden';
  allowNonLoopback?: true;
  targets: Record<string, string>;
}

export interface Scaffold {
  /** Project-relative path → content. */
  files: Record<string, string>;
  /** Environment name → the entry for perfcell.config.yaml's `environments:`. */
  environments: Record<string, EnvironmentEntry>;
  model: string;
}

const NAME_RE = /^[a-z][a-z0-9-]*$/;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
/** A transaction without a volume: one a second at the peak hour, a visible placeholder to replace. */
export const DEFAULT_PEAK_PER_HOUR = 3600;
/**
 * The smoke profile proves the scripts and the target answer, not capacity: every transaction at least
 * SMOKE_MIN_RATE requests a second (a 5 s smoke then sends ≥ 5 of each, enough to see a failing check),
 * and none above SMOKE_MAX_RATE (a smoke must stay harmless for a shared test host).
 */
export const SMOKE_MIN_RATE = 1;
export const SMOKE_MAX_RATE = 20;
export const SMOKE_DURATION = '5s';
/**
 * The gate profile (docs/gate.md, "The gate profile"): short and constant, each transaction at least
 * GATE_MIN_RATE a second so that a 10 s run holds ≥ 200 requests for its p95 (the gate compares a
 * transaction only with ≥ 20 requests per run or window: DEFAULT_THRESHOLDS.minWindowRequests, and
 * docs/gate.md asks ≥ 100), none above GATE_MAX_RATE (a regression gate, not a capacity test).
 */
export const GATE_MIN_RATE = 20;
export const GATE_MAX_RATE = 100;
export const GATE_DURATION = '10s';
export const DEFAULT_P95_MS = 500;
/** 1 %: a first SLO on errors the cell tightens once it knows the service. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;

/** `name=METHOD /path@perHour` (method default GET, volume default DEFAULT_PEAK_PER_HOUR) → a transaction. */
export function parseTransaction(spec: string): InitTransaction {
  const m = /^([a-z][a-z0-9-]*)=(?:([A-Za-z]+)\s+)?(\/\S*?)(?:@(\d+(?:\.\d+)?))?$/.exec(spec.trim());
  if (!m) throw inputError('command line', '--transaction', `name=METHOD /path@perHour, e.g. "list-orders=GET /orders@1800" (got "${spec}")`);
  const method = (m[2] ?? 'GET').toUpperCase();
  if (!METHODS.includes(method)) throw inputError('command line', '--transaction', `an HTTP method among ${METHODS.join(', ')} (got "${m[2]}")`);
  const peakPerHour = m[4] === undefined ? DEFAULT_PEAK_PER_HOUR : Number(m[4]);
  if (!(peakPerHour > 0)) throw inputError('command line', '--transaction', `a peak-hour volume above 0 (got "${m[4]}")`);
  return { name: m[1] as string, method, path: m[3] as string, peakPerHour };
}

/** `env=url` or a bare URL (→ local). */
export function parseBaseUrl(spec: string): [string, string] {
  const eq = /^([a-z][a-z0-9-]*)=(.+)$/.exec(spec);
  const [env, url] = eq ? [eq[1] as string, eq[2] as string] : ['local', spec];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw inputError('command line', '--base-url', `env=http(s)://host[:port] or a URL (got "${spec}")`);
  }
  if (!/^https?:$/.test(parsed.protocol)) throw inputError('command line', '--base-url', `an http or https URL (got "${url}")`);
  return [env, url.replace(/\/+$/, '')];
}

/** Load is allowed only where every target is loopback or a declared test host; elsewhere it is refused. */
export function environmentEntry(service: string, url: string, testHosts: readonly string[]): EnvironmentEntry {
  const host = new URL(url).hostname;
  const loopback = isLoopbackHost(host);
  const declared = testHosts.map((h) => h.toLowerCase()).includes(host.toLowerCase());
  if (loopback) return { loadTesting: 'allowed', targets: { [service]: url } };
  if (declared) return { loadTesting: 'allowed', allowNonLoopback: true, targets: { [service]: url } };
  return { loadTesting: 'forbidden', targets: { [service]: url } };
}

/** The multiplier that puts the slowest transaction at `min` a second, capped so the busiest stays ≤ `max`. */
export function rateMultiplier(transactions: readonly InitTransaction[], min: number, max: number): number {
  const rates = transactions.map((t) => t.peakPerHour / 3600);
  const up = min / Math.min(...rates);
  const cap = max / Math.max(...rates);
  return Number(Math.max(Math.min(up, cap), Number.EPSILON).toPrecision(3));
}

/** The smoke multiplier: the slowest transaction at SMOKE_MIN_RATE, capped so the busiest stays ≤ SMOKE_MAX_RATE. */
export function smokeMultiplier(transactions: readonly InitTransaction[]): number {
  return rateMultiplier(transactions, SMOKE_MIN_RATE, SMOKE_MAX_RATE);
}

/** `list-orders` → `listOrders` (a scenario function name). */
export function functionName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function checkAnswers(a: InitAnswers): void {
  if (!NAME_RE.test(a.service)) throw inputError('command line', 'service', `lower-case letters, digits and "-", starting with a letter (got "${a.service}")`);
  if (Object.keys(a.baseUrls).length === 0) throw inputError('command line', '--base-url', 'the base URL of the service in at least one environment');
  if (a.transactions.length === 0) throw inputError('command line', '--transaction', 'at least one transaction, e.g. "list-orders=GET /orders@1800"');
  const seen = new Set<string>();
  for (const t of a.transactions) {
    if (seen.has(t.name)) throw inputError('command line', '--transaction', `unique names ("${t.name}" appears twice)`);
    seen.add(t.name);
  }
  for (const d of a.dependencies) if (!NAME_RE.test(d)) throw inputError('command line', '--dependency', `lower-case letters, digits and "-" (got "${d}")`);
}

const q = (s: string) => JSON.stringify(s);

export function scaffold(a: InitAnswers): Scaffold {
  checkAnswers(a);
  const scenarioFile = `scenarios/${a.service}/${a.service}.ts`;
  const model = `load-models/${a.service}.yaml`;
  const environments = Object.fromEntries(Object.entries(a.baseUrls).map(([env, url]) => [env, environmentEntry(a.service, url, a.testHosts)]));
  const perHour = a.transactions.reduce((s, t) => s + t.peakPerHour, 0);
  const modelText = [
    `# ${a.service}: written by \`perfcell init\`. Replace the volumes with the peak hour's measured ones`,
    `# (\`perfcell model derive\` reads them from access logs) and each SLO with the service's own.`,
    `service: ${a.service}`,
    `description: ${q(`${a.service} — ${a.transactions.length} transaction(s), ${perHour} requests at the peak hour`)}`,
    'headroom: 0.30',
    '# Environments (base URLs, whether load may go there) are in perfcell.config.yaml.',
    'transactions:',
    ...a.transactions.flatMap((t) => [
      `  - name: ${t.name}`,
      `    scenario: ${scenarioFile}#${functionName(t.name)}`,
      `    peakPerHour: ${t.peakPerHour}`,
      `    slo: { p95Ms: ${a.p95Ms}, maxErrorRate: ${DEFAULT_MAX_ERROR_RATE} }`,
    ]),
    'profiles:',
    `  smoke:   { multiplier: ${smokeMultiplier(a.transactions)}, duration: ${SMOKE_DURATION} }   # each transaction ≥ ${SMOKE_MIN_RATE}/s, none above ${SMOKE_MAX_RATE}/s`,
    '  nominal: { multiplier: 1.0, duration: 10m, rampUp: 1m }',
    '  peak:    { duration: 15m, rampUp: 2m }                  # peak hour × (1 + headroom)',
    '  stress:  { steps: [1, 2, 4, 8], stepDuration: 2m }',
    `  gate:    { multiplier: ${rateMultiplier(a.transactions, GATE_MIN_RATE, GATE_MAX_RATE)}, duration: ${GATE_DURATION} }   # the pull-request gate's: each ≥ ${GATE_MIN_RATE}/s, none above ${GATE_MAX_RATE}/s`,
    '',
  ].join('\n');
  const scenario = [
    `// ${a.service}'s transactions, one exported function each (load-models/${a.service}.yaml names them).`,
    "import http from 'k6/http';",
    "import { check } from 'k6';",
    "import { named, target } from 'perfcell/k6';",
    '',
    ...a.transactions.flatMap((t) => {
      const call = t.method === 'GET' ? `http.get(url, params)` : t.method === 'DELETE' ? 'http.del(url, null, params)' : `http.request(${q(t.method)}, url, JSON.stringify({}), params)`;
      return [
        `export function ${functionName(t.name)}(): void {`,
        `  const url = \`\${target(${q(a.service)})}${t.path.replace(/`/g, '')}\`;`,
        `  const params = named(${q(`${t.method} ${t.path}`)}${t.method === 'GET' || t.method === 'DELETE' ? '' : ", { headers: { 'content-type': 'application/json' } }"});`,
        `  const res = ${call};`,
        `  check(res, { '${t.name} 2xx': (r) => r.status >= 200 && r.status < 300 });`,
        '}',
        '',
      ];
    }),
  ].join('\n');
  const files: Record<string, string> = { [model]: modelText, [scenarioFile]: scenario };
  const sets = a.dependencies.length > 0 ? a.dependencies : [`${a.service}-dependency`];
  for (const d of sets) {
    files[`stubs/${d}/mappings/.gitkeep`] = '';
    files[`stubs/${d}/README.md`] =
      `# Stub set ${d}\n\nWireMock mappings (JSON) standing in for ${a.dependencies.length ? d : `a dependency of ${a.service}`} in the stubbed phase: one file per endpoint in\n` +
      '`mappings/`. `perfcell stubs start` serves them; `perfcell stubs verify` lists unused mappings and unmatched requests.\n';
  }
  return { files, environments, model };
}
