/**
 * The streaming core of `model derive` (pure, no I/O): log records in, production figures out. Memory is
 * bounded by the period's minutes × transactions, the open sessions and a capped number of templates —
 * never by the number of lines.
 */
import type { LogRecord } from './parse.js';
import { LogHistogram } from './histogram.js';
import { RouteTable, isBot, isHealthCheck, isStatic, learnTemplate, nameFor, pathOf, type Route } from './routes.js';

export const FIGURES_SCHEMA_VERSION = 1;
/** A new session after 30 minutes without a request: the web-analytics convention (GA, Matomo). */
export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;
/** Learned templates beyond this many go to "(other)": an unbounded URL space must not grow memory. */
export const MAX_LEARNED_TEMPLATES = 1000;
/** Uncovered routes listed (by count) in the figures; the rest are summed. */
const MAX_UNCOVERED_LISTED = 50;
/** Open sessions are swept for expiry every this many records (cheap, keeps the map to live clients). */
const SESSION_SWEEP_EVERY = 100_000;

export type PeakMethod = { kind: 'busiest-hour' } | { kind: 'busiest-minute' } | { kind: 'minute-quantile'; q: number };

export function parsePeak(text: string): PeakMethod | undefined {
  if (text === 'busiest-hour') return { kind: 'busiest-hour' };
  if (text === 'busiest-minute' || text === 'busiest-minute×60' || text === 'busiest-minute*60') return { kind: 'busiest-minute' };
  const m = /^p(\d{1,2}(?:\.\d+)?)-minute(?:[×x*]60)?$/.exec(text);
  if (m) return { kind: 'minute-quantile', q: Number(m[1]) / 100 };
  return undefined;
}

export interface AggregateOptions {
  /** Routes from an OpenAPI document or a routes file; learned templates when absent. */
  routes?: Route[];
  /** Where `routes` came from, for the figures. */
  routesFrom?: 'openapi' | 'routes';
  keepHealthChecks?: boolean;
  keepStatic?: boolean;
  keepBots?: boolean;
  sessionGapMs?: number;
  maxLearnedTemplates?: number;
}

interface TxAcc {
  route: Route;
  count: number;
  c4xx: number;
  c404: number;
  c5xx: number;
  latency: LogHistogram;
  bytes: LogHistogram;
}

