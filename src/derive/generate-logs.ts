/**
 * A seeded generator of production-like nginx access logs (combined + `$request_time`) with a known truth:
 * a daily curve with a known peak hour, day factors, a transaction mix with exact per-hour counts, client
 * sessions with think times, static assets, health checks, bots, 404 scanners, non-HTTP requests and torn
 * lines. For the round-trip tests, the bench and the demo:
 *
 *   node --import tsx src/derive/generate-logs.ts OUT.log[.gz] [--days 3] [--per-day 20000] [--seed 1]
 */
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../lib/random.js';
import { apportion } from '../model/closed.js';

export interface GeneratedTransaction {
  name: string;
  method: string;
  /** Template; `{id}` becomes a UUID per request. */
  template: string;
  weight: number;
  /** Median latency (ms) of a log-normal. */
  medianMs: number;
  errorRate: number;
  /** Query string appended (search). */
  query?: string;
}

export interface GeneratorSpec {
  seed: number;
  /** UTC midnight of the first day (epoch ms). */
  startMs: number;
  days: number;
  /** The log's UTC offset in minutes (the curve is in local time). */
  offsetMin: number;
  /** Business requests on a day of factor 1. */
  perDay: number;
  /** 24 weights, local hours. */
  dailyCurve: number[];
  /** Per-day multipliers (cycled). */
  dayFactors: number[];
  mix: GeneratedTransaction[];
  /** Mean business requests per session (sessions are 1 … 2×mean − 1 long, uniform). */
  meanSessionLength: number;
  /** Mean time between two requests of a session (exponential, capped at 10 minutes). */
  meanThinkMs: number;
  healthEverySec: number;
  /** Bot requests per business request. */
  botRatio: number;
  /** Scanner 404s per business request. */
  notFoundRatio: number;
  /** Static assets loaded at the start of each session. */
  staticPerSession: number;
  /** Non-HTTP requests (status 400) and torn lines, per day. */
  malformedPerDay: number;
  tornPerDay: number;
}

/** A working day of a back office: 9–10 am busiest, a lunch dip, a smaller afternoon peak. */
export const OFFICE_CURVE = [0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.5, 6, 12, 10, 8.5, 5, 6.5, 8.5, 8, 7, 5.5, 3.5, 2.2, 1.5, 1, 0.6, 0.4];

export const GRC_MIX: GeneratedTransaction[] = [
  { name: 'search-person', method: 'GET', template: '/persons', query: 'q=dupont&limit=20', weight: 1300, medianMs: 18, errorRate: 0.002 },
  { name: 'read-person-360', method: 'GET', template: '/persons/{id}/360', weight: 1100, medianMs: 35, errorRate: 0.004 },
  { name: 'read-person', method: 'GET', template: '/persons/{id}', weight: 400, medianMs: 8, errorRate: 0.001 },
  { name: 'log-call', method: 'POST', template: '/persons/{id}/calls', weight: 860, medianMs: 55, errorRate: 0.003 },
  { name: 'update-contact', method: 'PATCH', template: '/persons/{id}', weight: 130, medianMs: 30, errorRate: 0.002 },
  { name: 'create-person', method: 'POST', template: '/persons', weight: 60, medianMs: 32, errorRate: 0.005 },
];

export function defaultSpec(over: Partial<GeneratorSpec> = {}): GeneratorSpec {
  return {
    seed: 1,
    startMs: Date.UTC(2026, 10, 16),
    days: 3,
    offsetMin: 60,
    perDay: 20_000,
    dailyCurve: OFFICE_CURVE,
    dayFactors: [1.5, 1, 1.1, 1, 0.9],
    mix: GRC_MIX,
    meanSessionLength: 4,
    meanThinkMs: 20_000,
    healthEverySec: 10,
    botRatio: 0.03,
    notFoundRatio: 0.01,
    staticPerSession: 2,
    malformedPerDay: 5,
    tornPerDay: 3,
    ...over,
  };
}

