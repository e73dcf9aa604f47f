/**
 * Charts as inline SVG strings: no script, nothing fetched, printable. Pure. Every text that reaches the SVG
 * goes through esc(): series names come from models and targets.
 */

export const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#0a7c86', '#bc4c00', '#57606a'];
export const MAX_POINTS = 600;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface LineSeries {
  name: string;
  points: [number, number | null][];
  dashed?: boolean;
}

export interface LineChartInput {
  /** Accessible title (also shown as the SVG's <title>). */
  title: string;
  yUnit: string;
  series: LineSeries[];
  /** 'time': x is unix ms, shown as elapsed m:ss from xOrigin; 'value': x is a number. */
  xKind: 'time' | 'value';
  xOrigin?: number;
  xUnit?: string;
  /** How buckets combine when a series has more than MAX_POINTS points. */
  reduce?: 'max' | 'mean';
  width?: number;
  height?: number;
  /** A horizontal reference line (an SLO). */
  reference?: { y: number; label: string };
}

/** Keeps at most `max` points: consecutive buckets collapse to their max (spikes stay visible) or mean. */
export function downsample(points: [number, number | null][], max: number, reduce: 'max' | 'mean'): [number, number | null][] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: [number, number | null][] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    const ys = bucket.map((p) => p[1]).filter((y): y is number => y !== null);
    const y = ys.length === 0 ? null : reduce === 'max' ? Math.max(...ys) : ys.reduce((s, v) => s + v, 0) / ys.length;
    out.push([(bucket[0] as [number, number | null])[0], y]);
  }
  return out;
}

/** 1, 2, 5 × 10^k steps so that about `count` ticks cover [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] as number) < max) ticks.push(Number((ticks.length * step).toPrecision(12)));
  return ticks;
}

export function elapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

export function lineChart(input: LineChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 220;
  const m = { l: 56, r: 12, t: 12, b: 28 };
  const series = input.series.map((s) => ({ ...s, points: downsample(s.points, MAX_POINTS, input.reduce ?? 'max') }));
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter((y): y is number => y !== null);
  const legendRows = Math.ceil(series.length / 4);
  const legendH = legendRows * 16 + 4;
  const H = height + legendH;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${H}" width="${width}" height="${H}" role="img"><title>${esc(input.title)}</title>`];
  if (xs.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">—</text></svg>`);
    return parts.join('');
  }
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const yTicks = niceTicks(Math.max(...ys, input.reference?.y ?? 0, 0));
  const yMax = yTicks[yTicks.length - 1] as number;
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const py = (y: number) => height - m.b - (y / (yMax || 1)) * (height - m.t - m.b);
  for (const t of yTicks) {
    parts.push(`<line class="grid" x1="${m.l}" x2="${width - m.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${m.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  parts.push(`<text class="unit" x="4" y="${m.t + 8}">${esc(input.yUnit)}</text>`);
  const xTickCount = 6;
  for (let i = 0; i <= xTickCount; i++) {
    const x = x0 + ((x1 - x0) * i) / xTickCount;
    const label = input.xKind === 'time' ? elapsed(x - (input.xOrigin ?? x0)) : `${fmtTick(x)}${input.xUnit ? ` ${esc(input.xUnit)}` : ''}`;
    parts.push(`<text class="tick" x="${px(x).toFixed(1)}" y="${height - m.b + 16}" text-anchor="middle">${label}</text>`);
  }
  parts.push(`<line class="axis" x1="${m.l}" x2="${width - m.r}" y1="${height - m.b}" y2="${height - m.b}"/>`);
  if (input.reference) {
    const y = py(input.reference.y).toFixed(1);
    parts.push(`<line class="ref" x1="${m.l}" x2="${width - m.r}" y1="${y}" y2="${y}"/><text class="ref-label" x="${width - m.r - 2}" y="${Number(y) - 3}" text-anchor="end">${esc(input.reference.label)}</text>`);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`;
      pen = true;
    }
    parts.push(`<path class="line" d="${d}" stroke="${color}"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    const lx = m.l + (i % 4) * ((width - m.l) / 4);
    const ly = height + 12 + Math.floor(i / 4) * 16;
    parts.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text class="legend" x="${lx + 14}" y="${ly + 1}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface BarGroup {
  label: string;
  bars: { name: string; value: number | null }[];
}

/** Grouped horizontal bars (one group per transaction, one bar per phase). */
export function barChart(input: { title: string; unit: string; groups: BarGroup[]; width?: number }): string {
  const width = input.width ?? 720;
  const names = [...new Set(input.groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const barH = 12;
  const groupH = names.length * (barH + 2) + 12;
  const m = { l: 180, r: 70, t: 8 };
  const height = m.t + input.groups.length * groupH + 24;
  const max = Math.max(0, ...input.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)));
  const scale = (v: number) => (max > 0 ? (v / max) * (width - m.l - m.r) : 0);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"><title>${esc(input.title)}</title>`];
  input.groups.forEach((g, gi) => {
    const y0 = m.t + gi * groupH;
    parts.push(`<text class="tick" x="${m.l - 6}" y="${y0 + (names.length * (barH + 2)) / 2 + 4}" text-anchor="end">${esc(g.label.length > 28 ? `${g.label.slice(0, 27)}…` : g.label)}</text>`);
    names.forEach((n, ni) => {
      const b = g.bars.find((x) => x.name === n);
      if (!b || b.value === null) return;
      const y = y0 + ni * (barH + 2);
      parts.push(`<rect x="${m.l}" y="${y}" width="${scale(b.value).toFixed(1)}" height="${barH}" fill="${PALETTE[ni % PALETTE.length]}"/>`);
      parts.push(`<text class="tick" x="${(m.l + scale(b.value) + 4).toFixed(1)}" y="${y + barH - 2}">${fmtTick(b.value)} ${esc(input.unit)}</text>`);
    });
  });
  const ly = height - 8;
  names.forEach((n, i) => {
    const lx = m.l + i * 120;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text class="legend" x="${lx + 14}" y="${ly}">${esc(n)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
