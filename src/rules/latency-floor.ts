/** Every request takes at least a fixed time: a delay is added on each call (a sleep, a timer, a slow hop). */
import { chartId, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const MIN_FLOOR_MS = 20;
/** The fastest request takes at least this share of the median. */
export const FLOOR_SHARE = 0.7;
export const MIN_REQUESTS = 20;

export const latencyFloor: Rule = {
  id: 'latency-floor',
  title: { en: 'A fixed delay on every request', fr: 'Un délai fixe sur chaque requête' },
  meta: {
    severity: "warning (info when stubbed)",
    firesWhen: "≥ {MIN_REQUESTS} requests whose fastest takes ≥ {MIN_FLOOR_MS} and ≥ {FLOOR_SHARE} of the median: a fixed delay on every call (a sleep, a timer, an added latency)",
    evidence: "min, p50; latency chart",
    thresholds: [
      { name: 'MIN_REQUESTS', value: MIN_REQUESTS, unit: 'requests', why: "the fastest of fewer requests says little (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_FLOOR_MS', value: MIN_FLOOR_MS, unit: 'ms', why: "a loopback request to a fast service takes a few ms at the fastest (a chosen value: no measurement recorded behind it)" },
      { name: 'FLOOR_SHARE', value: FLOOR_SHARE, unit: 'share', why: "latencies normally spread from a low minimum: a minimum near the median is a fixed delay (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: even the fastest request takes ${p.min} ms (median ${p.p50} ms): a fixed delay is added to every call (a sleep, a timer, a slow hop)${p.stubbed ? ', unless the stubs are set to answer that slowly' : ''}.`,
    fr: (p) => `${p.transaction} : même la requête la plus rapide prend ${p.min} ms (médiane ${p.p50} ms) : un délai fixe s'ajoute à chaque appel (une pause, un minuteur, un saut lent)${p.stubbed ? ', sauf si les bouchons sont réglés pour répondre aussi lentement' : ''}.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      const l = t.latencyMs;
      if (!l || l.count < MIN_REQUESTS || l.min < MIN_FLOOR_MS || l.min < FLOOR_SHARE * l.p50) continue;
      const stubbed = analysis.phase === 'stubbed';
      out.push({
        severity: stubbed ? 'info' : 'warning',
        transaction: t.name,
        params: { transaction: t.name, min: round(l.min), p50: round(l.p50), stubbed: stubbed ? 1 : 0 },
        evidence: { numbers: { minMs: l.min, p50Ms: l.p50 }, chart: chartId(analysis.phase, 'latency', t.name) },
      });
    }
    return out;
  },
};
