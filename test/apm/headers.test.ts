import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dynatraceTestHeader, newTraceparent, parseDynatraceTestHeader, stepNameFromUrl, TRACEPARENT_RE } from '../../src/apm/headers.js';
import { k6ApmEnv, traceContextApm, dynatraceApm } from '../../src/apm/apm.js';
import { loadTestEvent } from '../../src/apm/dynatrace.js';

describe('APM headers and events (pure)', () => {
  it('x-dynatrace-test: the six keys in order, separators replaced inside values', () => {
    const h = dynatraceTestHeader({ VU: 3, SI: 'perfcell-k6', TSN: 'get;person', LSN: 'read=person', LTN: 'R1', PC: '::home' });
    assert.equal(h, 'VU=3;SI=perfcell-k6;TSN=get_person;LSN=read_person;LTN=R1;PC=::home');
    assert.deepEqual(parseDynatraceTestHeader(h), { VU: '3', SI: 'perfcell-k6', TSN: 'get_person', LSN: 'read_person', LTN: 'R1', PC: '::home' });
  });

  it('traceparent: version 00, sampled, never an all-zero id', () => {
    let draws = 0;
    // The first draw is all zeros (invalid): it must be redrawn.
    const bytes = (n: number) => (draws++ === 0 ? new Uint8Array(n) : new Uint8Array(n).map((_, i) => i + 1));
    const tp = newTraceparent(bytes);
    assert.match(tp, TRACEPARENT_RE);
    assert.equal(tp, '00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01');
    assert.doesNotMatch('00-00000000000000000000000000000000-0102030405060708-01', TRACEPARENT_RE);
  });

  it('step name from a URL: path only, numeric ids folded', () => {
    assert.equal(stepNameFromUrl('http://127.0.0.1:8080/persons/42/contracts/7?x=1'), '/persons/{id}/contracts/{id}');
    assert.equal(stepNameFromUrl('http://h'), '/');
  });

  it('k6 environment: the union of the headers the APMs need, and the load test name', () => {
    assert.deepEqual(k6ApmEnv([], 'R'), {});
    assert.deepEqual(k6ApmEnv([traceContextApm()], 'R'), { PERFCELL_APM_HEADERS: 'traceparent', PERFCELL_LTN: 'R' });
    assert.deepEqual(k6ApmEnv([dynatraceApm({ url: 'http://x', token: 't' }), traceContextApm()], 'R'), { PERFCELL_APM_HEADERS: 'dynatrace,traceparent', PERFCELL_LTN: 'R' });
  });

  it('test events: CUSTOM_INFO at the start and end times, the run in properties, optional entity selector', () => {
    const run = { runId: 'R', service: 'grc', phase: 'e2e', iteration: 3, profile: 'stress', campaign: 'c', startedAtMs: 1000, endedAtMs: 5000, status: 'slo-broken' };
    const start = loadTestEvent('start', run);
    assert.equal(start.startTime, 1000);
    assert.equal(start.entitySelector, undefined);
    assert.equal(start.properties['perfcell.status'], undefined);
    const end = loadTestEvent('end', run, 'type(SERVICE),tag(grc)');
    assert.deepEqual([end.eventType, end.startTime, end.endTime, end.entitySelector], ['CUSTOM_INFO', 5000, 5000, 'type(SERVICE),tag(grc)']);
    assert.equal(end.properties['perfcell.status'], 'slo-broken');
    assert.equal(end.properties['perfcell.campaign'], 'c');
    assert.match(end.title, /end: grc e2e \(run R\)/);
  });
});
