/**
 * Rewiring the target per phase: the target gets, for every dependency, the URL of its stub or of the
 * real service. Three kinds (docs/campaigns.md): the reference target (sut/), a command perfcell starts,
 * or an external target configured by hand to call the stubs on fixed ports.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { PerfcellError } from '../errors.js';
import { spawnManaged, stopChild } from '../../lib/process/children.js';
import { dependencyEnvVar } from '../../lib/dependency-env.js';
import type { CampaignTarget, CommandTarget, PhasePlan } from './definition.js';

export interface StartedTarget {
  /** One line for logs and campaign.json. */
  description: string;
  stop: () => Promise<void>;
}

export interface TargetController {
  kind: CampaignTarget['kind'];
  /** Runs once, before the pre-flight checks (e.g. writes the data file the target's seed matches). */
  prepare?: (root: string, log: (line: string) => void) => void;
  /**
   * `dependencyUrls`: every dependency of the campaign → its stub's URL or the real service's (a real
   * dependency the reference target starts itself may be absent);
   * `targets`: what k6 calls in this phase (name → URL), which must answer once start resolves.
   */
  start: (plan: PhasePlan, dependencyUrls: Record<string, string>, targets: Record<string, string>, log: (line: string) => void) => Promise<StartedTarget>;
}

/** Pure: the environment variables that point a target at its dependencies. */
export function dependencyEnv(dependencyUrls: Record<string, string>, names: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(dependencyUrls).map(([dep, url]) => [names[dep] ?? dependencyEnvVar(dep), url]));
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, output: () => string, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new PerfcellError(`${what} exited during start-up (${child.exitCode ?? child.signalCode}): ${output().trim().split('\n').slice(-3).join(' | ')}`, 'environment');
    }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new PerfcellError(`${what}: ${url} did not answer 2xx within ${timeoutMs / 1000} s`, 'environment');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function commandController(target: CommandTarget, root: string): TargetController {
  return {
    kind: 'command',
    start: async (_plan, dependencyUrls, _targets, log) => {
      const [cmd, ...args] = target.command as [string, ...string[]];
      const env = { ...process.env, ...target.env, ...dependencyEnv(dependencyUrls, target.dependencyEnv) };
      let output = '';
      const child = spawnManaged(cmd, args, { cwd: resolve(root, target.cwd ?? '.'), env, stdio: ['ignore', 'pipe', 'pipe'], deathSignal: 'TERM' });
      const keep = (b: Buffer) => {
        if (output.length < 10_000) output += b.toString('utf8');
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const startError = new Promise<never>((_, rej) => child.once('error', (e) => rej(new PerfcellError(`target command ${cmd}: ${e.message}`, 'environment'))));
      const stop = () => stopChild(child, 'SIGTERM', 5000);
      try {
        await Promise.race([waitHealthy(target.health, child, target.startTimeoutMs, () => output, `target command ${target.command.join(' ')}`), startError]);
      } catch (e) {
        await stop();
        throw e;
      }
      log(`perfcell: target started (${target.command.join(' ')}, pid ${child.pid ?? '?'})`);
      return { description: `command ${target.command.join(' ')}`, stop };
    },
  };
}

export const externalController: TargetController = {
  kind: 'external',
  start: async () => ({ description: 'external (configured by hand to call the stubs on their fixed ports)', stop: async () => {} }),
};
