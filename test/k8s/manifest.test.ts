/**
 * `perfcell k8s manifest`: the TestRun checked against k6-operator's CRD schema (a subset of it, kept as a
 * fixture naming its source and version), and the round trip bundle → ConfigMap → runner arguments run by
 * the real k6 with the segment k6-operator gives runner 1 of 3. No cluster is reachable here.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli } from '../support/cli.js';
import { manifestObjects, type ManifestInput } from '../../src/k8s/manifest.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { locateK6 } from '../../src/k6/locate.js';

const run = promisify(execFile) as (cmd: string, args: string[], o: object) => Promise<{ code?: number; stderr?: string }>;
/** A parsed YAML document, walked freely by the assertions (the schema check types it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
type Schema = { type?: string; required?: string[]; enum?: unknown[]; pattern?: string; anyOf?: Schema[]; properties?: Record<string, Schema>; additionalProperties?: Schema; items?: Schema; 'x-kubernetes-int-or-string'?: boolean };
const CRD = JSON.parse(readFileSync('test/fixtures/k8s/testrun-crd-v1alpha1.subset.json', 'utf8')) as Schema;

/** Structural-schema check as the API server does it for these keywords; unknown fields are errors (the API server would prune them silently). */
function problems(s: Schema, v: unknown, path = ''): string[] {
  if (s.anyOf && !s.anyOf.some((a) => problems(a, v, path).length === 0)) return [`${path}: matches none of anyOf`];
  if (s['x-kubernetes-int-or-string'] && !(typeof v === 'string' || Number.isInteger(v))) return [`${path}: integer or string expected`];
  const out: string[] = [];
  const is = { object: typeof v === 'object' && v !== null && !Array.isArray(v), array: Array.isArray(v), string: typeof v === 'string', integer: Number.isInteger(v), boolean: typeof v === 'boolean', number: typeof v === 'number' };
  if (s.type && !is[s.type as keyof typeof is]) return [`${path}: ${s.type} expected, got ${JSON.stringify(v)}`];
  if (s.enum && !s.enum.includes(v)) out.push(`${path}: one of ${s.enum.join(', ')} expected, got ${String(v)}`);
  if (s.pattern && typeof v === 'string' && !new RegExp(s.pattern).test(v)) out.push(`${path}: does not match the CRD's pattern`);
  if (is.object) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) out.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      // An object schema with neither properties nor additionalProperties (metadata) takes any field.
      const p = s.properties || s.additionalProperties ? (s.properties?.[k] ?? s.additionalProperties) : {};
      if (!p) out.push(`${path}.${k}: unknown field`);
      else out.push(...problems(p, x, `${path}.${k}`));
    }
  }
  if (is.array && s.items) (v as unknown[]).forEach((x, i) => out.push(...problems(s.items as Schema, x, `${path}[${i}]`)));
  return out;
}

const INPUT: ManifestInput = {
  service: 'GRC person', profile: 'peak', runId: '20261202T070000Z-abcdef', parallelism: 4, bundle: 'export default function () {}\n', dataFiles: { 'data-persons.csv': 'id\n1\n' },
  env: { TARGET_APP: 'http://grc.perf.svc:8080' }, tags: { run_id: '20261202T070000Z-abcdef' }, image: 'grafana/k6:2.2.0', resources: { cpu: '2', memory: '1536Mi' },
  separate: true, resultsClaim: 'perfcell-results', cleanup: true,
};

