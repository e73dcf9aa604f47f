/**
 * `model derive`'s use case over files: stream every line of every source through its parser into the
 * aggregator, count the lines that do not parse (with examples) and refuse the input only when too many
 * do (a wrong format or a wrong file, rather than a few torn lines at a rotation).
 */
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PerfcellError, inputError } from '../errors.js';
import { Aggregator, own, type AggregateOptions, type Figures, type PeakMethod } from './aggregate.js';
import { DEFAULT_JSON_MAPPING, FORMAT_EXPECTATION, detectFormat, emptyRecord, parseClfLine, parseJsonLine, type DurationUnit, type JsonMapping, type LineFormat } from './parse.js';
import { openSources, readLines } from './read.js';
import { routesFromFile, routesFromOpenApi, type Route } from './routes.js';

/**
 * More than 10 % of unparseable lines is a wrong format or a wrong file, not a few torn lines at a
 * rotation or a crash: fatal. Below it, the lines are counted and reported with examples.
 */
export const DEFAULT_MAX_BAD_RATIO = 0.1;
/** The threshold applies once this many lines were read: two bad lines of the first ten say little. */
const MIN_LINES_FOR_RATIO = 100;
/** Examples of unparseable lines kept for the report. */
const BAD_EXAMPLES = 5;
/** Lines tried to detect a file's format before giving up on it. */
const DETECT_LINES = 20;
/** An example line is cut to this many characters (a 64 KB URL does not belong in an error message). */
const EXAMPLE_CHARS = 200;

export interface SourceFigures {
  file: string;
  gzip: boolean;
  format: LineFormat | 'empty';
  lines: number;
  bad: number;
}

export interface ReadFigures {
  lines: number;
  parsed: number;
  bad: number;
  /** `file:line: the line` of the first unparseable lines. */
  badExamples: string[];
  sources: SourceFigures[];
}

export interface DeriveInput extends AggregateOptions {
  files: string[];
  format?: LineFormat | 'auto';
  durationUnit?: DurationUnit;
  jsonMapping?: JsonMapping;
  peak?: PeakMethod;
  maxBadRatio?: number;
}

export type DerivedFigures = Figures & { read: ReadFigures };

const cut = (s: string) => (s.length > EXAMPLE_CHARS ? `${s.slice(0, EXAMPLE_CHARS)}… (${s.length} characters)` : s);

export async function deriveFigures(input: DeriveInput): Promise<DerivedFigures> {
  const agg = new Aggregator(input);
  const read = await readInto(input, (r) => agg.add(r));
  return { ...agg.finish(input.peak), read };
}

