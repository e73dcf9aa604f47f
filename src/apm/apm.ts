/**
 * APM hooks behind one small interface: what each request carries (headers added by the k6 shim) and what
 * the APM is told at test start and end. Configured from the environment (docs/metrics.md):
 *   PERFCELL_APM=dynatrace,tracecontext   which hooks (comma list; empty/absent: none)
 *   DT_API_URL, DT_API_TOKEN              Dynatrace environment URL and a token with events.ingest
 *   DT_ENTITY_SELECTOR                    optional: entities the test events attach to
 */
import { PerfcellError } from '../errors.js';
import { loadTestEvent, postEvent, type DynatraceConfig } from './dynatrace.js';
import type { HeaderKind } from './headers.js';

export interface ApmRunInfo {
  runId: string;
  service: string;
  phase: string;
  iteration: number;
  profile: string;
  campaign?: string;
  startedAtMs: number;
  endedAtMs?: number;
  status?: string;
}

export interface Apm {
  name: string;
  /** Headers this APM needs on each request. */
  headers: HeaderKind[];
  testStarted(run: ApmRunInfo): Promise<void>;
  testEnded(run: ApmRunInfo): Promise<void>;
}

export function dynatraceApm(config: DynatraceConfig): Apm {
  return {
    name: 'dynatrace',
    headers: ['dynatrace', 'traceparent'],
    testStarted: (run) => postEvent(config, loadTestEvent('start', run, config.entitySelector)),
    testEnded: (run) => postEvent(config, loadTestEvent('end', run, config.entitySelector)),
  };
}

/** W3C trace context only: any APM that reads traceparent joins its traces to the run; nothing to notify. */
export function traceContextApm(): Apm {
  return { name: 'tracecontext', headers: ['traceparent'], testStarted: async () => {}, testEnded: async () => {} };
}

export function resolveApms(env: NodeJS.ProcessEnv = process.env): Apm[] {
  const names = (env.PERFCELL_APM ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return names.map((name) => {
    if (name === 'tracecontext') return traceContextApm();
    if (name === 'dynatrace') {
      const url = env.DT_API_URL;
      const token = env.DT_API_TOKEN;
      if (!url || !URL.canParse(url)) throw new PerfcellError(`PERFCELL_APM=dynatrace: DT_API_URL must be the Dynatrace environment URL (got ${url ? `"${url}"` : 'nothing'})`, 'environment');
      if (!token) throw new PerfcellError('PERFCELL_APM=dynatrace: DT_API_TOKEN must hold an API token with the events.ingest scope', 'environment');
      return dynatraceApm({ url, token, ...(env.DT_ENTITY_SELECTOR ? { entitySelector: env.DT_ENTITY_SELECTOR } : {}) });
    }
    throw new PerfcellError(`PERFCELL_APM: "${name}" is not an APM perfcell knows (dynatrace, tracecontext)`, 'input');
  });
}

/** k6 environment telling the shim which headers to add and the load test name. */
export function k6ApmEnv(apms: readonly Apm[], runId: string): Record<string, string> {
  const kinds = [...new Set(apms.flatMap((a) => a.headers))];
  return kinds.length ? { PERFCELL_APM_HEADERS: kinds.join(','), PERFCELL_LTN: runId } : {};
}
