/**
 * `model diff` (pure): a load model's volumes against production figures. Transactions are paired by
 * name (production names come from the same routing as `model derive`: a derived model, or a routes file
 * naming the model's transactions). Says which volumes are under- or over-estimated and by how much,
 * which production routes no transaction covers (as a share of production traffic), and which
 * transactions production no longer shows.
 */
/** What a diff needs of production: derived figures, or another model's volumes. */
export interface ProductionView {
  transactions: { name: string; method: string; template: string; total: number; peakPerHour: number }[];
  requests: { counted: number };
  uncovered: { method: string; template: string; share: number }[];
}

/** A model volume within ±20 % of production is "right": month-to-month traffic moves that much. */
export const DEFAULT_VOLUME_TOLERANCE = 0.2;
/** Below 95 % of production's business traffic covered, the model misses something that matters. */
export const DEFAULT_MIN_COVERAGE = 0.95;

export interface DiffTolerances {
  volume: number;
  minCoverage: number;
}

export interface DiffRow {
  name: string;
  modelPerHour: number;
  productionPerHour: number;
  /** production / model − 1: +0.4 = production is 40 % above the model (under-estimated). */
  deviation: number;
  verdict: 'ok' | 'under-estimated' | 'over-estimated' | 'not seen';
}

export interface ModelDiff {
  rows: DiffRow[];
  /** Production transactions/routes with no model transaction, by share of production's business traffic. */
  uncovered: { name: string; route: string; perHour: number; share: number }[];
  /** Share of production's business traffic the model covers (0–1). */
  coverage: number;
  failures: string[];
  ok: boolean;
}

export function diffModel(model: { transactions: { name: string; peakPerHour: number; browser?: boolean }[] }, production: ProductionView, tol: DiffTolerances): ModelDiff {
  const prod = new Map(production.transactions.map((t) => [t.name, t]));
  const modelNames = new Set(model.transactions.map((t) => t.name));
  const rows: DiffRow[] = model.transactions
    // Browser transactions are synthetic users measuring what people feel, not production volume.
    .filter((t) => !t.browser)
    .map((t) => {
      const p = prod.get(t.name);
      const productionPerHour = p ? p.peakPerHour : 0;
      const deviation = productionPerHour / t.peakPerHour - 1;
      const verdict: DiffRow['verdict'] = !p || p.total === 0 ? 'not seen' : deviation > tol.volume ? 'under-estimated' : deviation < -tol.volume ? 'over-estimated' : 'ok';
      return { name: t.name, modelPerHour: t.peakPerHour, productionPerHour, deviation, verdict };
    });
  const business = production.requests.counted;
  const coveredTotal = production.transactions.filter((t) => modelNames.has(t.name)).reduce((s, t) => s + t.total, 0);
  const uncovered = [
    ...production.transactions.filter((t) => !modelNames.has(t.name)).map((t) => ({ name: t.name, route: `${t.method} ${t.template}`, perHour: t.peakPerHour, share: business ? t.total / business : 0 })),
    ...production.uncovered.map((u) => ({ name: '', route: `${u.method} ${u.template}`, perHour: 0, share: u.share })),
  ].sort((a, b) => b.share - a.share);
  const coverage = business ? coveredTotal / business : 1;
  const failures: string[] = [];
  for (const r of rows) {
    if (r.verdict === 'under-estimated' || r.verdict === 'over-estimated') failures.push(`${r.name}: model ${r.modelPerHour}/h, production ${Math.round(r.productionPerHour)}/h (${r.deviation > 0 ? '+' : ''}${(r.deviation * 100).toFixed(1)} %, tolerance ±${(tol.volume * 100).toFixed(0)} %)`);
    if (r.verdict === 'not seen') failures.push(`${r.name}: not seen in production any more`);
  }
  if (coverage < tol.minCoverage) failures.push(`coverage ${(coverage * 100).toFixed(1)} % of production traffic, below ${(tol.minCoverage * 100).toFixed(0)} %`);
  return { rows, uncovered, coverage, failures, ok: failures.length === 0 };
}

export function formatDiff(d: ModelDiff): string {
  const L: string[] = [];
  const w = Math.max(11, ...d.rows.map((r) => r.name.length));
  L.push(`${'transaction'.padEnd(w)}  ${'model/h'.padStart(9)}  ${'prod/h'.padStart(9)}  ${'deviation'.padStart(9)}  verdict`);
  for (const r of d.rows) {
    L.push(`${r.name.padEnd(w)}  ${String(r.modelPerHour).padStart(9)}  ${String(Math.round(r.productionPerHour)).padStart(9)}  ${((r.deviation > 0 ? '+' : '') + (r.deviation * 100).toFixed(1) + ' %').padStart(9)}  ${r.verdict}`);
  }
  L.push('');
  L.push(`coverage: ${(d.coverage * 100).toFixed(1)} % of production's business requests match a model transaction`);
  if (d.uncovered.length) {
    L.push('production routes without a transaction:');
    for (const u of d.uncovered.slice(0, 20)) L.push(`  ${u.route}${u.name ? ` (${u.name})` : ''}: ${(u.share * 100).toFixed(2)} % of traffic${u.perHour ? `, ${Math.round(u.perHour)}/h at the peak` : ''}`);
  }
  L.push('');
  L.push(d.ok ? 'ok: the model matches production within tolerance' : `out of tolerance:\n${d.failures.map((f) => `  - ${f}`).join('\n')}`);
  return L.join('\n') + '\n';
}
