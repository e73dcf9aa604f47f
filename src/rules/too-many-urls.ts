/** Too many distinct request names: URLs with ids in them were not grouped, metrics explode. */
import { DISTINCT_NAMES_CAP } from '../analysis/accumulator.js';
import { chartId } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const MAX_NAMES_PER_TRANSACTION = 20;

export const tooManyUrls: Rule = {
  id: 'too-many-urls',
  title: { en: 'Too many distinct URLs', fr: 'Trop d’URL distinctes' },
  meta: {
    severity: "warning",
    firesWhen: "more than {MAX_NAMES_PER_TRANSACTION} distinct request names in a transaction: ids in URLs, group them with `named()`",
    evidence: "distinct names",
    thresholds: [
      { name: 'MAX_NAMES_PER_TRANSACTION', value: MAX_NAMES_PER_TRANSACTION, unit: 'names', why: "a transaction calls a handful of routes; dozens of names are ids in URLs, one series each in k6 and InfluxDB (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: ${p.count} distinct request names: URLs carry ids; group them with named() in the scenario so that figures per request mean something.`,
    fr: (p) => `${p.transaction} : ${p.count} noms de requête distincts : les URL portent des identifiants ; les regrouper avec named() dans le scénario pour que les chiffres par requête aient un sens.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      if (t.distinctNames <= MAX_NAMES_PER_TRANSACTION) continue;
      const count = t.distinctNames >= DISTINCT_NAMES_CAP ? `${DISTINCT_NAMES_CAP}+` : t.distinctNames;
      out.push({ severity: 'warning', transaction: t.name, params: { transaction: t.name, count }, evidence: { numbers: { distinctNames: t.distinctNames }, chart: chartId(analysis.phase, 'throughput') } });
    }
    return out;
  },
};
