/**
 * Load model + profile + environment → k6 options. Pure: the same input always gives the same options.
 * Open model (arrival-rate executors) for every profile but the closed one: the target's slowness must show
 * as latency and dropped iterations, never as a silently lower request rate. A closed profile (`vus`,
 * `thinkTimeMs`) compiles to constant-vus / ramping-vus, and the run says so (CompiledRun.closedModel): its
 * rate is an outcome, and the analysis offers no rate to compare it with.
 */
import { inputError } from '../errors.js';
import { closedPlan, type ClosedPlan } from './closed.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { targetEnvName } from './environment.js';
import type { ClosedProfile, Environment, LoadModel, Profile, Slo, Transaction } from './schema.js';

export const PHASES = ['stubbed', 'unstubbed', 'e2e'] as const;
export type Phase = (typeof PHASES)[number];

/** A piece of the rate timeline as multipliers of the transaction's peak hourly volume. */
export interface Segment {
  fromMultiplier: number;
  toMultiplier: number;
  durationMs: number;
}

export interface CompileInput {
  model: LoadModel;
  file: string;
  profile: string;
  environment: { name: string; env: Environment };
  phase: Phase;
  runId: string;
  iteration: number;
  /**
   * Put the run tags (service, profile, phase, run_id, iteration) on every sample (default true). They are
   * needed where samples of many runs meet (InfluxDB); the run folder's raw file holds one run and run.json
   * says which, and writing them into every CSV line costs about a sixth of k6's maximum rate here.
   */
  runTagsOnSamples?: boolean;
}

export interface CompiledTransaction {
  name: string;
  /** Name of the generated entry's exported function for this transaction. */
  exec: string;
  scenario: string;
  /** The model's business peak (peakPerHour at multiplier 1), per second. */
  peakPerSec: number;
  /** Highest rate of the profile, requests (iterations) per second. */
  peakRatePerSec: number;
  /** Rate at each profile step, per second (one value for constant profiles). */
  stepRatesPerSec: number[];
  preAllocatedVUs: number;
  maxVUs: number;
  thresholds: string[];
  /** The model's SLOs (thresholds holds the same as k6 expressions). */
  slo: Slo;
  /** The model's `targets` for this transaction (empty when it names none). */
  targets: string[];
  thinkTimeMs: number;
}

export interface K6Scenario {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
  exec: string;
  timeUnit: string;
  preAllocatedVUs: number;
  maxVUs: number;
  rate?: number;
  duration?: string;
  startRate?: number;
  stages?: { target: number; duration: string }[];
  gracefulStop: string;
  tags: Record<string, string>;
  /** Set for browser transactions only: k6 starts a Chromium per VU of this scenario. */
  options?: { browser: { type: 'chromium' } };
  vus?: never;
  startVUs?: never;
}

/** A closed profile's scenario: a fixed number of looping VUs (k6 takes none of the arrival-rate fields). */
export interface K6VusScenario {
  executor: 'constant-vus' | 'ramping-vus';
  exec: string;
  vus?: number;
  duration?: string;
  startVUs?: number;
  stages?: { target: number; duration: string }[];
  gracefulStop: string;
  tags: Record<string, string>;
  options?: { browser: { type: 'chromium' } };
  timeUnit?: never;
  preAllocatedVUs?: never;
  maxVUs?: never;
  rate?: never;
  startRate?: never;
}

export interface K6Options {
  scenarios: Record<string, K6Scenario | K6VusScenario>;
  thresholds: Record<string, string[]>;
  tags: Record<string, string>;
  summaryTrendStats: string[];
  systemTags: string[];
}

export interface CompiledRun {
  options: K6Options;
  transactions: CompiledTransaction[];
  /** Length of the load itself (without k6's graceful stop). */
  durationMs: number;
  timeline: Segment[];
  /** Environment variables for k6: TARGET_<NAME> per target. */
  env: Record<string, string>;
  /**
   * Set for a closed profile: its users and mean pause. The transactions' rates are then what the users
   * are expected to do at the expected response times, not an offered load.
   */
  closedModel?: { vus: number; thinkTimeMs: number };
}

const GRACEFUL_STOP = '10s';
/** Quantiles every summary carries; the analyzer computes its own from the raw samples. */
const SUMMARY_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'];
/** url, vu, iter and TLS details are left out: they multiply series without helping the analysis. */
const SYSTEM_TAGS = ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'expected_response', 'scenario', 'service'];

function ms(file: string, field: string, text: string): number {
  const v = parseDurationMs(text);
  if (v === undefined || v <= 0) throw inputError(file, field, `a positive duration, got "${text}"`);
  return v;
}

