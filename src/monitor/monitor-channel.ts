/** The Prometheus monitor as a run side channel: scrapes the targets while k6 runs and publishes each tick. */
import type { SideChannel } from '../run/side-channel.js';
import { startMonitor, type RunningMonitor } from './monitor.js';

export function monitorChannel(intervalMs: number): SideChannel {
  let monitor: RunningMonitor | undefined;
  return {
    name: 'monitor',
    start: async (ctx) => {
      monitor = startMonitor({ runDir: ctx.dir, targets: ctx.targets, intervalMs, log: ctx.log, sink: ctx.publishMonitorSamples });
      return undefined;
    },
    k6Started: (pid) => monitor?.watchK6(pid),
    stop: async () => {
      await monitor?.stop();
    },
  };
}
