/**
 * The contract of what a run does besides k6 (like k6's own output.Output): each side channel is an
 * adapter that starts before k6, may see k6's pid and the monitor's samples while k6 runs, and stops once
 * run.json is final. executeRun knows this contract only; the adapters (InfluxDB live push and backfill,
 * the Prometheus monitor, the APM events) are chosen by the caller (src/side-channels/defaults.ts).
 * Nothing here fails a run: a channel's problem is warned once and marked in run.json's flags.
 */
import type { Plugin } from 'esbuild';
import { writeRunMeta, type RunMeta } from '../store/folder.js';
import type { MonitorSample } from '../store/monitor-samples.js';

export interface SideChannelContext {
  dir: string;
  /** run.json as written before k6 starts. */
  meta: RunMeta;
  /** Target name → base URL, as the run calls them. */
  targets: Record<string, string>;
  log: (line: string) => void;
  /** Flags for run.json, shared by every channel; added to run.json once they have all stopped. */
  flags: Set<string>;
  /** Hands the monitor's samples to every channel that takes them; a rejection means one of them failed. */
  publishMonitorSamples: (samples: MonitorSample[], firstIndex: number) => Promise<void>;
}

export interface SideChannelStart {
  /** k6 `--out` values to add. */
  k6Outputs?: string[];
  /** k6 environment to add. */
  k6Env?: Record<string, string>;
}

export interface SideChannel {
  name: string;
  /** Before k6 starts (channels start in the order given). */
  start: (ctx: SideChannelContext) => Promise<SideChannelStart | undefined>;
  /** k6's pid, once it runs. */
  k6Started?: (pid: number) => void;
  /** Periodic samples published by another channel (the monitor's, each tick). */
  monitorSamples?: (samples: MonitorSample[], firstIndex: number) => Promise<void>;
  /** run.json is final: flush, check, notify (channels stop in the reverse order of their start). */
  stop: (meta: RunMeta, ctx: SideChannelContext) => Promise<void>;
}

/** The side channels of one run, prepared (settings checked) before anything is written. */
export interface PreparedSideChannels {
  channels: SideChannel[];
  /** esbuild plugins for the scenario bundle (the APM header shim when an APM is configured). */
  bundlePlugins: Plugin[];
  /** Samples leave the run folder live (InfluxDB): run tags then ride on every sample. */
  liveSampleOutput: boolean;
}

/** Called at the point of executeRun where the settings are checked, so that errors keep their order. */
export type SideChannelFactory = () => PreparedSideChannels;

/** No side channel at all: k6 and the run folder only. */
export const noSideChannels: SideChannelFactory = () => ({ channels: [], bundlePlugins: [], liveSampleOutput: false });

export interface StartedSideChannels {
  k6Outputs: string[];
  k6Env: Record<string, string>;
  k6Started: (pid: number | undefined) => void;
  /** Call once run.json is final: stops every channel (last started first) and records their flags. */
  finish: (meta: RunMeta) => Promise<void>;
}

export async function startSideChannels(
  prepared: PreparedSideChannels,
  run: { dir: string; meta: RunMeta; targets: Record<string, string>; log: (line: string) => void },
): Promise<StartedSideChannels> {
  const subscribers = prepared.channels.filter((c) => c.monitorSamples);
  const ctx: SideChannelContext = {
    ...run,
    flags: new Set<string>(),
    publishMonitorSamples: async (samples, first) => {
      const results = await Promise.allSettled(subscribers.map((c) => c.monitorSamples?.(samples, first)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
  const k6Outputs: string[] = [];
  const k6Env: Record<string, string> = {};
  for (const channel of prepared.channels) {
    const started = await channel.start(ctx);
    k6Outputs.push(...(started?.k6Outputs ?? []));
    Object.assign(k6Env, started?.k6Env ?? {});
  }
  return {
    k6Outputs,
    k6Env,
    k6Started: (pid) => {
      if (pid === undefined) return;
      for (const channel of prepared.channels) channel.k6Started?.(pid);
    },
    finish: async (meta) => {
      for (const channel of [...prepared.channels].reverse()) await channel.stop(meta, ctx);
      const added = [...ctx.flags].filter((f) => !meta.flags.includes(f));
      if (added.length > 0) {
        meta.flags.push(...added);
        writeRunMeta(run.dir, meta);
      }
    },
  };
}