/** A closed profile split over the phase's transactions (src/model/closed.ts); bad input names the profile. */
export function closedPlanOf(model: LoadModel, file: string, name: string, profile: ClosedProfile, phase: Phase): ClosedPlan {
  const active = transactionsForPhase(model, phase).map(({ t }) => t);
  try {
    return closedPlan(profile.vus, profile.thinkTimeMs, active.map((t) => ({ weight: t.peakPerHour, expectedMs: expectedResponseMs(t), maxVUs: t.maxVUs })));
  } catch (e) {
    throw inputError(file, `profiles.${name}.vus`, (e as Error).message);
  }
}

/** The response time the model expects of a transaction: sizes VUs (Little's law). */
export function expectedResponseMs(t: Transaction): number {
  return t.expectedResponseMs ?? t.slo.p95Ms ?? 500;
}

/**
 * The profile as a rate timeline (multipliers of peak hourly volume). A closed profile's is the rate its
 * users are expected to reach at the expected response times (the phase's transactions), for charts only.
 */
export function profileTimeline(model: LoadModel, file: string, name: string, profile: Profile, phase: Phase = 'unstubbed'): Segment[] {
  const field = `profiles.${name}`;
  if ('vus' in profile) {
    const plan = closedPlanOf(model, file, name, profile, phase);
    const peakPerSec = transactionsForPhase(model, phase).reduce((s, { t }) => s + t.peakPerHour, 0) / 3600;
    const m = plan.expectedPerSec / peakPerSec;
    const total = ms(file, `${field}.duration`, profile.duration);
    if (!profile.rampUp) return [{ fromMultiplier: m, toMultiplier: m, durationMs: total }];
    return [
      { fromMultiplier: 0, toMultiplier: m, durationMs: ms(file, `${field}.rampUp`, profile.rampUp) },
      { fromMultiplier: m, toMultiplier: m, durationMs: total },
    ];
  }
  if ('steps' in profile) {
    const step = ms(file, `${field}.stepDuration`, profile.stepDuration);
    // A short ramp between steps avoids a burst of queued arrivals; the rest of the step holds the rate.
    const ramp = profile.rampUp ? ms(file, `${field}.rampUp`, profile.rampUp) : Math.min(10_000, Math.floor(step / 10));
    const segs: Segment[] = [];
    let prev = 0;
    for (const m of profile.steps) {
      if (ramp > 0) segs.push({ fromMultiplier: prev, toMultiplier: m, durationMs: ramp });
      segs.push({ fromMultiplier: m, toMultiplier: m, durationMs: step - ramp });
      prev = m;
    }
    return segs;
  }
  if ('spike' in profile) {
    const total = ms(file, `${field}.duration`, profile.duration);
    const part = (f: number) => Math.round(total * f);
    return [
      { fromMultiplier: profile.base, toMultiplier: profile.base, durationMs: part(0.4) },
      { fromMultiplier: profile.base, toMultiplier: profile.spike, durationMs: part(0.05) },
      { fromMultiplier: profile.spike, toMultiplier: profile.spike, durationMs: part(0.15) },
      { fromMultiplier: profile.spike, toMultiplier: profile.base, durationMs: part(0.05) },
      { fromMultiplier: profile.base, toMultiplier: profile.base, durationMs: total - part(0.4) - 2 * part(0.05) - part(0.15) },
    ];
  }
  const multiplier = profile.multiplier ?? 1 + model.headroom;
  const total = ms(file, `${field}.duration`, profile.duration);
  if (!profile.rampUp) return [{ fromMultiplier: multiplier, toMultiplier: multiplier, durationMs: total }];
  const ramp = ms(file, `${field}.rampUp`, profile.rampUp);
  return [
    { fromMultiplier: 0, toMultiplier: multiplier, durationMs: ramp },
    { fromMultiplier: multiplier, toMultiplier: multiplier, durationMs: total },
  ];
}

/** The coarsest k6 timeUnit in which every rate is a whole number (k6 takes integer rates). */
export function chooseTimeUnit(ratesPerHour: number[]): { timeUnit: string; perUnit: (perHour: number) => number } {
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;
  if (ratesPerHour.every((r) => whole(r / 3600))) return { timeUnit: '1s', perUnit: (r) => Math.round(r / 3600) };
  if (ratesPerHour.every((r) => whole(r / 60))) return { timeUnit: '1m', perUnit: (r) => Math.round(r / 60) };
  return { timeUnit: '1h', perUnit: (r) => Math.round(r) };
}

export function thresholdsFor(t: Transaction): Record<string, string[]> {
  const latency: string[] = [];
  const { slo } = t;
  if (slo.p50Ms !== undefined) latency.push(`med<${slo.p50Ms}`);
  if (slo.p90Ms !== undefined) latency.push(`p(90)<${slo.p90Ms}`);
  if (slo.p95Ms !== undefined) latency.push(`p(95)<${slo.p95Ms}`);
  if (slo.p99Ms !== undefined) latency.push(`p(99)<${slo.p99Ms}`);
  const out: Record<string, string[]> = {};
  if (latency.length) out[`http_req_duration{transaction:${t.name}}`] = latency;
  if (slo.maxErrorRate !== undefined) out[`http_req_failed{transaction:${t.name}}`] = [`rate<=${slo.maxErrorRate}`];
  return out;
}

