/**
 * A throw-away project around the reference target for campaign tests: the real grc-person model and
 * scenarios (symlinked), the repository's stub sets copied (so a test may change delays), its own data
 * file, and a perfcell.config.yaml whose environment puts every service on a free port (tests never touch
 * the default ports other work may be using).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../../src/k6/locate.js';
import { freePort } from '../../../src/stubs/wiremock.js';
import { SERVICE_NAMES } from '../../../sut/topology.js';
import type { StubMapping } from '../../../src/stubs/stub-set.js';

export interface ReferenceProject {
  dir: string;
  model: string;
  reports: string;
  urls: Record<string, string>;
  /** Sets a stub mapping's lognormal delay. */
  setDelay: (dependency: string, file: string, median: number, sigma: number) => void;
  remove: () => void;
}

export async function referenceProject(opts: { isolated?: boolean; persons?: number } = {}): Promise<ReferenceProject> {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-ref-'));
  symlinkSync(join(PROJECT_ROOT, 'scenarios'), join(dir, 'scenarios'));
  mkdirSync(join(dir, 'load-models'));
  cpSync(join(PROJECT_ROOT, 'load-models', 'grc-person.yaml'), join(dir, 'load-models', 'grc-person.yaml'));
  cpSync(join(PROJECT_ROOT, 'stubs'), join(dir, 'stubs'), { recursive: true });
  const urls: Record<string, string> = {};
  for (const s of SERVICE_NAMES) urls[s] = `http://127.0.0.1:${await freePort()}`;
  const config = {
    environments: { test: { loadTesting: 'allowed', targets: urls } },
    campaigns: {
      'grc-person': {
        target: { kind: 'reference', persons: opts.persons ?? 300, isolated: opts.isolated ?? false },
        dependencies: ['customer-service', 'legal', 'sales', 'billing', 'ticketing'],
        alwaysStubbed: ['ticketing'],
        stubHeapMb: 128,
        phases: { stubbed: { stubbed: ['customer-service', 'legal', 'sales', 'billing'], profile: 'smoke', environment: 'test' }, unstubbed: { profile: 'smoke', environment: 'test' }, e2e: { profile: 'smoke', environment: 'test' } },
      },
    },
  };
  writeFileSync(join(dir, 'perfcell.config.yaml'), stringify(config));
  return {
    dir,
    model: join(dir, 'load-models', 'grc-person.yaml'),
    reports: join(dir, 'reports'),
    urls,
    setDelay: (dependency, file, median, sigma) => {
      const path = join(dir, 'stubs', dependency, 'mappings', `${file}.json`);
      const m = JSON.parse(readFileSync(path, 'utf8')) as StubMapping;
      m.response.delayDistribution = { type: 'lognormal', median, sigma };
      writeFileSync(path, JSON.stringify(m, null, 2));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Sum of a Prometheus counter's samples whose labels include `labels` (text exposition format). */
export function counterSum(text: string, metric: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * grc alone, stubbed: a model of searches (2/s at multiplier 1) and reads by key (4/s) over 15 s, and a
 * campaign file stubbing grc's four departments, written into the project. Returns the campaign file.
 */
export function writeGrcStubbedCampaign(p: ReferenceProject, opts: { persons: number; slo: { searchP95Ms: number; readP95Ms: number; maxErrorRate: number } }): string {
  const { searchP95Ms, readP95Ms, maxErrorRate } = opts.slo;
  writeFileSync(p.model, `service: grc-person
data:
  persons: data/generated/persons.csv
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 7200
    slo: { p95Ms: ${searchP95Ms}, maxErrorRate: ${maxErrorRate} }
    expectedResponseMs: 40
    targets: [grc]
  - name: read-person
    scenario: scenarios/grc/person.ts#readPerson
    peakPerHour: 14400
    slo: { p95Ms: ${readP95Ms}, maxErrorRate: ${maxErrorRate} }
    expectedResponseMs: 10
    targets: [grc]
profiles:
  check: { multiplier: 1, duration: 15s }
`);
  // grc's four departments stubbed (ticketing is customer-service's, not grc's: no stub for it).
  const campaign = join(p.dir, 'campaign.yaml');
  writeFileSync(campaign, `target: { kind: reference, persons: ${opts.persons} }
dependencies: [customer-service, legal, sales, billing]
stubHeapMb: 128
phases:
  stubbed: { profile: check, environment: test }
`);
  return campaign;
}
