/**
 * Dynatrace: test start and end as custom info events through the Events API v2
 * (POST <environment>/api/v2/events/ingest, token with the events.ingest scope, `Api-Token` scheme), so
 * that Dynatrace charts show when a load test ran; requests carry x-dynatrace-test (headers.ts).
 */
import { PerfcellError } from '../errors.js';
import type { ApmRunInfo } from './apm.js';

export interface DynatraceConfig {
  /** Environment URL, e.g. https://abc12345.live.dynatrace.com or an ActiveGate's …/e/<env id>. */
  url: string;
  token: string;
  /** Entities the events attach to, e.g. type(SERVICE),tag(grc); default: the environment. */
  entitySelector?: string;
}

export interface EventIngest {
  eventType: 'CUSTOM_INFO';
  title: string;
  startTime: number;
  endTime?: number;
  entitySelector?: string;
  properties: Record<string, string>;
}

/** The event for a test's start or end. Pure. */
export function loadTestEvent(kind: 'start' | 'end', run: ApmRunInfo, entitySelector?: string): EventIngest {
  const at = kind === 'start' ? run.startedAtMs : run.endedAtMs ?? run.startedAtMs;
  const properties: Record<string, string> = {
    'perfcell.run_id': run.runId,
    'perfcell.service': run.service,
    'perfcell.phase': run.phase,
    'perfcell.iteration': String(run.iteration),
    'perfcell.profile': run.profile,
    'perfcell.event': `load-test-${kind}`,
  };
  if (run.campaign) properties['perfcell.campaign'] = run.campaign;
  if (kind === 'end' && run.status) properties['perfcell.status'] = run.status;
  return {
    eventType: 'CUSTOM_INFO',
    title: `perfcell load test ${kind}: ${run.service} ${run.phase} (run ${run.runId})`,
    startTime: at,
    endTime: at,
    ...(entitySelector ? { entitySelector } : {}),
    properties,
  };
}

export async function postEvent(config: DynatraceConfig, event: EventIngest, timeoutMs = 5000): Promise<void> {
  const url = `${config.url.replace(/\/$/, '')}/api/v2/events/ingest`;
  let r: Response;
  try {
    r = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Api-Token ${config.token}`, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new PerfcellError(`Dynatrace events API ${url}: ${(e as Error).message}`, 'environment');
  }
  if (r.status < 200 || r.status >= 300) {
    throw new PerfcellError(`Dynatrace events API ${url}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`, 'environment');
  }
}