/**
 * Thresholds that always hold, declared only so that k6's summary export carries per-transaction
 * sub-metrics (counts and latency even for a transaction without an SLO).
 */
export function observedSubmetrics(t: Transaction): Record<string, string[]> {
  return {
    [`http_reqs{transaction:${t.name}}`]: ['count>=0'],
    [`http_req_duration{transaction:${t.name}}`]: ['max>=0'],
    [`http_req_failed{transaction:${t.name}}`]: ['rate>=0'],
    // k6 tags dropped iterations with the scenario only (no scenario tags): scenario = transaction name.
    [`dropped_iterations{scenario:${t.name}}`]: ['count>=0'],
    [`iterations{transaction:${t.name}}`]: ['count>=0'],
  };
}

/** Browser transactions send no protocol requests: their summary figures are the browser's own metrics. */
export function observedBrowserSubmetrics(t: Transaction): Record<string, string[]> {
  return {
    [`browser_http_req_duration{transaction:${t.name}}`]: ['max>=0'],
    [`browser_web_vital_lcp{transaction:${t.name}}`]: ['max>=0'],
    // k6 tags dropped iterations with the scenario only (no scenario tags): scenario = transaction name.
    [`dropped_iterations{scenario:${t.name}}`]: ['count>=0'],
    [`iterations{transaction:${t.name}}`]: ['count>=0'],
  };
}

/** Transactions that run in a phase: browser ones only in the end-to-end phase. */
export function transactionsForPhase(model: LoadModel, phase: Phase): { t: Transaction; index: number }[] {
  return model.transactions.map((t, index) => ({ t, index })).filter(({ t }) => !t.browser || phase === 'e2e');
}

/**
 * Floor of pre-allocated VUs per transaction. k6 drops an arrival whenever no pre-allocated VU is free and only
 * then starts another in the background: at low rates Little's law gives one VU, so a single slow response drops
 * iterations. The demo's end-to-end phase (6/s, 1 VU each) dropped 2–4 iterations per transaction in 60 s, every
 * time a browser journey took the CPU; an idle VU costs k6 about a megabyte.
 */
export const MIN_PREALLOCATED_VUS = 4;

/**
 * k6 browser settings for a headless Chromium in a container or CI (no sandbox: no user namespaces there), and
 * lean on CPU: the browser shares the injector's host with k6 (and, on one machine, with the target), so no GPU
 * emulation, one renderer, no extensions or audio. The demo's end-to-end phase on 2 cores: host CPU 97 % before,
 * 41–45 % with these flags and a quarter of the journeys.
 */
export const BROWSER_ENV = { K6_BROWSER_HEADLESS: 'true', K6_BROWSER_ARGS: 'no-sandbox,disable-gpu,disable-software-rasterizer,disable-dev-shm-usage,disable-extensions,mute-audio,renderer-process-limit=1' } as const;

export function execName(transaction: string): string {
  return `tx_${transaction.replace(/-/g, '_')}`;
}

