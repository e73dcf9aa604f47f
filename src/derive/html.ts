/**
 * The derived figures as one offline HTML page (pure): the hourly traffic over the period as an inline
 * SVG bar chart with the chosen peak marked, the daily profile, the mix and the suggestions. No script,
 * no network fetch (a Content-Security-Policy forbids them), the report's look.
 */
import type { DerivedFigures } from './derive.js';
import { DEFAULT_HEADROOM, closedModelSuggestion, planTransactions, suggestedSlo, type DraftInput } from './draft.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)} %`;

function barChart(bars: { label: string; value: number; marked: boolean }[], title: string, width = 1000, height = 220): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const left = 50;
  const bottom = 30;
  const plotW = width - left - 10;
  const plotH = height - bottom - 10;
  const bw = plotW / Math.max(1, bars.length);
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const y = 10 + plotH - (plotH * k) / 4;
    parts.push(`<line class="grid" x1="${left}" x2="${width - 10}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/><text class="tick" x="${left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${Math.round((max * k) / 4)}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(bars.length / 24));
  bars.forEach((b, i) => {
    const h = (plotH * b.value) / max;
    const x = left + i * bw;
    parts.push(`<rect x="${(x + bw * 0.1).toFixed(1)}" y="${(10 + plotH - h).toFixed(1)}" width="${Math.max(0.5, bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.marked ? '#d1242f' : '#1f6feb'}"><title>${esc(b.label)}: ${b.value}</title></rect>`);
    if (i % labelEvery === 0) parts.push(`<text class="tick" x="${(x + bw / 2).toFixed(1)}" y="${height - 12}" text-anchor="middle">${esc(b.label.length > 13 ? b.label.slice(5, 13) : b.label)}</text>`);
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${parts.join('')}<line class="axis" x1="${left}" x2="${width - 10}" y1="${10 + plotH}" y2="${10 + plotH}"/></svg></figure>`;
}

