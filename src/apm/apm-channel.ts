/** The APM hooks as a run side channel: the headers through k6's environment, the test start and end events. */
import type { RunMeta } from '../store/folder.js';
import type { SideChannel } from '../run/side-channel.js';
import { k6ApmEnv, type Apm, type ApmRunInfo } from './apm.js';

function apmInfo(meta: RunMeta): ApmRunInfo {
  return {
    runId: meta.runId, service: meta.service, phase: meta.phase, iteration: meta.iteration, profile: meta.profile,
    ...(meta.campaign ? { campaign: meta.campaign } : {}),
    startedAtMs: Date.parse(meta.startedAt),
    ...(meta.endedAt ? { endedAtMs: Date.parse(meta.endedAt) } : {}),
    status: meta.status,
  };
}

export const APM_EVENT_FAILED_FLAG = 'apm-event-failed';

export function apmChannel(apms: Apm[]): SideChannel {
  return {
    name: 'apm',
    start: async (ctx) => {
      for (const apm of apms) {
        try {
          await apm.testStarted(apmInfo(ctx.meta));
        } catch (e) {
          ctx.flags.add(APM_EVENT_FAILED_FLAG);
          ctx.log(`perfcell: warning: ${apm.name}: test start event not sent (${(e as Error).message})`);
        }
      }
      return { k6Env: k6ApmEnv(apms, ctx.meta.runId) };
    },
    stop: async (meta, ctx) => {
      for (const apm of apms) {
        try {
          await apm.testEnded(apmInfo(meta));
        } catch (e) {
          ctx.flags.add(APM_EVENT_FAILED_FLAG);
          ctx.log(`perfcell: warning: ${apm.name}: test end event not sent (${(e as Error).message})`);
        }
      }
    },
  };
}
