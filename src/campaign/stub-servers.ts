/**
 * The campaign's stub servers (WireMock, src/stubs): started once for every dependency some phase stubs,
 * checked and warmed up before each phase that uses them, each stopped after the last phase that does
 * (their JVMs leave the cores to the next phases).
 */
import { join } from 'node:path';
import { PerfcellError } from '../errors.js';
import type { StubSet } from '../stubs/stub-set.js';
import { startStubServers, type StubServer } from '../stubs/wiremock.js';
import type { CampaignDefinition, PhasePlan } from './definition.js';
import type { CampaignRecord } from './record.js';

/** A cold JVM serves its first requests tens of ms late (JIT): waves of requests warm the path first. */
const WARM_UP_WAVES = 5;
const WARM_UP_REQUESTS_PER_WAVE = 20;

export interface StubServers {
  urls: Record<string, string>;
  /** What campaign.json records of the servers started. */
  started: CampaignRecord['stubServers'];
  /** Started servers this phase stubs, checked and warmed up, their journals cleared. */
  readyFor: (plan: PhasePlan) => Promise<StubServer[]>;
  /** Stops the servers no phase after `index` uses. */
  releaseAfter: (index: number) => Promise<void>;
  stopAll: () => Promise<void>;
}

async function checkStubServer(server: StubServer, set: StubSet): Promise<void> {
  const mappings = await server.admin.getAllMappings().catch((e: Error) => {
    throw new PerfcellError(`stubs ${server.name} (${server.url}): not answering (${e.message})`, 'environment');
  });
  if (mappings.length !== set.mappingCount) throw new PerfcellError(`stubs ${server.name}: ${mappings.length} of ${set.mappingCount} mappings loaded`, 'environment');
  for (let wave = 0; wave < WARM_UP_WAVES; wave++) {
    await Promise.all(Array.from({ length: WARM_UP_REQUESTS_PER_WAVE }, () => fetch(`${server.url}/__perfcell/warm-up`).then((r) => r.arrayBuffer(), () => undefined)));
  }
  // Each phase verifies its own traffic only.
  await server.admin.clearAllRequests().catch((e: Error) => {
    throw new PerfcellError(`stubs ${server.name} (${server.url}): journal not cleared (${e.message})`, 'environment');
  });
}

export async function startCampaignStubs(
  plan: { definition: CampaignDefinition; phases: PhasePlan[]; stubbedAny: string[]; sets: StubSet[] },
  dir: string,
  log: (line: string) => void,
): Promise<StubServers> {
  let servers: StubServer[] = [];
  if (plan.sets.length > 0) {
    log(`perfcell: starting stubs ${plan.stubbedAny.join(', ')}`);
    servers = await startStubServers(plan.sets, (s) => ({ port: plan.definition.stubPorts[s.name], heapMb: plan.definition.stubHeapMb, logPath: join(dir, 'stubs', `${s.name}.log`) }));
  }
  return {
    urls: Object.fromEntries(servers.map((s) => [s.name, s.url])),
    started: servers.map((s) => ({ dependency: s.name, url: s.url, mappings: s.mappings.size })),
    readyFor: async (phase) => {
      const used = servers.filter((s) => phase.stubbed.includes(s.name));
      for (const s of used) await checkStubServer(s, plan.sets.find((x) => x.name === s.name) as StubSet);
      return used;
    },
    releaseAfter: async (index) => {
      const later = new Set(plan.phases.slice(index + 1).flatMap((p) => p.stubbed));
      const done = servers.filter((s) => !later.has(s.name));
      await Promise.all(done.map((s) => s.stop()));
      servers = servers.filter((s) => later.has(s.name));
    },
    stopAll: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
