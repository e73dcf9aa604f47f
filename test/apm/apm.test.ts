/**
 * APM hooks end to end: a real k6 run whose requests carry x-dynatrace-test and traceparent (checked at the
 * target), with test start/end events posted to a WireMock stub of Dynatrace's Events API v2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dynatraceApm, traceContextApm } from '../../src/apm/apm.js';
import { loadTestEvent, postEvent, type EventIngest } from '../../src/apm/dynatrace.js';
import { parseDynatraceTestHeader, TRACEPARENT_RE } from '../../src/apm/headers.js';
import { apmHttpShimPlugin } from '../../src/apm/bundle-plugin.js';
import { bundleScenarios } from '../../src/scenario/bundle.js';
import { loadStubSet } from '../../src/stubs/stub-set.js';
import { startStubServer, type StubServer } from '../../src/stubs/wiremock.js';
import { RUN_EXIT, executeRun, type RunOutcome } from '../../src/run/execute.js';
import { readRunMeta } from '../../src/store/folder.js';
import { startMetricsTarget, type MetricsTarget } from '../metrics/support/metrics-target.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = fileURLToPath(new URL('../fixtures/metrics/load-models/apm.yaml', import.meta.url));
const STUBS = fileURLToPath(new URL('../fixtures/dynatrace/stubs', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../fixtures/metrics/scenarios/metrics.ts', import.meta.url));
const TOKEN = 'dt0c01.TEST';

let work: string;
let app: MetricsTarget;
let dynatrace: StubServer;
let run: RunOutcome;
const logs: string[] = [];

/** Headers of the requests k6 sent (perfcell's own pre-flight check is not one of them). */
function k6Requests() {
  return app.headers().filter((h) => String(h['user-agent'] ?? '').startsWith('Grafana k6/'));
}

interface Journal { request: { method: string; url: string; headers: Record<string, string>; body: string } }

async function ingested(): Promise<{ status: number; event: EventIngest; auth: string }[]> {
  const all = (await dynatrace.admin.getAllRequests()) as unknown as { requests?: (Journal & { responseDefinition: { status: number } })[] } | (Journal & { responseDefinition: { status: number } })[];
  const list = Array.isArray(all) ? all : all.requests ?? [];
  return list
    .filter((r) => r.request.url === '/api/v2/events/ingest')
    .map((r) => ({ status: r.responseDefinition.status, event: JSON.parse(r.request.body) as EventIngest, auth: r.request.headers.Authorization ?? '' }))
    .sort((a, b) => a.event.startTime - b.event.startTime);
}

describe('APM hooks: Dynatrace and W3C trace context', { timeout: 120_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-apm-'));
    app = await startMetricsTarget();
    dynatrace = await startStubServer(loadStubSet(STUBS, 'dynatrace'), { heapMb: 128 });
    run = await executeRun({
      model: MODEL, profile: 'short', env: 'local', targetOverrides: { app: app.url }, out: join(work, 'run'), quiet: true,
      log: (l) => logs.push(l),
      sideChannels: withRunHooks({ influx: null, monitorIntervalMs: false, apms: [dynatraceApm({ url: dynatrace.url, token: TOKEN }), traceContextApm()] }),
    });
  });
  after(async () => {
    await dynatrace?.stop();
    await app?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('every request carries x-dynatrace-test with VU, SI, TSN, LSN, LTN, PC', () => {
    // The run completed; its `missing` transaction answers 404 on purpose, so perfcell's verdict is NO-GO.
    assert.equal(run.exitCode, RUN_EXIT.sloBroken, logs.join('\n'));
    assert.equal(run.verdict?.reasons.length, 1, logs.join('\n'));
    assert.match(run.verdict?.reasons[0]?.en ?? '', /^unstubbed: missing: \d+ failed requests \(100 %\): 4xx/);
    const headers = k6Requests();
    assert.ok(headers.length > 100);
    const parsed = headers.map((h) => parseDynatraceTestHeader(String(h['x-dynatrace-test'] ?? '')));
    for (const p of parsed) {
      assert.deepEqual(Object.keys(p), ['VU', 'SI', 'TSN', 'LSN', 'LTN', 'PC']);
      assert.match(p.VU ?? '', /^\d+$/);
      assert.equal(p.SI, 'perfcell-k6');
      assert.equal(p.LTN, run.meta.runId);
    }
    const byStep = new Map(parsed.map((p) => [`${p.LSN} ${p.TSN}`, p.PC]));
    const variety = ['async', 'batch-array', 'batch-keyed', 'batch-object', 'del', 'head', 'options', 'patch', 'request-put', '/hello'].map((s) => `variety ${s}`);
    assert.deepEqual([...byStep.keys()].sort(), ['hello hello', 'missing /missing/{id}', ...variety].sort());
    assert.equal(byStep.get('hello hello'), '::home', 'PC is the k6 group');
    assert.equal(byStep.get('variety del'), 'del', 'no group: PC is the step');
  });

  it('every request carries a valid, fresh W3C traceparent', () => {
    const tps = k6Requests().map((h) => String(h.traceparent ?? ''));
    assert.ok(tps.every((t) => TRACEPARENT_RE.test(t)), tps.find((t) => !TRACEPARENT_RE.test(t)));
    assert.equal(new Set(tps.map((t) => t.split('-')[1])).size, tps.length, 'one trace per request');
  });

  it('test start and end reach the Events API v2 with the token and the run in their properties', async () => {
    const events = await ingested();
    assert.deepEqual(events.map((e) => [e.status, e.auth, e.event.eventType, e.event.properties['perfcell.event']]), [
      [201, `Api-Token ${TOKEN}`, 'CUSTOM_INFO', 'load-test-start'],
      [201, `Api-Token ${TOKEN}`, 'CUSTOM_INFO', 'load-test-end'],
    ]);
    const meta = readRunMeta(run.dir);
    assert.equal(events[0]?.event.startTime, Date.parse(meta.startedAt));
    assert.equal(events[1]?.event.startTime, Date.parse(meta.endedAt ?? ''));
    assert.equal(events[1]?.event.properties['perfcell.status'], 'passed');
    assert.equal(events[0]?.event.properties['perfcell.run_id'], run.meta.runId);
    assert.ok(!meta.flags.includes('apm-event-failed'));
  });

  it('a refused token is an error naming the API and status (a run warns and marks apm-event-failed)', async () => {
    const event = loadTestEvent('start', { runId: 'R', service: 's', phase: 'stubbed', iteration: 1, profile: 'p', startedAtMs: 1 });
    await assert.rejects(postEvent({ url: dynatrace.url, token: 'wrong' }, event), /events\/ingest: HTTP 401/);
  });

  it('without an APM the bundle keeps the real k6/http; with one, scenario imports go through the shim', async () => {
    const entry = `import { hello } from ${JSON.stringify(SCENARIO)};\nexport default hello;\n`;
    const decode = (b: { script: Uint8Array }) => new TextDecoder().decode(b.script);
    const plain = decode(await bundleScenarios(entry, work));
    const shimmed = decode(await bundleScenarios(entry, work, [apmHttpShimPlugin()]));
    assert.ok(!plain.includes('x-dynatrace-test'));
    assert.ok(shimmed.includes('x-dynatrace-test') && shimmed.includes('traceparent'));
    assert.match(shimmed, /from "k6\/http"/, 'the shim imports the real, external k6/http');
  });
});