export function derivedHtml(figures: DerivedFigures, draft: DraftInput): string {
  const f = figures;
  const peakStart = f.peak.start;
  const hourlyBars = f.hourly.map((h) => ({ label: `${h.start.slice(0, 13).replace('T', ' ')}h`, value: h.total, marked: f.peak.method === 'busiest-hour' ? h.start === peakStart : h.start.slice(0, 13) === peakStart.slice(0, 13) }));
  const peakLocalHour = peakStart ? (new Date(Date.parse(peakStart) + f.offsetMin * 60_000).getUTCHours()) : -1;
  const dailyBars = f.dailyProfile.map((d) => ({ label: `${String(d.hour).padStart(2, '0')}h`, value: Math.round(d.mean), marked: d.hour === peakLocalHour }));
  const { included } = planTransactions(draft);
  const rows = included
    .map((t) => {
      const x = t.figures;
      const slo = suggestedSlo(x);
      return `<tr><td class="text">${esc(x.name)}</td><td class="text"><code>${esc(x.method)} ${esc(x.template)}</code></td><td>${t.peakPerHour}</td><td>${pct(x.peakShare)}</td><td>${x.total}</td><td>${pct(x.errorRate, 2)}</td><td>${x.latencyMs ? `${x.latencyMs.p50.toFixed(1)} / ${x.latencyMs.p95.toFixed(1)} / ${x.latencyMs.p99.toFixed(1)}` : '—'}</td><td>${x.responseBytes ? `${Math.round(x.responseBytes.p50)} / ${Math.round(x.responseBytes.p95)}` : '—'}</td><td class="text">${slo.p95Ms ? `p95 &lt; ${slo.p95Ms} ms, ` : ''}errors &lt; ${pct(slo.maxErrorRate, 2)}</td><td class="text">${t.matched ? esc(`${t.scenarioFile}#${t.exportName}`) : '<em>placeholder</em>'}</td></tr>`;
    })
    .join('\n');
  const uncovered = f.uncovered.length
    ? `<h2>Production routes without a transaction</h2><table><tr><th class="text">route</th><th>requests</th><th>share</th></tr>${f.uncovered.map((u) => `<tr><td class="text"><code>${esc(u.method)} ${esc(u.template)}</code></td><td>${u.count}</td><td>${pct(u.share, 2)}</td></tr>`).join('')}</table>`
    : '';
  const s = f.sessions;
  const closed = closedModelSuggestion(f, draft.growth ?? DEFAULT_HEADROOM);
  const bad = f.read.bad
    ? `<h2>Lines that did not parse</h2><p>${f.read.bad} of ${f.read.lines} (${pct(f.read.bad / Math.max(1, f.read.lines), 2)}). First ones:</p><pre>${esc(f.read.badExamples.join('\n'))}</pre>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(draft.service)}: load model derived from production</title>
<style>
:root { --muted: #57606a; --line: #d0d7de; --ko: #d1242f; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); } .suggest { border-left: 4px solid #9a6700; background: #fff8c5; padding: 6px 10px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; vertical-align: top; }
td.text, th.text { text-align: left; } th { background: #f6f8fa; font-weight: 600; }
figure { margin: 12px 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; display: block; } svg .grid { stroke: #eaeef2; } svg .axis { stroke: #8c959f; }
svg .tick { font: 11px system-ui, sans-serif; fill: #57606a; } pre { white-space: pre-wrap; word-break: break-all; font-size: 12px; }
</style></head><body>
<h1>${esc(draft.service)}: load model derived from production</h1>
<div class="muted">${esc(f.from)} → ${esc(f.to)} · ${f.read.lines} lines from ${f.read.sources.length} file(s) · generated ${esc(draft.now.toISOString())}</div>
<h2>Peak</h2>
<p><strong>${Math.round(f.peak.totalPerHour)} requests/hour</strong> (${esc(f.peak.method)}: ${esc(f.peak.start)} → ${esc(f.peak.end)}), marked in red below.
Coverage: ${f.requests.covered} of ${f.requests.counted} business requests (${pct(f.requests.counted ? f.requests.covered / f.requests.counted : 1)}) match a transaction.
Excluded: ${f.excluded.healthChecks} health checks, ${f.excluded.staticAssets} static assets, ${f.excluded.bots} bots, ${f.excluded.notFound} 404s on no route, ${f.excluded.malformedRequests} malformed requests.</p>
${barChart(hourlyBars, 'Requests per hour over the period (covered transactions)')}
${barChart(dailyBars, `Daily profile: mean requests per hour of day (log time, UTC${f.offsetMin >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(f.offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(f.offsetMin) % 60).padStart(2, '0')})`, 1000, 200)}
<h2>Mix at the peak</h2>
<p class="suggest">SLOs below are <strong>suggestions</strong>: production's p95/p99 + ${Math.round(20)} %, and twice its 5xx rate (at least 0.1 %). Review them with the service's owners.</p>
<table><tr><th class="text">transaction</th><th class="text">route</th><th>peak/hour</th><th>mix</th><th>period</th><th>5xx</th><th>p50 / p95 / p99 ms</th><th>response bytes p50 / p95</th><th class="text">suggested SLO</th><th class="text">scenario</th></tr>
${rows}
</table>
<h2>Sessions</h2>
<p>${s.count} sessions (${esc(s.key)}, new session after ${Math.round(s.gapMs / 60000)} min without a request)${s.requestsPerSession ? `: ${s.requestsPerSession.mean.toFixed(1)} requests per session (median ${s.requestsPerSession.p50.toFixed(0)}, p90 ${s.requestsPerSession.p90.toFixed(0)})` : ''}${s.thinkTimeMs ? `; time between requests median ${(s.thinkTimeMs.p50 / 1000).toFixed(1)} s, p90 ${(s.thinkTimeMs.p90 / 1000).toFixed(1)} s` : ''}.</p>
${closed ? `<p class="suggest">Closed-model profile <code>closed-peak</code> (a <strong>suggestion</strong>, like the volumes): a user's requests are ${(closed.thinkTimeMs / 1000).toFixed(1)} s apart (response time included), so Little's law gives <strong>${closed.peakVus} VUs</strong> pausing ${closed.peakPauseMs} ms on average at peak × (1 + headroom), ${closed.vus} VUs at the measured peak; its rate is an outcome, a slower target lowers it. Sessions: ${closed.requestsPerSession.toFixed(1)} requests, ${(closed.sessionDurationMs / 1000).toFixed(0)} s long, ${Math.round(closed.sessionsPerHour)} an hour at the peak.</p>` : ''}
${uncovered}
${bad}
</body></html>
`;
}