interface Session {
  last: number;
  count: number;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface TransactionFigures {
  name: string;
  method: string;
  template: string;
  /** Requests over the whole period. */
  total: number;
  /** Requests in the chosen peak hour (or the peak minute ×60). */
  peakPerHour: number;
  /** Share of the covered traffic over the period (0–1). */
  share: number;
  /** Share in the peak. */
  peakShare: number;
  /** 5xx / all (0–1). */
  errorRate: number;
  /** 4xx / all (0–1). */
  clientErrorRate: number;
  latencyMs: Quantiles | null;
  /** Response body bytes (the log's bytes field), over the period. */
  responseBytes: { mean: number; p50: number; p95: number } | null;
}

export interface ExcludedCounts {
  healthChecks: number;
  staticAssets: number;
  bots: number;
  /** Requests that were not HTTP (`-`, TLS bytes on the HTTP port, junk). */
  malformedRequests: number;
  /** 404s on no known route (scanners, stale links). */
  notFound: number;
}

export interface Figures {
  schemaVersion: number;
  /** Period covered, ISO times. */
  from: string;
  to: string;
  /** The log's UTC offset (minutes) used for the daily profile. */
  offsetMin: number;
  peak: { method: string; start: string; end: string; totalPerHour: number };
  routing: 'openapi' | 'routes' | 'learned';
  requests: { counted: number; covered: number; uncovered: number };
  excluded: ExcludedCounts;
  transactions: TransactionFigures[];
  /** Routes seen in production that match no transaction, by learned template. */
  uncovered: { method: string; template: string; count: number; share: number }[];
  /** Hour by hour over the period (covered transactions): the chart. */
  hourly: { start: string; total: number }[];
  /** Hour of day (log's local time) → mean requests in that hour over the days seen, and its share of a day. */
  dailyProfile: { hour: number; mean: number; share: number }[];
  sessions: {
    gapMs: number;
    count: number;
    requestsPerSession: { mean: number; p50: number; p90: number } | null;
    /** Time between two requests of a session (their response times included). */
    thinkTimeMs: { mean: number; p50: number; p90: number } | null;
    /** First to last request of a session: the sum of the times between requests over the sessions. */
    durationMs: { mean: number } | null;
    key: 'client id' | 'ip + user agent';
  };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** User agents whose bot verdict and hash are cached (they repeat a lot; the regex is the costliest per-line test). */
const BOT_CACHE_SIZE = 10_000;

/**
 * A string that owns its characters. The parsers' fields are slices of a decoded 1 MB chunk; a slice kept
 * in a map (a template, a user agent) would keep its whole chunk alive.
 */
export function own(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** FNV-1a over a string's UTF-16 code units, from a seed (32 bits). */
function fnv(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** A 32-bit avalanche (murmur3's finaliser): FNV's low bits alone mix poorly. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A user agent's 29-bit hash, computed once per distinct agent (they repeat a lot) and cached with its bot verdict. */
const hashUserAgent = (ua: string): number => mix(fnv(ua, 0x811c9dc5)) & 0x1fffffff;

/**
 * 30-bit hash of a session key (IP + the user agent's cached hash, or a client id): a small integer keeps no
 * chunk alive and is V8's fastest map key (52-bit keys cost 12 % of derive's time as heap numbers), and only
 * the IP is hashed per line. Two live clients share a hash about once per 50 000 concurrent sessions: one
 * merged session, no visible effect on the figures.
 */
const sessionHash = (id: string, seed: number): number => mix(fnv(id, seed ^ 0x811c9dc5)) & 0x3fffffff;

export class Aggregator {
  private readonly table = new RouteTable();
  private readonly learned: boolean;
  private readonly learnedIndex = new Map<string, number>();
  private readonly tx: TxAcc[] = [];
  /** minute (epoch / 60 000) → requests per transaction index. */
  private readonly minutes = new Map<number, number[]>();
  private readonly uncovered = new Map<string, number>();
  private uncoveredTotal = 0;
  private uncoveredOther = 0;
  readonly excluded: ExcludedCounts = { healthChecks: 0, staticAssets: 0, bots: 0, malformedRequests: 0, notFound: 0 };
  private readonly sessions = new Map<number, Session>();
  /** user agent → its hash × 2 + 1 if a bot (a small integer). */
  private readonly uaCache = new Map<string, number>();
  private readonly thinkTime = new LogHistogram();
  private readonly perSession = new LogHistogram();
  private sessionCount = 0;
  private sawClientId = false;
  private records = 0;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private offsetMin: number | undefined;
  private readonly gap: number;
  private readonly maxLearned: number;

  constructor(private readonly o: AggregateOptions = {}) {
    this.learned = !o.routes;
    for (const r of o.routes ?? []) {
      const i = this.table.add(r);
      if (i === this.tx.length) this.tx.push(newTx(r));
    }
    this.gap = o.sessionGapMs ?? DEFAULT_SESSION_GAP_MS;
    this.maxLearned = o.maxLearnedTemplates ?? MAX_LEARNED_TEMPLATES;
  }

  add(r: LogRecord): void {
    if (r.method === '') {
      this.excluded.malformedRequests++;
      return;
    }
    const path = pathOf(r.url);
    if (!this.o.keepHealthChecks && isHealthCheck(path)) {
      this.excluded.healthChecks++;
      return;
    }
    if (!this.o.keepStatic && isStatic(path)) {
      this.excluded.staticAssets++;
      return;
    }
    const ua = r.userAgent === '' ? 0 : this.ua(r.userAgent);
    if (!this.o.keepBots && (ua & 1) === 1) {
      this.excluded.bots++;
      return;
    }
    this.count(r.method, path, r.status, r.timeMs, r.offsetMin, 1, r, ua >>> 1);
  }

  /**
   * `n` requests already counted elsewhere (a Prometheus counter's increase over a minute, by route and
   * status): no client, no latency, no size, no session.
   */
  addCount(method: string, path: string, status: number, timeMs: number, n: number): void {
    if (!(n > 0)) return;
    if (!this.o.keepHealthChecks && isHealthCheck(path)) {
      this.excluded.healthChecks += n;
      return;
    }
    if (!this.o.keepStatic && isStatic(path)) {
      this.excluded.staticAssets += n;
      return;
    }
    this.count(method, path, status, timeMs, 0, n, undefined, 0);
  }

  /** `uaHash`: the user agent's cached hash (0 without one), for the session key. */
  private count(method: string, path: string, status: number, timeMs: number, offsetMin: number, n: number, r: LogRecord | undefined, uaHash: number): void {
    const i = this.learned ? this.learn(method, path) : this.table.match(method, path);
    if (i < 0) {
      if (status === 404) {
        this.excluded.notFound += n;
        return;
      }
      this.uncoveredTotal += n;
      const key = `${method} ${learnTemplate(path)}`;
      const c = this.uncovered.get(key);
      if (c !== undefined) this.uncovered.set(key, c + n);
      else if (this.uncovered.size < this.maxLearned) this.uncovered.set(own(key), n);
      else this.uncoveredOther += n;
      if (r) this.session(r, uaHash);
      return;
    }
    const t = this.tx[i] as TxAcc;
    t.count += n;
    if (status >= 500) t.c5xx += n;
    else if (status >= 400) {
      t.c4xx += n;
      if (status === 404) t.c404 += n;
    }
    if (r) {
      if (r.durationMs === r.durationMs) t.latency.record(r.durationMs);
      if (r.bytes === r.bytes) t.bytes.record(r.bytes);
    }
    const minute = Math.floor(timeMs / MINUTE);
    let row = this.minutes.get(minute);
    if (!row) this.minutes.set(minute, (row = []));
    row[i] = (row[i] ?? 0) + n;
    if (timeMs < this.firstMs) this.firstMs = timeMs;
    if (timeMs > this.lastMs) this.lastMs = timeMs;
    this.offsetMin ??= offsetMin;
    if (r) this.session(r, uaHash);
  }

  /** The user agent's cached hash × 2, + 1 if it is a bot. */
  private ua(ua: string): number {
    let v = this.uaCache.get(ua);
    if (v === undefined) {
      v = hashUserAgent(ua) * 2 + (isBot(ua) ? 1 : 0);
      if (this.uaCache.size >= BOT_CACHE_SIZE) this.uaCache.clear();
      this.uaCache.set(own(ua), v);
    }
    return v;
  }

  /** Index of the learned template, creating it (up to the cap); -1 beyond the cap. */
  private learn(method: string, path: string): number {
    const template = learnTemplate(path);
    const key = `${method} ${template}`;
    const known = this.learnedIndex.get(key);
    if (known !== undefined) return known;
    if (this.tx.length >= this.maxLearned) return -1;
    const route = { method: own(method), template: own(template), name: nameFor(method, template) };
    this.tx.push(newTx(route));
    this.learnedIndex.set(own(key), this.tx.length - 1);
    return this.tx.length - 1;
  }

  private session(r: LogRecord, uaHash: number): void {
    if (r.clientId) this.sawClientId = true;
    const key = r.clientId ? sessionHash(r.clientId, 0) : sessionHash(r.ip, uaHash);
    const t = r.timeMs;
    const s = this.sessions.get(key);
    if (s) {
      const d = Math.abs(t - s.last);
      if (d <= this.gap) {
        this.thinkTime.record(d);
        s.count++;
        if (t > s.last) s.last = t;
      } else {
        this.perSession.record(s.count);
        this.sessionCount++;
        s.count = 1;
        s.last = t;
      }
    } else this.sessions.set(key, { last: t, count: 1 });
    if (++this.records % SESSION_SWEEP_EVERY === 0) this.sweep(t - this.gap);
  }

  private sweep(before: number): void {
    for (const [k, s] of this.sessions) {
      if (s.last < before) {
        this.perSession.record(s.count);
        this.sessionCount++;
        this.sessions.delete(k);
      }
    }
  }

  finish(peakMethod: PeakMethod = { kind: 'busiest-hour' }): Figures {
    this.sweep(Infinity);
    const routing: Figures['routing'] = this.learned ? 'learned' : (this.o.routesFrom ?? 'routes');
    // Learned templates answered only 404 are dead links or scanners, not transactions.
    const active: number[] = [];
    this.tx.forEach((t, i) => {
      if (t.count === 0) return;
      if (this.learned && t.c404 === t.count) this.excluded.notFound += t.count;
      else active.push(i);
    });
    const totalOf = (row: number[]) => active.reduce((s, i) => s + (row[i] ?? 0), 0);
    // Hours.
    const hours = new Map<number, number[]>();
    for (const [minute, row] of this.minutes) {
      const h = Math.floor(minute / 60);
      let acc = hours.get(h);
      if (!acc) hours.set(h, (acc = []));
      for (const i of active) acc[i] = (acc[i] ?? 0) + (row[i] ?? 0);
    }
    const hourKeys = [...hours.keys()].sort((a, b) => a - b);
    const covered = active.reduce((s, i) => s + (this.tx[i] as TxAcc).count, 0);
    const shareOf = (i: number) => (covered ? (this.tx[i] as TxAcc).count / covered : 0);
    let peakRow: number[] = [];
    let peakStart = 0;
    let peakSpanMs = HOUR;
    let scale = 1;
    if (peakMethod.kind === 'busiest-hour') {
      let best = -1;
      for (const h of hourKeys) {
        const tot = totalOf(hours.get(h) as number[]);
        if (tot > best) {
          best = tot;
          peakStart = h * HOUR;
          peakRow = hours.get(h) as number[];
        }
      }
    } else {
      const minuteKeys = [...this.minutes.keys()].sort((a, b) => a - b);
      peakSpanMs = MINUTE;
      scale = 60;
      if (peakMethod.kind === 'busiest-minute') {
        let best = -1;
        for (const m of minuteKeys) {
          const tot = totalOf(this.minutes.get(m) as number[]);
          if (tot > best) {
            best = tot;
            peakStart = m * MINUTE;
            peakRow = this.minutes.get(m) as number[];
          }
        }
      } else {
        // The q-quantile minute of the period, split by the period's mix (one minute's own mix is noise).
        const sorted = minuteKeys.map((m) => ({ m, tot: totalOf(this.minutes.get(m) as number[]) })).sort((a, b) => a.tot - b.tot);
        const pick = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(peakMethod.q * sorted.length) - 1))];
        peakStart = (pick?.m ?? 0) * MINUTE;
        const tot = pick?.tot ?? 0;
        peakRow = [];
        for (const i of active) peakRow[i] = tot * shareOf(i);
      }
    }
    const peakTotal = totalOf(peakRow) * scale;
    const transactions: TransactionFigures[] = active.map((i) => {
      const t = this.tx[i] as TxAcc;
      const peak = (peakRow[i] ?? 0) * scale;
      const lat = t.latency.count
        ? { p50: t.latency.quantile(0.5), p90: t.latency.quantile(0.9), p95: t.latency.quantile(0.95), p99: t.latency.quantile(0.99) }
        : null;
      return {
        name: t.route.name,
        method: t.route.method,
        template: t.route.template,
        total: t.count,
        peakPerHour: peak,
        share: shareOf(i),
        peakShare: peakTotal ? peak / peakTotal : 0,
        errorRate: t.c5xx / t.count,
        clientErrorRate: t.c4xx / t.count,
        latencyMs: lat,
        responseBytes: t.bytes.count ? { mean: t.bytes.mean(), p50: t.bytes.quantile(0.5), p95: t.bytes.quantile(0.95) } : null,
      };
    });
    transactions.sort((a, b) => b.peakPerHour - a.peakPerHour || b.total - a.total || (a.name < b.name ? -1 : 1));
    // Daily profile in the log's local time.
    const offsetMs = (this.offsetMin ?? 0) * MINUTE;
    const byHourOfDay = new Array<number>(24).fill(0);
    const days = new Set<number>();
    for (const h of hourKeys) {
      const local = h * HOUR + offsetMs;
      const hod = Math.floor(local / HOUR) % 24;
      byHourOfDay[hod] = (byHourOfDay[hod] as number) + totalOf(hours.get(h) as number[]);
      days.add(Math.floor(local / (24 * HOUR)));
    }
    const dayCount = Math.max(1, days.size);
    const dayTotal = byHourOfDay.reduce((s, x) => s + x, 0);
    const uncovered = [...this.uncovered.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_UNCOVERED_LISTED)
      .map(([key, count]) => {
        const sp = key.indexOf(' ');
        return { method: key.slice(0, sp), template: key.slice(sp + 1), count, share: count / Math.max(1, covered + this.uncoveredTotal) };
      });
    if (this.uncoveredOther > 0) uncovered.push({ method: '*', template: `(${this.maxLearned}+ other templates)`, count: this.uncoveredOther, share: this.uncoveredOther / Math.max(1, covered + this.uncoveredTotal) });
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');
    return {
      schemaVersion: FIGURES_SCHEMA_VERSION,
      from: iso(this.firstMs),
      to: iso(this.lastMs),
      offsetMin: this.offsetMin ?? 0,
      peak: {
        method: peakMethod.kind === 'minute-quantile' ? `p${+(peakMethod.q * 100).toFixed(3)}-minute×60` : peakMethod.kind === 'busiest-minute' ? 'busiest-minute×60' : 'busiest-hour',
        start: iso(peakStart),
        end: iso(peakStart + peakSpanMs),
        totalPerHour: peakTotal,
      },
      routing,
      requests: { counted: covered + this.uncoveredTotal, covered, uncovered: this.uncoveredTotal },
      excluded: { ...this.excluded },
      transactions,
      uncovered,
      hourly: hourKeys.length ? range(hourKeys[0] as number, hourKeys[hourKeys.length - 1] as number).map((h) => ({ start: iso(h * HOUR), total: hours.has(h) ? totalOf(hours.get(h) as number[]) : 0 })) : [],
      dailyProfile: byHourOfDay.map((n, hour) => ({ hour, mean: n / dayCount, share: dayTotal ? n / dayTotal : 0 })),
      sessions: {
        gapMs: this.gap,
        count: this.sessionCount,
        requestsPerSession: this.perSession.count ? { mean: this.perSession.mean(), p50: this.perSession.quantile(0.5), p90: this.perSession.quantile(0.9) } : null,
        thinkTimeMs: this.thinkTime.count ? { mean: this.thinkTime.mean(), p50: this.thinkTime.quantile(0.5), p90: this.thinkTime.quantile(0.9) } : null,
        durationMs: this.sessionCount ? { mean: this.thinkTime.sum / this.sessionCount } : null,
        key: this.sawClientId ? 'client id' : 'ip + user agent',
      },
    };
  }
}

function newTx(route: Route): TxAcc {
  return { route, count: 0, c4xx: 0, c404: 0, c5xx: 0, latency: new LogHistogram(), bytes: new LogHistogram() };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
