/**
 * The InfluxQL queries of a Grafana dashboard (panels, annotations, template variables) and Grafana's
 * variable substitution, so that a test can run every query of dashboards/ against a real InfluxDB. Pure.
 */

export interface DashboardQuery {
  /** Where the query sits, e.g. "panel Requests per second / A". */
  where: string;
  query: string;
}

interface GrafanaTarget { refId?: string; query?: string; rawQuery?: boolean }
interface GrafanaPanel { title?: string; targets?: GrafanaTarget[]; panels?: GrafanaPanel[] }
interface GrafanaDashboard {
  panels?: GrafanaPanel[];
  annotations?: { list?: { name?: string; query?: string; builtIn?: number }[] };
  templating?: { list?: { name?: string; query?: string | { query?: string } }[] };
}

export function dashboardQueries(dashboard: unknown): DashboardQuery[] {
  const d = dashboard as GrafanaDashboard;
  const out: DashboardQuery[] = [];
  const walk = (panels: GrafanaPanel[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.query) out.push({ where: `panel "${p.title ?? '?'}" / ${t.refId ?? '?'}`, query: t.query });
      walk(p.panels);
    }
  };
  walk(d.panels);
  for (const a of d.annotations?.list ?? []) if (!a.builtIn && a.query) out.push({ where: `annotation "${a.name ?? '?'}"`, query: a.query });
  for (const v of d.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) out.push({ where: `variable $${v.name ?? '?'}`, query: q });
  }
  return out;
}

export interface GrafanaContext {
  fromMs: number;
  toMs: number;
  intervalMs: number;
  /** Template variables: each value is one selected value (regex-escaped where the query uses it in a regex). */
  variables: Record<string, string>;
}

function regexEscape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Grafana's substitution for the InfluxDB data source (single value per variable; ".*" stays a pattern). */
export function substitute(query: string, ctx: GrafanaContext): string {
  return query
    .replace(/\$timeFilter/g, `time >= ${ctx.fromMs}ms and time <= ${ctx.toMs}ms`)
    .replace(/\$__interval_ms/g, String(ctx.intervalMs))
    .replace(/\$__interval/g, ctx.intervalMs % 1000 === 0 ? `${ctx.intervalMs / 1000}s` : `${ctx.intervalMs}ms`)
    .replace(/\$(\w+)/g, (whole, name: string) => {
      const v = ctx.variables[name];
      if (v === undefined) return whole;
      return v === '.*' ? v : regexEscape(v);
    });
}
