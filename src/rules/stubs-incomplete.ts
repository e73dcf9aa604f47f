/**
 * Requests to the stubs that matched no mapping: the stub set misses calls the service makes, so the
 * service got a stub server's 404 instead of a dependency's answer and the phase measured another path than
 * production's. A caveat on the phase's figures (the verdict shows it), not a performance finding. The
 * count comes from run.json's unmatchedStubRequests (set by the campaign from the stub journal); the report's phase section
 * lists the calls themselves from the run folder's stubs.json.
 */
import { unmatchedOfRuns } from '../stubs/verify.js';
import { chartId } from './helpers.js';
import type { Rule } from './types.js';

/** Where the report lists the unmatched calls of a phase (the evidence link's target). */
export const unmatchedStubsAnchor = (phase: Parameters<typeof chartId>[0]): string => chartId(phase, 'unmatched-stubs');

export const stubsIncomplete: Rule = {
  id: 'stubs-incomplete',
  caveat: true,
  title: { en: 'Requests to the stubs matched no mapping (stub set incomplete)', fr: 'Requêtes aux bouchons sans correspondance (jeu de bouchons incomplet)' },
  meta: {
    severity: "warning, *caveat*",
    firesWhen: "stubbed (or partly stubbed) phase: requests to the stubs matched no mapping (run.json's `unmatchedStubRequests`, counted by the campaign from the stub journal): the service got 404s from the stubs, so the phase measured another path than production's. The phase's section of the report lists the calls per stub server (method, URL, count; from the run folder's `stubs.json`)",
    evidence: "unmatched requests; the phase's unmatched-requests section",
    thresholds: [],
  },
  sentence: {
    en: (p) => `${p.count} request(s) to the stubs matched no mapping: the stub set misses calls the service makes (it got 404s from the stubs), so this phase's figures are suspect until the stubs cover them.`,
    fr: (p) => `${p.count} requête(s) aux bouchons sans correspondance : le jeu de bouchons ne couvre pas des appels du service (qui a reçu des 404 des bouchons), les chiffres de cette phase sont donc douteux tant que les bouchons ne les couvrent pas.`,
  },
  evaluate: ({ analysis }) => {
    const count = unmatchedOfRuns(analysis.runs);
    if (count === 0) return [];
    return [{ severity: 'warning', params: { count }, evidence: { numbers: { unmatchedRequests: count }, chart: unmatchedStubsAnchor(analysis.phase) } }];
  },
};
