/** junit.xml: one test case per SLO per transaction (per phase), for CI dashboards. Pure. */
import type { ReportData } from './report-data.js';

export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids are dropped; the five special ones are escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export function junitXml(data: ReportData): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = data.phases.reduce((s, a) => s + a.slo.length, 0);
  const failures = data.phases.reduce((s, a) => s + a.slo.filter((x) => !x.pass).length, 0);
  lines.push(`<testsuites name="perfcell ${xmlEscape(data.service)}" tests="${total}" failures="${failures}">`);
  for (const a of data.phases) {
    const f = a.slo.filter((x) => !x.pass).length;
    lines.push(`  <testsuite name="${xmlEscape(`${a.service}.${a.phase}`)}" tests="${a.slo.length}" failures="${f}" time="${a.durationSec}" timestamp="${xmlEscape(a.runs[0]?.startedAt ?? '')}">`);
    if (a.incomplete) lines.push(`    <properties><property name="incomplete" value="${xmlEscape(a.incompleteReasons.join('; '))}"/></properties>`);
    for (const s of a.slo) {
      const unit = s.criterion === 'errorRate' ? '' : ' ms';
      const name = `${s.transaction} ${s.criterion} ${s.op} ${s.limit}${unit}`;
      lines.push(`    <testcase classname="${xmlEscape(`${a.phase}.${s.transaction}`)}" name="${xmlEscape(name)}">`);
      if (!s.pass) lines.push(`      <failure message="${xmlEscape(`${s.criterion} = ${s.actual === null ? 'no data' : `${s.actual}${unit}`}, objective ${s.op} ${s.limit}${unit}`)}" type="slo"/>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
