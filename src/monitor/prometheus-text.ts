/**
 * Parser of the Prometheus text exposition format (version 0.0.4) into flat samples. Pure.
 *
 * Written here rather than taken from npm: parse-prometheus-text-format (the small one) regroups samples
 * into prom2json families with string values (histograms as bucket maps) that we would flatten straight
 * back, ships no types, and rejects a payload without saying which line was wrong. perfcell needs flat
 * (name, labels, value) samples and a precise error so that a bad payload is skipped with one warning.
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Exposition timestamp (unix ms) when the target gave one. */
  timestampMs?: number;
}

export class PromParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PromParseError';
  }
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return (special[2] as string).toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at `i` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const m = LABEL_NAME_RE.exec(line.slice(i));
    if (!m) throw new PromParseError(lineNo, `label name expected at column ${i + 1}`);
    const name = m[0];
    i += name.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=') throw new PromParseError(lineNo, `"=" expected after label ${name}`);
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') throw new PromParseError(lineNo, `quoted value expected for label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new PromParseError(lineNo, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = line[i + 1];
        value += e === 'n' ? '\n' : e === '\\' ? '\\' : e === '"' ? '"' : `\\${e ?? ''}`;
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++;
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new PromParseError(lineNo, `"," or "}" expected after label ${name}`);
  }
}

/** All samples of a payload; throws PromParseError naming the first bad line. */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const lineNo = n + 1;
    const m = NAME_RE.exec(line);
    if (!m) throw new PromParseError(lineNo, `metric name expected, got "${line.slice(0, 40)}"`);
    const name = m[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, lineNo));
    const rest = line.slice(i).trim().split(/[ \t]+/);
    if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new PromParseError(lineNo, `"value [timestamp]" expected after ${name}`);
    const value = parseValue(rest[0] as string);
    if (value === undefined) throw new PromParseError(lineNo, `number expected for ${name}, got "${rest[0]}"`);
    const sample: PromSample = { name, labels, value };
    if (rest[1] !== undefined) {
      const ts = Number(rest[1]);
      if (!Number.isInteger(ts)) throw new PromParseError(lineNo, `integer timestamp expected for ${name}, got "${rest[1]}"`);
      sample.timestampMs = ts;
    }
    out.push(sample);
  }
  return out;
}
