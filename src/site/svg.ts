/**
 * The site's charts as inline SVG: trends over iterations (x = iteration number) and sparklines. Pure.
 * Readable without colour: each series has its own dash pattern and marker shape, repeated in the legend;
 * the SLO line is labelled. Every text goes through esc().
 */
import { esc, niceTicks } from '../report/charts.js';

/** Dash pattern and marker per series, in order: they carry the meaning, colour only helps. */
const STYLES = [
  { color: '#1f6feb', dash: '', marker: 'circle' },
  { color: '#bc4c00', dash: '6 3', marker: 'square' },
  { color: '#1a7f37', dash: '2 2', marker: 'triangle' },
  { color: '#8250df', dash: '8 3 2 3', marker: 'diamond' },
] as const;

export interface TrendSeries {
  name: string;
  /** [iteration, value]; null: no figure that iteration. */
  points: [number, number | null][];
}

function marker(kind: string, x: number, y: number, color: string): string {
  const p = (n: number) => n.toFixed(1);
  switch (kind) {
    case 'square':
      return `<rect x="${p(x - 3)}" y="${p(y - 3)}" width="6" height="6" fill="${color}"/>`;
    case 'triangle':
      return `<path d="M${p(x)} ${p(y - 4)}L${p(x + 4)} ${p(y + 3)}L${p(x - 4)} ${p(y + 3)}Z" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${p(x)} ${p(y - 4)}L${p(x + 4)} ${p(y)}L${p(x)} ${p(y + 4)}L${p(x - 4)} ${p(y)}Z" fill="none" stroke="${color}"/>`;
    default:
      return `<circle cx="${p(x)}" cy="${p(y)}" r="3" fill="${color}"/>`;
  }
}

const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

export function trendChart(input: { title: string; unit: string; series: TrendSeries[]; reference?: { y: number; label: string } | null; width?: number; height?: number; xLabel: string }): string {
  const width = input.width ?? 520;
  const height = input.height ?? 170;
  const m = { l: 48, r: 10, t: 10, b: 30 };
  const xs = [...new Set(input.series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ys = input.series.flatMap((s) => s.points.map((p) => p[1])).filter((y): y is number => y !== null);
  const legendH = Math.ceil(input.series.length / 3) * 16 + 4;
  const H = height + legendH;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${H}" width="${width}" height="${H}" role="img" aria-label="${esc(input.title)}"><title>${esc(input.title)}</title>`];
  if (xs.length === 0 || ys.length === 0) {
    out.push(`<text class="tick" x="${width / 2}" y="${height / 2}" text-anchor="middle">–</text></svg>`);
    return out.join('');
  }
  const x0 = xs[0] as number;
  const x1 = Math.max(xs[xs.length - 1] as number, x0 + 1);
  // Zero is always on the axis; a negative figure (a headroom below the model's peak) extends it downwards.
  const hi = Math.max(...ys, input.reference?.y ?? 0, 0);
  const lo = Math.min(...ys, input.reference?.y ?? 0, 0);
  const up = niceTicks(hi - lo, 4);
  const stepY = (up[1] ?? 1) - (up[0] ?? 0) || 1;
  const yMin = Math.floor(lo / stepY) * stepY;
  const ticks: number[] = [Number(yMin.toPrecision(12))];
  while ((ticks[ticks.length - 1] as number) < hi - 1e-9 || ticks.length < 2) ticks.push(Number(((ticks[ticks.length - 1] as number) + stepY).toPrecision(12)));
  const yMax = ticks[ticks.length - 1] as number;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const py = (y: number) => height - m.b - ((y - yMin) / (yMax - yMin || 1)) * (height - m.t - m.b);
  for (const t of ticks) {
    out.push(`<line class="grid" x1="${m.l}" x2="${width - m.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/><text class="tick" x="${m.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<text class="unit" x="2" y="${m.t + 8}">${esc(input.unit)}</text>`);
  const step = Math.max(1, Math.ceil(xs.length / 10));
  xs.forEach((x, i) => {
    if (i % step === 0 || i === xs.length - 1) out.push(`<text class="tick" x="${px(x).toFixed(1)}" y="${height - m.b + 14}" text-anchor="middle">${x}</text>`);
  });
  out.push(`<text class="tick" x="${(m.l + width - m.r) / 2}" y="${height - 4}" text-anchor="middle">${esc(input.xLabel)}</text>`);
  out.push(`<line class="axis" x1="${m.l}" x2="${width - m.r}" y1="${py(0).toFixed(1)}" y2="${py(0).toFixed(1)}"/>`);
  if (input.reference) {
    const y = py(input.reference.y).toFixed(1);
    out.push(`<line class="ref" x1="${m.l}" x2="${width - m.r}" y1="${y}" y2="${y}"/><text class="ref-label" x="${width - m.r - 2}" y="${(Number(y) - 3).toFixed(1)}" text-anchor="end">${esc(input.reference.label)}</text>`);
  }
  input.series.forEach((s, i) => {
    const st = STYLES[i % STYLES.length] as (typeof STYLES)[number];
    let d = '';
    let pen = false;
    const marks: string[] = [];
    for (const [x, y] of [...s.points].sort((a, b) => a[0] - b[0])) {
      if (y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`;
      pen = true;
      marks.push(marker(st.marker, px(x), py(y), st.color));
    }
    out.push(`<path class="line" d="${d}" stroke="${st.color}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`, ...marks);
    const lx = m.l + (i % 3) * ((width - m.l) / 3);
    const ly = height + 10 + Math.floor(i / 3) * 16;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${st.color}" stroke-width="1.5"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>${marker(st.marker, lx + 11, ly - 4, st.color)}<text class="legend" x="${lx + 27}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** A sparkline of a series (e.g. the key transaction's p95 over iterations), with its last value as text. */
export function sparkline(values: (number | null)[], label: string, lastText: string): string {
  const width = 96;
  const height = 24;
  const pts = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(`${label}: ${lastText}`)}"><title>${esc(`${label}: ${lastText}`)}</title>`;
  if (pts.length === 0) return `${head}<text class="tick" x="2" y="16">–</text></svg>`;
  const max = Math.max(...pts.map((p) => p[1])) || 1;
  const n = Math.max(values.length - 1, 1);
  const px = (i: number) => 2 + (i / n) * (width - 6);
  const py = (v: number) => height - 3 - (v / max) * (height - 6);
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)} ${py(p[1]).toFixed(1)}`).join('');
  const last = pts[pts.length - 1] as readonly [number, number];
  return `${head}<path d="${d}" fill="none" stroke="#1f6feb" stroke-width="1.5"/><circle cx="${px(last[0]).toFixed(1)}" cy="${py(last[1]).toFixed(1)}" r="2.5" fill="#1f2328"/></svg>`;
}
