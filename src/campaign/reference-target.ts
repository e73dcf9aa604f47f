/**
 * The reference target (sut/) as a campaign target: per phase, perfcell starts the services k6 calls and,
 * following the topology, the real dependencies they need; each stubbed dependency is given as a URL
 * (the service reads it from its <DEPENDENCY>_URL setting), and every started department is seeded with
 * the same deterministic persons, so the scenarios' data file stays valid from phase to phase.
 */
import { PerfcellError } from '../errors.js';
import { startSut } from '../../sut/start.js';
import { SERVICES, isServiceName, type ServiceName } from '../../sut/topology.js';
import { DEFAULT_SEED, personsCsv } from '../../sut/seed.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PhasePlan, ReferenceTarget } from './definition.js';
import type { TargetController } from './targets.js';

/** Pure: the services to start: the targets, then what they call, not descending into stubbed dependencies. */
export function servicesToStart(targets: readonly string[], stubbed: readonly string[]): ServiceName[] {
  const out = new Set<ServiceName>();
  const visit = (n: ServiceName) => {
    if (out.has(n) || stubbed.includes(n)) return;
    out.add(n);
    for (const d of SERVICES[n].dependsOn) visit(d);
  };
  for (const t of targets) if (isServiceName(t)) visit(t);
  return [...out];
}

function portOf(url: string): number | undefined {
  const u = new URL(url);
  return u.port ? Number(u.port) : undefined;
}

async function seedServices(urls: Partial<Record<ServiceName, string>>, persons: number, seed: string): Promise<void> {
  await Promise.all(
    (Object.entries(urls) as [ServiceName, string][])
      .filter(([n]) => SERVICES[n].schema)
      .map(async ([n, url]) => {
        const r = await fetch(`${url}/admin/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persons, seed }), signal: AbortSignal.timeout(300_000) });
        await r.arrayBuffer();
        if (r.status !== 200) throw new PerfcellError(`seeding ${n} at ${url} failed: HTTP ${r.status}`, 'environment');
      }),
  );
}

export function referenceController(t: ReferenceTarget): TargetController {
  return {
    kind: 'reference',
    prepare: (root, log) => {
      const file = resolve(root, t.dataFile);
      if (!t.seeded) {
        // The database holds its own data (a masked extract): the data file is the extract's.
        log(`perfcell: data file ${file} and the target's database used as they are (target.seeded: false)`);
        return;
      }
      // The same deterministic persons are seeded in every phase: the data file lists exactly those.
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, personsCsv(t.persons, t.seed ?? DEFAULT_SEED));
      log(`perfcell: data file ${file}: ${t.persons} persons (seed ${t.seed ?? DEFAULT_SEED})`);
    },
    start: async (plan: PhasePlan, dependencyUrls, targets, log) => {
      const only = servicesToStart(Object.keys(targets), plan.stubbed);
      if (only.length === 0) throw new PerfcellError(`phase ${plan.phase}: none of the targets (${Object.keys(targets).join(', ')}) is a service of the reference target`, 'input');
      const ports: Partial<Record<ServiceName, number>> = {};
      for (const [n, url] of Object.entries({ ...dependencyUrls, ...targets })) {
        if (isServiceName(n) && only.includes(n)) ports[n] = portOf(url);
      }
      const stubUrls = Object.fromEntries(plan.stubbed.filter(isServiceName).map((d) => [d, dependencyUrls[d] as string]));
      const t0 = Date.now();
      const sut = await startSut({ only, dependencyUrls: stubUrls, ports, databaseUrl: t.databaseUrl, amqpUrl: t.amqpUrl, isolated: t.isolated }).catch((e: Error & { code?: string }) => {
        if (e instanceof PerfcellError) throw e;
        // A port in use, a database refusing connections…: the user's environment, not a perfcell bug.
        throw new PerfcellError(`reference target (${only.join(', ')}) did not start: ${e.code === 'EADDRINUSE' ? `a port is in use (${e.message}); stop what holds it (\`perfcell sut stop\`?) or change the environment's URLs` : e.message}`, 'environment');
      });
      try {
        if (t.seeded) await seedServices(sut.urls, t.persons, t.seed ?? DEFAULT_SEED);
      } catch (e) {
        await sut.stop();
        throw e;
      }
      log(`perfcell: reference target up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${only.join(', ')} (${t.seeded ? `${t.persons} persons seeded` : 'data as found in the database'})${plan.stubbed.length ? `; stubbed: ${plan.stubbed.join(', ')}` : ''}`);
      return { description: `reference target: ${only.join(', ')}`, stop: () => sut.stop() };
    },
  };
}