export interface GeneratorTruth {
  /** UTC start (epoch ms) of each hour → business requests per transaction. */
  perHour: Map<number, Map<string, number>>;
  peakHourStartMs: number;
  /** Per transaction in the peak hour. */
  peak: Map<string, number>;
  totals: Map<string, number>;
  sessions: number;
  businessRequests: number;
  health: number;
  bots: number;
  staticAssets: number;
  notFound: number;
  malformed: number;
  torn: number;
  lines: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOUR = 3_600_000;
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  // ASCII only, as nginx writes them (it escapes other bytes as \xNN)
  'PortailAgence/3.2 (Windows; fr-FR) poste conseiller',
];
const BOT_AGENTS = ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'python-requests/2.32.3'];
const SCANNER_PATHS = ['/wp-login.php', '/.env', '/admin/config.php', '/phpmyadmin/index.php', '/cgi-bin/luci'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `[dd/Mon/yyyy:hh:mm:ss +hhmm]` in the log's offset. */
function clfTime(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const o = Math.abs(offsetMin);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${sign}${two(Math.floor(o / 60))}${two(o % 60)}`;
}

/**
 * Writes the log through `write` (called with chunks of lines, in time order) and returns the truth.
 * Memory: one hour of lines at a time.
 */
export async function generateLogs(spec: GeneratorSpec, write: (chunk: string) => void | Promise<void>): Promise<GeneratorTruth> {
  const rnd = seededRandom(spec.seed);
  const uuid = () => {
    const h = () => Math.floor(rnd() * 0x1_0000_0000).toString(16).padStart(8, '0');
    const a = h() + h() + h() + h();
    return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-a${a.slice(17, 20)}-${a.slice(20, 32)}`;
  };
  const truth: GeneratorTruth = { perHour: new Map(), peakHourStartMs: 0, peak: new Map(), totals: new Map(), sessions: 0, businessRequests: 0, health: 0, bots: 0, staticAssets: 0, notFound: 0, malformed: 0, torn: 0, lines: 0 };
  let sessionSerial = 0;
  for (let day = 0; day < spec.days; day++) {
    const factor = spec.dayFactors[day % spec.dayFactors.length] as number;
    const dayN = Math.round(spec.perDay * factor);
    const hourly = apportion(dayN, spec.dailyCurve);
    const tornAt = new Set(Array.from({ length: spec.tornPerDay }, () => Math.floor(rnd() * 24)));
    for (let h = 0; h < 24; h++) {
      // Local hour h of this day, in UTC.
      const hourStart = spec.startMs + day * 24 * HOUR + h * HOUR - spec.offsetMin * 60_000;
      const lines: { t: number; s: string }[] = [];
      const n = hourly[h] as number;
      const counts = apportion(n, spec.mix.map((t) => t.weight));
      const perTx = new Map<string, number>();
      const bag: number[] = [];
      counts.forEach((c, i) => {
        perTx.set((spec.mix[i] as GeneratedTransaction).name, c);
        for (let k = 0; k < c; k++) bag.push(i);
      });
      // Shuffle (Fisher–Yates) so that sessions mix transactions.
      for (let i = bag.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [bag[i], bag[j]] = [bag[j] as number, bag[i] as number];
      }
      let k = 0;
      while (k < bag.length) {
        const len = Math.min(bag.length - k, 1 + Math.floor(rnd() * (2 * spec.meanSessionLength - 1)));
        const thinks = Array.from({ length: len - 1 }, () => Math.min(600_000, Math.round(-Math.log(1 - rnd()) * spec.meanThinkMs)));
        let span = thinks.reduce((s, x) => s + x, 0);
        // A session stays inside its hour so that the hour's counts are exact.
        if (span > HOUR - 1000) {
          const f = (HOUR - 1000) / span;
          for (let x = 0; x < thinks.length; x++) thinks[x] = Math.floor((thinks[x] as number) * f);
          span = thinks.reduce((s, x) => s + x, 0);
        }
        let t = hourStart + Math.floor(rnd() * (HOUR - span));
        sessionSerial++;
        truth.sessions++;
        const v6 = sessionSerial % 5 === 0;
        const ip = v6 ? `2001:db8:${(sessionSerial >>> 16).toString(16)}:${(sessionSerial & 0xffff).toString(16)}::1` : `10.${(sessionSerial >>> 16) & 255}.${(sessionSerial >>> 8) & 255}.${sessionSerial & 255}`;
        const ua = USER_AGENTS[sessionSerial % USER_AGENTS.length] as string;
        for (let st = 0; st < spec.staticPerSession; st++) {
          lines.push({ t, s: `${ip} - - [${clfTime(t, spec.offsetMin)}] "GET /static/app.${st % 2 ? 'css' : 'js'}?v=3 HTTP/1.1" 200 ${40_000 + st} "https://crm.example/" "${ua}" 0.001` });
          truth.staticAssets++;
        }
        for (let x = 0; x < len; x++) {
          const tx = spec.mix[bag[k + x] as number] as GeneratedTransaction;
          const url = tx.template.replace(/\{id\}/g, () => uuid()) + (tx.query ? `?${tx.query}` : '');
          const status = rnd() < tx.errorRate ? 503 : tx.method === 'POST' ? 201 : 200;
          const latency = tx.medianMs * Math.exp(0.5 * (rnd() + rnd() + rnd() - 1.5) * 2);
          lines.push({ t, s: `${ip} - - [${clfTime(t, spec.offsetMin)}] "${tx.method} ${url} HTTP/1.1" ${status} ${200 + Math.floor(rnd() * 3000)} "https://crm.example/" "${ua}" ${(latency / 1000).toFixed(3)}` });
          if (x < len - 1) t += thinks[x] as number;
        }
        k += len;
      }
      // Health checks every healthEverySec, bots, scanners.
      for (let t = hourStart; t < hourStart + HOUR; t += spec.healthEverySec * 1000) {
        lines.push({ t, s: `127.0.0.1 - - [${clfTime(t, spec.offsetMin)}] "GET /health HTTP/1.1" 200 15 "-" "kube-probe/1.31" 0.002` });
        truth.health++;
      }
      const bots = Math.round(n * spec.botRatio);
      for (let b = 0; b < bots; b++) {
        const t = hourStart + Math.floor(rnd() * HOUR);
        lines.push({ t, s: `66.249.66.${b % 200} - - [${clfTime(t, spec.offsetMin)}] "GET /persons/${uuid()} HTTP/1.1" 200 1200 "-" "${BOT_AGENTS[b % BOT_AGENTS.length]}" 0.010` });
        truth.bots++;
      }
      const scans = Math.round(n * spec.notFoundRatio);
      for (let b = 0; b < scans; b++) {
        const t = hourStart + Math.floor(rnd() * HOUR);
        lines.push({ t, s: `198.51.100.${b % 250} - - [${clfTime(t, spec.offsetMin)}] "GET ${SCANNER_PATHS[b % SCANNER_PATHS.length]} HTTP/1.1" 404 153 "-" "Mozilla/5.0" 0.001` });
        truth.notFound++;
      }
      if (h === 3) {
        for (let m = 0; m < spec.malformedPerDay; m++) {
          const t = hourStart + m * 1000;
          lines.push({ t, s: `203.0.113.9 - - [${clfTime(t, spec.offsetMin)}] "\\x16\\x03\\x01\\x00\\xA5\\x01\\x00" 400 157 "-" "-" 0.000` });
          truth.malformed++;
        }
      }
      if (tornAt.has(h)) {
        for (let m = 0; m < spec.tornPerDay; m++) {
          // A line cut by a crash or a rotation: no status, no size.
          const t = hourStart + 1500 + m;
          lines.push({ t, s: `10.9.9.9 - - [${clfTime(t, spec.offsetMin)}] "GET /persons/${uuid()} HTT` });
          truth.torn++;
        }
      }
      lines.sort((a, b) => a.t - b.t);
      truth.lines += lines.length;
      truth.perHour.set(hourStart, perTx);
      truth.businessRequests += n;
      for (const [name, c] of perTx) truth.totals.set(name, (truth.totals.get(name) ?? 0) + c);
      let chunk = '';
      for (const l of lines) {
        chunk += l.s + '\n';
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      if (chunk) await write(chunk);
    }
  }
  let best = -1;
  for (const [start, m] of truth.perHour) {
    const tot = [...m.values()].reduce((s, x) => s + x, 0);
    if (tot > best) {
      best = tot;
      truth.peakHourStartMs = start;
      truth.peak = m;
    }
  }
  return truth;
}

/** Writes the generated log to a file, gzip when the name ends in .gz. */
export async function generateLogFile(file: string, spec: GeneratorSpec): Promise<GeneratorTruth> {
  const out = createWriteStream(file);
  const gz = file.endsWith('.gz') ? createGzip({ level: 1 }) : undefined;
  const sink = gz ?? out;
  if (gz) gz.pipe(out);
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  const truth = await generateLogs(spec, (chunk) => (sink.write(chunk) ? undefined : new Promise<void>((r) => sink.once('drain', () => r()))));
  sink.end();
  await done;
  return truth;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const file = args[0];
  if (!file || file.startsWith('--')) {
    process.stderr.write('usage: node --import tsx src/derive/generate-logs.ts OUT.log[.gz] [--days N] [--per-day N] [--seed N]\n');
    process.exit(2);
  }
  const num = (flag: string, d: number) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const truth = await generateLogFile(file, defaultSpec({ days: num('--days', 3), perDay: num('--per-day', 20_000), seed: num('--seed', 1) }));
  process.stdout.write(`${file}: ${truth.lines} lines; peak hour ${new Date(truth.peakHourStartMs).toISOString()}: ${[...truth.peak].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}
