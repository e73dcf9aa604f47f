/**
 * junit.xml: one test case per SLO per transaction (per phase), for CI dashboards. Pure. A phase whose
 * measurement is invalid (INCONCLUSIVE, src/verdict) reports its SLOs as `error`, not `failure`: the test could
 * not judge them, the target did not fail them.
 */
import type { ReportData } from './report-data.js';


export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids are dropped; the five special ones are escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export function junitXml(data: ReportData): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = data.phases.reduce((s, a) => s + a.slo.length, 0);
  const phaseVerdict = (a: ReportData['phases'][number]) => data.verdict.phases?.find((p) => p.phase === a.phase);
  const invalid = (a: ReportData['phases'][number]) => phaseVerdict(a)?.status === 'inconclusive';
  const why = (a: ReportData['phases'][number]) => (phaseVerdict(a)?.invalidBecause ?? []).map((t) => t.en).join(' ');
  const count = (pick: (a: ReportData['phases'][number]) => boolean) => data.phases.reduce((s, a) => s + (pick(a) ? a.slo.filter((x) => !x.pass).length : 0), 0);
  lines.push(`<testsuites name="perfcell ${xmlEscape(data.service)}" tests="${total}" failures="${count((a) => !invalid(a))}" errors="${count(invalid)}">`);
  for (const a of data.phases) {
    const f = a.slo.filter((x) => !x.pass).length;
    const bad = invalid(a);
    lines.push(`  <testsuite name="${xmlEscape(`${a.service}.${a.phase}`)}" tests="${a.slo.length}" failures="${bad ? 0 : f}" errors="${bad ? f : 0}" time="${a.durationSec}" timestamp="${xmlEscape(a.runs[0]?.startedAt ?? '')}">`);
    const props = [...(a.incomplete ? [['incomplete', a.incompleteReasons.join('; ')]] : []), ...(bad ? [['inconclusive', why(a)]] : [])];
    if (props.length) lines.push(`    <properties>${props.map(([k, v]) => `<property name="${k}" value="${xmlEscape(v ?? '')}"/>`).join('')}</properties>`);
    for (const s of a.slo) {
      const unit = s.criterion === 'errorRate' ? '' : ' ms';
      const name = `${s.transaction} ${s.criterion} ${s.op} ${s.limit}${unit}`;
      lines.push(`    <testcase classname="${xmlEscape(`${a.phase}.${s.transaction}`)}" name="${xmlEscape(name)}">`);
      const measured = `${s.criterion} = ${s.actual === null ? 'no data' : `${s.actual}${unit}`}, objective ${s.op} ${s.limit}${unit}`;
      if (!s.pass && bad) lines.push(`      <error message="${xmlEscape(`not judged: the measurement is invalid (${why(a)}); ${measured}`)}" type="inconclusive"/>`);
      else if (!s.pass) lines.push(`      <failure message="${xmlEscape(measured)}" type="slo"/>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