test('the TestRun matches k6-operator\'s CRD schema; the check catches what the operator would refuse or drop', () => {
  const [cm, tr] = manifestObjects(INPUT) as [Doc, Doc];
  assert.deepEqual(problems(CRD, tr), []);
  assert.equal(tr.apiVersion, 'k6.io/v1alpha1');
  assert.equal(tr.spec.parallelism, 4);
  assert.equal(tr.spec.cleanup, 'post');
  assert.equal(tr.spec.separate, true);
  assert.equal(tr.metadata.name, 'perfcell-grc-person-peak-abcdef');
  assert.deepEqual(tr.spec.script, { configMap: { name: cm.metadata.name, file: 'bundle.js' } });
  assert.deepEqual(Object.keys(cm.data), ['bundle.js', 'data-persons.csv']);
  // The validator is not a rubber stamp.
  const bad = structuredClone(tr);
  bad.spec.parallelism = '4';
  bad.spec.cleanup = 'always';
  bad.spec.paralellism = 3;
  delete bad.spec.script;
  bad.spec.runner.resources.requests.cpu = 'two';
  assert.deepEqual(problems(CRD, bad).sort(), [
    '.spec.cleanup: one of post expected, got always',
    '.spec.paralellism: unknown field',
    '.spec.parallelism: integer expected, got "4"',
    '.spec.runner.resources.requests.cpu: does not match the CRD\'s pattern',
    '.spec.script: required',
  ]);
  assert.throws(() => manifestObjects({ ...INPUT, parallelism: 0 }), /--parallelism: \(root\): an integer ≥ 1, got 0/);
  assert.throws(() => manifestObjects({ ...INPUT, bundle: 'x'.repeat(1024 * 1024) }), /below 1 MiB/);
});

let target: TinyTarget;
before(async () => (target = await startTinyTarget()));
after(() => target.close());

test('round trip: CLI → YAML → ConfigMap\'s bundle run by k6 with the TestRun\'s runner args, segment 1 of 3', { timeout: 60_000 }, async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'perfcell-k8s-'));
  const file = join(scratch, 'testrun.yaml');
  const r = await runCli(['k8s', 'manifest', 'test/fixtures/basic/load-models/distributed.yaml', '-p', 'split', '--parallelism', '3', '-t', `app=${target.url}`, '-o', file]);
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);
  assert.deepEqual(docs.map((d) => d.kind), ['ConfigMap', 'TestRun']);
  const [cm, tr] = docs as [Doc, Doc];
  assert.deepEqual(problems(CRD, tr), []);
  // What the operator does for runner 1 of 3: mount the ConfigMap at /test, add its segment, expand $(POD_NAME).
  const testDir = join(scratch, 'test');
  mkdirSync(testDir);
  for (const [k, v] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(testDir, k), v);
  const results = join(scratch, 'results');
  mkdirSync(results);
  const pod = 'perfcell-run-1-x7k2p';
  const env: Record<string, string> = {};
  for (const e of tr.spec.runner.env as { name: string; value?: string }[]) env[e.name] = e.value ?? pod;
  const args = (tr.spec.args as string[]).map((a) => a.replace('/results', results));
  // Asynchronously: the target answers from this very process.
  const k6 = await run(locateK6().path, ['run', ...args, '--quiet', '--execution-segment=0:1/3', '--execution-segment-sequence=0,1/3,2/3,1', join(testDir, 'bundle.js')], { env: { ...process.env, ...env } }).catch((e: { code?: number; stderr?: string }) => e);
  assert.equal(k6.code ?? 0, 0, k6.stderr);
  let requests = 0;
  const runIds = new Set<string>();
  await readRawSamples(join(results, 'raw.csv.gz'), (s) => { requests++; runIds.add(/run_id=([^&]+)/.exec(s.extraTags)?.[1] ?? ''); }, { metrics: new Set(['http_reqs']) });
  // 100 req/s for 8 s = 800 in all; the segment applied: a share near a third, far from all of it. (k6 does
  // not split one constant-arrival-rate into exactly equal thirds over 8 s: measured 301 and 250 iterations
  // for 0:1/3 and 1/3:2/3; the local:2 test checks that segments add up to the whole.)
  assert.ok(requests >= 800 / 4 && requests <= 800 * 0.4, `runner 1 of 3 sent ${requests}`);
  assert.deepEqual([...runIds], [(tr.spec.args as string[]).find((a) => a.startsWith('run_id='))?.slice('run_id='.length)]);
  assert.equal(tr.metadata.labels['perfcell.io/run-id'], [...runIds][0]?.toLowerCase());
  const summary = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8')) as { metrics: Record<string, { count?: number }> };
  assert.equal(summary.metrics['http_reqs{transaction:hello}']?.count, requests);
});
