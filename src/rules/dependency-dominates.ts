/** From the phase comparison: the real dependencies (or the end-to-end chain) make most of the latency. */
import { PHASES_CHART, pct, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const DOMINANT_SHARE = 0.5;
export const MIN_ADDED_MS = 5;

export const dependencyDominates: Rule = {
  id: 'dependency-dominates',
  title: { en: 'A dependency dominates the response time', fr: 'Une dépendance domine le temps de réponse' },
  meta: {
    severity: "warning",
    firesWhen: "unstubbed phase: unstubbed p50 − stubbed p50 ≥ {MIN_ADDED_MS} and ≥ {DOMINANT_SHARE} of the unstubbed median; e2e phase: e2e p50 − unstubbed p50 ≥ {MIN_ADDED_MS} and ≥ {DOMINANT_SHARE} of the e2e median",
    evidence: "both medians, added ms, share; phases chart",
    thresholds: [
      { name: 'DOMINANT_SHARE', value: DOMINANT_SHARE, unit: 'share', why: "the dependencies make most of the median: they, not the service, are where time goes (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_ADDED_MS', value: MIN_ADDED_MS, unit: 'ms', why: "on millisecond medians a share alone is noise (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: the ${p.what} add ${p.added} ms of a ${p.total} ms median (${p.share} %): work on them (or on how they are called) first.`,
    fr: (p) => `${p.transaction} : ${p.what === 'real dependencies' ? 'les dépendances réelles ajoutent' : 'la chaîne de bout en bout ajoute'} ${p.added} ms d'une médiane de ${p.total} ms (${p.share} %) : les traiter (ou revoir leur appel) en priorité.`,
  },
  evaluate: ({ analysis, phaseComparison }) => {
    const out: Finding[] = [];
    for (const row of phaseComparison) {
      if (analysis.phase === 'unstubbed' && row.unstubbed && row.dependenciesMs !== null && row.dependenciesShare !== null) {
        if (row.dependenciesShare >= DOMINANT_SHARE && row.dependenciesMs >= MIN_ADDED_MS) {
          out.push({
            severity: 'warning',
            transaction: row.transaction,
            params: { transaction: row.transaction, what: 'real dependencies', added: round(row.dependenciesMs), total: round(row.unstubbed.p50), share: pct(row.dependenciesShare, 0) },
            evidence: { numbers: { ...(row.stubbed ? { stubbedP50Ms: row.stubbed.p50 } : {}), unstubbedP50Ms: row.unstubbed.p50, addedMs: row.dependenciesMs, share: row.dependenciesShare }, chart: PHASES_CHART },
          });
        }
      }
      if (analysis.phase === 'e2e' && row.e2e && row.e2eAddedMs !== null && row.e2e.p50 > 0) {
        const share = row.e2eAddedMs / row.e2e.p50;
        if (share >= DOMINANT_SHARE && row.e2eAddedMs >= MIN_ADDED_MS) {
          out.push({
            severity: 'warning',
            transaction: row.transaction,
            params: { transaction: row.transaction, what: 'end-to-end chain', added: round(row.e2eAddedMs), total: round(row.e2e.p50), share: pct(share, 0) },
            evidence: { numbers: { ...(row.unstubbed ? { unstubbedP50Ms: row.unstubbed.p50 } : {}), e2eP50Ms: row.e2e.p50, addedMs: row.e2eAddedMs, share }, chart: PHASES_CHART },
          });
        }
      }
    }
    return out;
  },
};
