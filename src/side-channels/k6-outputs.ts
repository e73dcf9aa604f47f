/**
 * k6's own outputs, passed through a run (docs/cli.md): `--dashboard` turns on k6's built-in web dashboard
 * (`--out web-dashboard`) on loopback while the run lasts and saves its HTML export into the run folder as
 * dashboard.html; `--k6-out` adds any other k6 output as is (json=file, experimental-prometheus-rw,
 * opentelemetry…). The run folder's raw.csv.gz stays the source of truth; these are views beside it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SideChannel } from '../run/side-channel.js';

export const DASHBOARD_FILE = 'dashboard.html';
/** k6's default dashboard port. */
export const DEFAULT_DASHBOARD_PORT = 5665;
/**
 * The dashboard aggregates every K6_WEB_DASHBOARD_PERIOD (k6's default 10 s) and skips its HTML report
 * when a run is "too short" for that period: measured with k6 v2.2.0, a 5 s run exports nothing at 10 s
 * and a full report at 1 s. So a period of a twentieth of the run, between 1 s and k6's 10 s.
 */
export function dashboardPeriodSec(runMs: number): number {
  return Math.min(10, Math.max(1, Math.round(runMs / 20_000)));
}

export interface K6OutputSettings {
  /** Port of the live dashboard, or undefined for none. */
  dashboardPort?: number;
  /** Extra `--out` values, passed as given. */
  outputs: string[];
}

export function k6OutputsChannel(settings: K6OutputSettings): SideChannel {
  const dashboard = settings.dashboardPort !== undefined;
  return {
    name: 'k6-outputs',
    start: async (ctx) => {
      if (!dashboard) return { k6Outputs: settings.outputs };
      ctx.log(`perfcell: k6 web dashboard on http://127.0.0.1:${settings.dashboardPort} while the run lasts; saved as ${DASHBOARD_FILE} in the run folder`);
      return {
        k6Outputs: [...settings.outputs, 'web-dashboard'],
        k6Env: {
          K6_WEB_DASHBOARD_HOST: '127.0.0.1',
          K6_WEB_DASHBOARD_PORT: String(settings.dashboardPort),
          K6_WEB_DASHBOARD_EXPORT: join(ctx.dir, DASHBOARD_FILE),
          K6_WEB_DASHBOARD_PERIOD: `${dashboardPeriodSec(ctx.meta.timeline.reduce((s, t) => s + t.durationMs, 0))}s`,
        },
      };
    },
    stop: async (_meta, ctx) => {
      if (dashboard && !existsSync(join(ctx.dir, DASHBOARD_FILE))) {
        ctx.log(`perfcell: warning: k6 wrote no ${DASHBOARD_FILE} (see k6.log)`);
        ctx.flags.add('dashboard-not-exported');
      }
    },
  };
}