export function compile(input: CompileInput): CompiledRun {
  const { model, file } = input;
  const profile = model.profiles[input.profile];
  if (!profile) {
    throw inputError(file, 'profiles', `a profile named "${input.profile}" (this model has: ${Object.keys(model.profiles).join(', ')})`);
  }
  const timeline = profileTimeline(model, file, input.profile, profile, input.phase);
  const closed = 'vus' in profile ? closedPlanOf(model, file, input.profile, profile, input.phase) : undefined;
  const durationMs = timeline.reduce((s, seg) => s + seg.durationMs, 0);
  const maxMultiplier = Math.max(...timeline.map((s) => Math.max(s.fromMultiplier, s.toMultiplier)));
  const stepMultipliers = 'steps' in profile ? profile.steps : [maxMultiplier];
  const constant = timeline.length === 1;

  const scenarios: Record<string, K6Scenario | K6VusScenario> = {};
  const thresholds: Record<string, string[]> = {};
  const active = transactionsForPhase(model, input.phase);
  if (active.length === 0) throw inputError(file, 'transactions', `at least one transaction that runs in phase "${input.phase}" (browser transactions run only in e2e)`);
  const transactions: CompiledTransaction[] = active.map(({ t, index: i }, k) => {
    const exec = execName(t.name);
    const own = thresholdsFor(t);
    for (const [key, v] of Object.entries(t.browser ? observedBrowserSubmetrics(t) : observedSubmetrics(t))) thresholds[key] = [...v, ...(own[key] ?? [])];
    const common = {
      name: t.name,
      exec,
      scenario: t.scenario,
      peakPerSec: t.peakPerHour / 3600,
      thresholds: Object.entries(own).flatMap(([key, v]) => v.map((x) => `${key.split('{')[0]} ${x}`)),
      slo: t.slo,
      targets: t.targets ?? [],
    };
    const browser = t.browser ? { options: { browser: { type: 'chromium' as const } } } : {};
    if (closed) {
      // The profile's pause replaces the transaction's own thinkTimeMs: it is what sets the closed model's rate.
      const c = closed.transactions[k] as (typeof closed.transactions)[number];
      const hold = timeline[timeline.length - 1] as Segment;
      const base = { exec, gracefulStop: GRACEFUL_STOP, tags: { transaction: t.name }, ...browser };
      scenarios[t.name] = constant
        ? { executor: 'constant-vus', ...base, vus: c.vus, duration: formatDuration(durationMs) }
        : { executor: 'ramping-vus', ...base, startVUs: 0, stages: [{ target: c.vus, duration: formatDuration((timeline[0] as Segment).durationMs) }, { target: c.vus, duration: formatDuration(hold.durationMs) }] };
      return { ...common, peakRatePerSec: c.expectedPerSec, stepRatesPerSec: [c.expectedPerSec], preAllocatedVUs: c.vus, maxVUs: c.vus, thinkTimeMs: c.thinkTimeMs };
    }
    const ratesPerHour = timeline.flatMap((s) => [s.fromMultiplier * t.peakPerHour, s.toMultiplier * t.peakPerHour]);
    const { timeUnit, perUnit } = chooseTimeUnit(ratesPerHour);
    const peakPerHour = maxMultiplier * t.peakPerHour;
    if (perUnit(peakPerHour) < 1) {
      throw inputError(file, `transactions[${i}].peakPerHour`, `a volume that gives at least one arrival per ${timeUnit} on profile "${input.profile}"`);
    }
    const peakRatePerSec = peakPerHour / 3600;
    const expected = expectedResponseMs(t);
    // Little's law: concurrency = arrival rate × time in system; the safety factor absorbs latency spikes.
    const littles = Math.max(MIN_PREALLOCATED_VUS, Math.ceil(peakRatePerSec * ((expected + t.thinkTimeMs) / 1000) * model.vus.safetyFactor));
    // An explicit maxVUs is a hard bound (k6 refuses preAllocatedVUs above it).
    const preAllocatedVUs = t.maxVUs === undefined ? littles : Math.min(littles, t.maxVUs);
    const maxVUs = t.maxVUs ?? Math.max(Math.ceil(preAllocatedVUs * model.vus.maxFactor), preAllocatedVUs + 10);
    const base = { exec, timeUnit, preAllocatedVUs, maxVUs, gracefulStop: GRACEFUL_STOP, tags: { transaction: t.name } };
    const first = timeline[0] as Segment;
    scenarios[t.name] = constant
      ? { executor: 'constant-arrival-rate', ...base, rate: perUnit(first.fromMultiplier * t.peakPerHour), duration: formatDuration(durationMs) }
      : {
          executor: 'ramping-arrival-rate',
          ...base,
          startRate: perUnit(first.fromMultiplier * t.peakPerHour),
          stages: timeline.map((s) => ({ target: perUnit(s.toMultiplier * t.peakPerHour), duration: formatDuration(s.durationMs) })),
        };
    if (t.browser) (scenarios[t.name] as K6Scenario).options = { browser: { type: 'chromium' } };
    return {
      ...common,
      peakRatePerSec,
      stepRatesPerSec: stepMultipliers.map((m) => (m * t.peakPerHour) / 3600),
      preAllocatedVUs,
      maxVUs,
      thinkTimeMs: t.thinkTimeMs,
    };
  });

  const env: Record<string, string> = {};
  for (const [name, url] of Object.entries(input.environment.env.targets)) env[targetEnvName(name)] = url.replace(/\/$/, '');
  if (active.some(({ t }) => t.browser)) Object.assign(env, BROWSER_ENV);

  return {
    options: {
      scenarios,
      thresholds,
      tags:
        input.runTagsOnSamples === false
          ? {}
          : { service: model.service, profile: input.profile, phase: input.phase, run_id: input.runId, iteration: String(input.iteration) },
      summaryTrendStats: SUMMARY_STATS,
      systemTags: SYSTEM_TAGS,
    },
    transactions,
    durationMs,
    timeline,
    env,
    ...(closed && 'vus' in profile ? { closedModel: { vus: closed.transactions.reduce((s, t) => s + t.vus, 0), thinkTimeMs: profile.thinkTimeMs } } : {}),
  };
}
