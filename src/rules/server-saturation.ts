/** A target is saturated (from the monitor, when there is one): CPU, event-loop lag, DB pool waits. */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, round, seriesMax, seriesMean } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const CPU_CORES_MAX = 0.85;
export const EVENT_LOOP_LAG_MAX_S = 0.1;

export const serverSaturation: Rule = {
  id: 'server-saturation',
  title: { en: 'Server saturation (CPU, event loop, DB pool)', fr: 'Saturation serveur (CPU, boucle d’événements, pool BD)' },
  meta: {
    severity: "warning",
    firesWhen: "*monitor*: a target's CPU ≥ {CPU_CORES_MAX} on average, event-loop lag p99 ≥ {EVENT_LOOP_LAG_MAX_S}, or DB pool clients waiting (`db_pool_connections{state=\"waiting\"}` or any `*pool*wait*` gauge) > 0",
    evidence: "value, limit; server chart",
    thresholds: [
      { name: 'CPU_CORES_MAX', value: CPU_CORES_MAX, unit: 'cores', why: "a Node.js target runs its JavaScript on one core: 85 % of it leaves no room for bursts (a chosen value: no measurement recorded behind it)" },
      { name: 'EVENT_LOOP_LAG_MAX_S', value: EVENT_LOOP_LAG_MAX_S, unit: 's', why: "every request waits the event loop's lag: 100 ms at the p99 is felt in every latency (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.source}: ${p.what} reaches ${p.value}${p.unit} (limit ${p.limit}${p.unit}): the server is saturated.`,
    fr: (p) => `${p.source} : ${p.what} atteint ${p.value}${p.unit} (limite ${p.limit}${p.unit}) : le serveur est saturé.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    const chart = chartId(analysis.phase, 'server');
    for (const s of seriesOf(analysis.monitor, 'process_cpu_seconds_total', 'target:')) {
      const cpu = seriesMean(s);
      if (cpu !== null && cpu >= CPU_CORES_MAX) {
        out.push({ severity: 'warning', params: { source: s.source, what: 'CPU (cores busy, mean)', value: round(cpu, 2), limit: CPU_CORES_MAX, unit: '' }, evidence: { numbers: { cpuCoresMean: cpu }, chart } });
      }
    }
    // The p99 lag when the target exports it, else its plain lag: one finding per target, not one per metric.
    const lags = seriesOf(analysis.monitor, /^nodejs_eventloop_lag_(p99_)?seconds$/, 'target:');
    for (const s of lags.filter((x) => x.metric === 'nodejs_eventloop_lag_p99_seconds' || !lags.some((y) => y.source === x.source && y.metric === 'nodejs_eventloop_lag_p99_seconds'))) {
      const lag = seriesMax(s);
      if (lag !== null && lag >= EVENT_LOOP_LAG_MAX_S) {
        out.push({ severity: 'warning', params: { source: s.source, what: 'event-loop lag', value: round(lag * 1000), limit: EVENT_LOOP_LAG_MAX_S * 1000, unit: ' ms' }, evidence: { numbers: { eventLoopLagMaxMs: lag * 1000 }, chart } });
      }
    }
    const poolWaits = seriesOf(analysis.monitor, /pool/, 'target:').filter((s) => /pool.*(wait|pending|queue)/.test(s.metric) || /(^|,)state=waiting(,|$)/.test(s.labels));
    for (const s of poolWaits) {
      const waiting = seriesMax(s);
      if (waiting !== null && waiting > 0) {
        out.push({ severity: 'warning', params: { source: s.source, what: `${s.metric} (DB pool waits)`, value: round(waiting, 2), limit: 0, unit: '' }, evidence: { numbers: { poolWaitingMax: waiting }, chart } });
      }
    }
    return out;
  },
};