/** Streams the files into `sink`; returns what was read. Throws a one-line PerfcellError on bad input. */
export async function readInto(input: DeriveInput, sink: (r: ReturnType<typeof emptyRecord>) => void): Promise<ReadFigures> {
  const sources = openSources(input.files);
  const maxBad = input.maxBadRatio ?? DEFAULT_MAX_BAD_RATIO;
  const mapping = input.jsonMapping ?? DEFAULT_JSON_MAPPING;
  const unit = input.durationUnit ?? (input.jsonMapping?.durationUnit ?? 's');
  const record = emptyRecord();
  const out: ReadFigures = { lines: 0, parsed: 0, bad: 0, badExamples: [], sources: [] };
  let firstBad: { file: string; line: number; text: string; format: LineFormat } | undefined;
  for (const source of sources) {
    let format: LineFormat | undefined = input.format && input.format !== 'auto' ? input.format : undefined;
    const fig: SourceFigures = { file: source.file, gzip: source.gzip, format: format ?? 'empty', lines: 0, bad: 0 };
    const pending: { line: string; no: number }[] = [];
    const parseOne = (line: string, no: number, f: LineFormat): void => {
      const ok = f === 'json' ? parseJsonLine(line, record, mapping) : parseClfLine(line, record, unit);
      if (ok) {
        out.parsed++;
        sink(record);
        return;
      }
      fig.bad++;
      out.bad++;
      if (out.badExamples.length < BAD_EXAMPLES) out.badExamples.push(own(`${source.file}:${no}: ${cut(line)}`));
      firstBad ??= { file: source.file, line: no, text: own(cut(line)), format: f };
    };
    await readLines(source, (line, no) => {
      if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) return;
      fig.lines++;
      if (format === undefined) {
        format = detectFormat(line);
        if (format === undefined) {
          pending.push({ line, no });
          if (pending.length >= DETECT_LINES) {
            const p = pending[0] as { line: string; no: number };
            throw inputError(source.file, `line ${p.no}`, `an access log (nginx/Apache combined or common, or JSON lines); none of the first ${DETECT_LINES} lines is one, e.g. "${cut(p.line)}"`);
          }
          return;
        }
        fig.format = format;
        for (const p of pending.splice(0)) parseOne(p.line, p.no, format);
      }
      parseOne(line, no, format);
    });
    if (format === undefined && pending.length > 0) {
      const p = pending[0] as { line: string; no: number };
      throw inputError(source.file, `line ${p.no}`, `an access log (nginx/Apache combined or common, or JSON lines), got "${cut(p.line)}"`);
    }
    out.lines += fig.lines;
    out.sources.push(fig);
  }
  if (firstBad && out.bad / out.lines > maxBad && (out.lines >= MIN_LINES_FOR_RATIO || out.parsed === 0)) {
    const pct = ((100 * out.bad) / out.lines).toFixed(1);
    throw new PerfcellError(
      `${firstBad.file}: line ${firstBad.line}: expected ${FORMAT_EXPECTATION[firstBad.format]}, got "${cut(firstBad.text)}" — ${out.bad} of ${out.lines} lines (${pct} %) did not parse, above the ${(maxBad * 100).toFixed(0)} % threshold (--max-bad)`,
    );
  }
  return out;
}

/** Routes from `--openapi` or `--routes`, or undefined (learned templates). */
export function loadRoutes(o: { openapi?: string; routes?: string }): { routes?: Route[]; routesFrom?: 'openapi' | 'routes' } {
  if (o.openapi && o.routes) throw inputError('--openapi/--routes', '', 'one of them, not both');
  const file = o.openapi ?? o.routes;
  if (!file) return {};
  if (!existsSync(file)) throw inputError(file, '', 'an existing file');
  const text = readFileSync(file, 'utf8');
  return o.openapi ? { routes: routesFromOpenApi(text, file), routesFrom: 'openapi' } : { routes: routesFromFile(text, file), routesFrom: 'routes' };
}

const MAPPING_KEYS = ['time', 'method', 'path', 'request', 'status', 'bytes', 'duration', 'ip', 'userAgent', 'clientId'] as const;

/**
 * A JSON-lines mapping from `--field key=path` flags and/or a small YAML/JSON file `{ time: ts, status:
 * res.status, durationUnit: ms }`. Given fields replace the defaults' candidates for that field.
 */
export function jsonMappingFrom(fields: string[], file?: string, durationUnit?: DurationUnit): JsonMapping {
  const m: JsonMapping = { ...DEFAULT_JSON_MAPPING };
  const set = (key: string, value: unknown, where: string) => {
    if (key === 'durationUnit') {
      if (value !== 's' && value !== 'ms' && value !== 'us') throw inputError(where, key, `s, ms or us, got "${String(value)}"`);
      m.durationUnit = value;
      return;
    }
    if (!(MAPPING_KEYS as readonly string[]).includes(key)) throw inputError(where, key, `one of ${MAPPING_KEYS.join(', ')}, durationUnit`);
    const paths = Array.isArray(value) ? value.map(String) : [String(value)];
    m[key as (typeof MAPPING_KEYS)[number]] = paths;
  };
  if (file) {
    if (!existsSync(file)) throw inputError(file, '', 'an existing mapping file');
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw inputError(file, '', 'a mapping such as `{ time: ts, status: res.status }`');
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) set(k, v, file);
  }
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw inputError('--field', '', `key=path (e.g. status=res.statusCode), got "${f}"`);
    set(f.slice(0, eq), f.slice(eq + 1), '--field');
  }
  if (durationUnit) m.durationUnit = durationUnit;
  return m;
}
