/**
 * Streaming reader of a run's raw samples (k6 CSV output, gzip). One module owns the format; the analyzer,
 * `perfcell push` and the gate read samples through it. The hot loop works on the decompressed bytes: it
 * skips metrics the caller did not ask for from the metric's bytes alone, parses numbers without strings,
 * and builds a field's string only when the field's bytes differ from the previous line's.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PerfcellError } from '../errors.js';

/**
 * Columns of k6's CSV output that perfcell reads. k6 writes only the system tags a run enables, so the
 * header decides where each one is; a column absent from the file reads as "".
 */
export const RAW_COLUMNS = [
  'metric_name', 'timestamp', 'metric_value', 'check', 'error', 'error_code', 'expected_response', 'group', 'method',
  'name', 'scenario', 'status', 'url', 'extra_tags',
] as const;
type Column = (typeof RAW_COLUMNS)[number];

/** One sample. The object is reused between calls: copy what you keep. */
export interface RawSample {
  metric: string;
  /** Unix milliseconds. */
  timeMs: number;
  value: number;
  check: string;
  error: string;
  errorCode: string;
  /** "true", "false" or "" (not an HTTP sample). */
  expectedResponse: string;
  group: string;
  method: string;
  name: string;
  /** k6 scenario = perfcell transaction. */
  transaction: string;
  status: string;
  url: string;
  extraTags: string;
}

export interface ReadStats {
  lines: number;
  samples: number;
  skipped: number;
  badLines: number;
  /** The file ended early (k6 killed, file truncated): what was read is usable, the rest is missing. */
  truncated: boolean;
  /** Bytes of CSV text read (after decompression). */
  bytesUncompressed: number;
}

export interface ReadOptions {
  /** Only these metrics are parsed and passed on; others are skipped cheaply. Default: all. */
  metrics?: ReadonlySet<string>;
  /**
   * Called after each decompressed chunk; a returned promise pauses reading until it settles, so that a
   * consumer slower than the file (a database write) keeps memory bounded. A rejection ends the read.
   */
  afterChunk?: () => Promise<void> | undefined;
}

function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (quoted) {
      if (c === 34 && line.charCodeAt(i + 1) === 34) { field += '"'; i++; }
      else if (c === 34) quoted = false;
      else field += line[i];
    } else if (c === 34) quoted = true;
    else if (c === 44) { out.push(field); field = ''; }
    else field += line[i];
  }
  out.push(field);
  return out;
}

const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
/** 10^k is exact as a double up to k = 22; a mantissa of at most 15 digits is exact too. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;

/**
 * A decimal number read straight from the bytes (no string). An integer mantissa of ≤ 15 digits divided by
 * an exact power of ten is correctly rounded, so the result is the same double as Number() of the text;
 * anything else (exponent, more digits, junk) goes through Number(). NaN when the field is empty or not a number.
 */
function parseNumber(buf: Buffer, a: number, b: number): number {
  if (a === b) return NaN;
  let i = a;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < b; i++) {
    const c = buf[i] as number;
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === DOT && fraction < 0) fraction = 0;
    else break;
  }
  if (i !== b || digits === 0 || digits > MAX_FAST_DIGITS) return Number(buf.toString('latin1', a, b));
  const v = fraction > 0 ? mantissa / (POW10[fraction] as number) : mantissa;
  return negative ? -v : v;
}

/** Whether buf[a, a + bytes.length) holds exactly `bytes`. A loop: Buffer.compare validates its arguments in JS. */
function sameBytes(buf: Buffer, a: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[a + i] !== bytes[i]) return false;
  return true;
}

/** How many recent distinct values a column remembers. */
const COLUMN_MEMORY = 8;
/** Longer values (URLs with ids) are decoded each time: remembering them would rarely pay. */
const COLUMN_MEMORY_MAX_BYTES = 128;

/**
 * The string of one column, reused while the column's bytes repeat one of its recent values: most columns of
 * k6's output (status, transaction, method, tags) take a handful of values, so a run of millions of lines
 * builds a few strings instead of one per field per line — the allocation rate is what made the reader slow
 * and its heap grow.
 */
class ColumnValues {
  private readonly bytes: Uint8Array[] = [];
  private readonly texts: string[] = [];
  private next = 0;
  /** The value of the previous line: tried first, since the lines of one request share most values. */
  private last = 0;

  read(buf: Buffer, a: number, b: number): string {
    const n = b - a;
    if (n === 0) return '';
    if (n > COLUMN_MEMORY_MAX_BYTES) return buf.toString('utf8', a, b);
    const count = this.bytes.length;
    for (let j = 0; j < count; j++) {
      const k = (this.last + j) % count;
      const known = this.bytes[k] as Uint8Array;
      if (known.length === n && sameBytes(buf, a, known)) {
        this.last = k;
        return this.texts[k] as string;
      }
    }
    const text = buf.toString('utf8', a, b);
    const copy = new Uint8Array(n);
    for (let i = 0; i < n; i++) copy[i] = buf[a + i] as number;
    this.bytes[this.next] = copy;
    this.texts[this.next] = text;
    this.last = this.next;
    this.next = (this.next + 1) % COLUMN_MEMORY;
    return text;
  }
}

interface MetricEntry {
  bytes: Uint8Array;
  name: string;
  wanted: boolean;
}

/**
 * The parser of one file's lines, over decompressed bytes. Lines are cut at newline bytes (never inside a
 * multi-byte character) and each field is decoded on its own, so no decoder runs over the whole text.
 */
class RawLineParser {
  readonly stats: ReadStats = { lines: 0, samples: 0, skipped: 0, badLines: 0, truncated: false, bytesUncompressed: 0 };
  private readonly sample: RawSample = {
    metric: '', timeMs: 0, value: 0, check: '', error: '', errorCode: '', expectedResponse: '', group: '', method: '',
    name: '', transaction: '', status: '', url: '', extraTags: '',
  };
  private header = true;
  private width = 0;
  /** Index of each column in the file, or `width` (an always-empty slot) when the file lacks it. */
  private readonly col = {} as Record<Column, number>;
  /** For the current line: where field i starts; the field ends one byte before starts[i + 1]. */
  private starts = new Int32Array(0);
  private readonly values = RAW_COLUMNS.map(() => new ColumnValues());
  /** Metric names seen so far, by length then first byte. */
  private readonly metrics = new Map<number, MetricEntry[]>();
  /** The unfinished last line of the previous chunk. */
  private rest: Buffer | null = null;

  constructor(
    private readonly path: string,
    private readonly wanted: ReadonlySet<string> | undefined,
    private readonly onSample: (s: RawSample) => void,
  ) {}

  /** Processes every complete line of the chunk; keeps the unfinished last one for the next chunk. */
  chunk(chunk: Buffer): void {
    this.stats.bytesUncompressed += chunk.length;
    let start = 0;
    let nl = chunk.indexOf(NL);
    if (this.rest) {
      // The line that straddles two chunks: whole only once its newline arrives.
      if (nl === -1) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return;
      }
      const joined = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = null;
      this.line(joined, 0, joined.length - 1);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    while (nl !== -1) {
      this.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) this.rest = Buffer.from(chunk.subarray(start));
  }

  /** The file ended: a last line without its newline was cut mid-write. */
  end(): void {
    if (this.rest !== null && this.rest.length > 0) {
      this.stats.truncated = true;
      this.stats.badLines++;
    }
  }

  /** One complete line buf[a, nl) (nl: its newline). */
  private line(buf: Buffer, a: number, nl: number): void {
    const b = nl > a && buf[nl - 1] === CR ? nl - 1 : nl;
    if (b <= a) return;
    this.stats.lines++;
    if (this.header) {
      this.header = false;
      this.parseHeader(buf.toString('utf8', a, b));
      return;
    }
    let comma = a;
    while (comma < b && buf[comma] !== COMMA) comma++;
    if (comma === a || comma === b) {
      this.stats.badLines++;
      return;
    }
    const metric = this.metric(buf, a, comma);
    if (!metric.wanted) this.stats.skipped++;
    else this.fields(buf, a, b, comma, metric.name);
  }

  private parseHeader(line: string): void {
    if (!line.startsWith('metric_name,timestamp,metric_value')) throw new PerfcellError(`${this.path}: not k6 CSV output (header is "${line.slice(0, 60)}")`);
    const names = line.split(',');
    this.width = names.length;
    for (const c of RAW_COLUMNS) this.col[c] = names.indexOf(c) === -1 ? this.width : names.indexOf(c);
    this.starts = new Int32Array(this.width + 2);
  }

  /** The metric named by buf[a, b), looked up from its bytes. */
  private metric(buf: Buffer, a: number, b: number): MetricEntry {
    const n = b - a;
    const key = n * 256 + (buf[a] as number);
    let bucket = this.metrics.get(key);
    if (bucket) {
      for (let k = 0; k < bucket.length; k++) {
        const e = bucket[k] as MetricEntry;
        if (sameBytes(buf, a, e.bytes)) return e;
      }
    } else this.metrics.set(key, (bucket = []));
    const name = buf.toString('utf8', a, b);
    const e: MetricEntry = { bytes: Uint8Array.from(buf.subarray(a, b)), name, wanted: !this.wanted || this.wanted.has(name) };
    bucket.push(e);
    return e;
  }

  /** A wanted line buf[a, b) whose metric ends at `comma`: split at commas, then hand the sample out. */
  private fields(buf: Buffer, a: number, b: number, comma: number, metric: string): void {
    const starts = this.starts;
    const width = this.width;
    starts[0] = a;
    starts[1] = comma + 1;
    let fields = 2;
    for (let i = comma + 1; i < b; i++) {
      const c = buf[i];
      if (c === COMMA) {
        if (fields === width) {
          this.stats.badLines++;
          return;
        }
        starts[fields++] = i + 1;
      } else if (c === QUOTE) {
        this.quoted(buf.toString('utf8', a, b), metric);
        return;
      }
    }
    if (fields !== width) {
      this.stats.badLines++;
      return;
    }
    starts[width] = b + 1;
    // The slot of absent columns: empty.
    starts[width + 1] = b + 2;
    const col = this.col;
    const t = parseNumber(buf, starts[col.timestamp] as number, (starts[col.timestamp + 1] as number) - 1);
    const v = parseNumber(buf, starts[col.metric_value] as number, (starts[col.metric_value + 1] as number) - 1);
    if (!Number.isFinite(t) || !Number.isFinite(v)) {
      this.stats.badLines++;
      return;
    }
    const s = this.sample;
    s.metric = metric;
    s.timeMs = t;
    s.value = v;
    s.check = this.text(buf, 3, col.check);
    s.error = this.text(buf, 4, col.error);
    s.errorCode = this.text(buf, 5, col.error_code);
    s.expectedResponse = this.text(buf, 6, col.expected_response);
    s.group = this.text(buf, 7, col.group);
    s.method = this.text(buf, 8, col.method);
    s.name = this.text(buf, 9, col.name);
    s.transaction = this.text(buf, 10, col.scenario);
    s.status = this.text(buf, 11, col.status);
    s.url = this.text(buf, 12, col.url);
    s.extraTags = this.text(buf, 13, col.extra_tags);
    this.stats.samples++;
    this.onSample(s);
  }

  /** The text of field `index` of the current line, through the memory of column `column` (RAW_COLUMNS order). */
  private text(buf: Buffer, column: number, index: number): string {
    return (this.values[column] as ColumnValues).read(buf, this.starts[index] as number, (this.starts[index + 1] as number) - 1);
  }

  /** A line with quoted fields (an error message with a comma): the rare, string-based path. */
  private quoted(line: string, metric: string): void {
    const f = splitQuoted(line);
    if (f.length !== this.width) {
      this.stats.badLines++;
      return;
    }
    f.push('');
    const col = this.col;
    const t = f[col.timestamp] === '' ? NaN : Number(f[col.timestamp]);
    const v = f[col.metric_value] === '' ? NaN : Number(f[col.metric_value]);
    if (!Number.isFinite(t) || !Number.isFinite(v)) {
      this.stats.badLines++;
      return;
    }
    const s = this.sample;
    s.metric = metric;
    s.timeMs = t;
    s.value = v;
    s.check = f[col.check] as string;
    s.error = f[col.error] as string;
    s.errorCode = f[col.error_code] as string;
    s.expectedResponse = f[col.expected_response] as string;
    s.group = f[col.group] as string;
    s.method = f[col.method] as string;
    s.name = f[col.name] as string;
    s.transaction = f[col.scenario] as string;
    s.status = f[col.status] as string;
    s.url = f[col.url] as string;
    s.extraTags = f[col.extra_tags] as string;
    this.stats.samples++;
    this.onSample(s);
  }
}

export async function readRawSamples(path: string, onSample: (s: RawSample) => void, options: ReadOptions = {}): Promise<ReadStats> {
  const parser = new RawLineParser(path, options.metrics, onSample);
  // 1 MiB chunks: fewer, larger chunks make gunzip + scanning about a third faster than the 64 KiB default.
  const CHUNK = 1 << 20;
  const source = createReadStream(path, { highWaterMark: CHUNK });
  const stream = path.endsWith('.gz') ? source.pipe(createGunzip({ chunkSize: CHUNK })) : source;
  try {
    await new Promise<void>((resolve, reject) => {
      source.once('error', reject);
      stream.on('data', (chunk: Buffer) => {
        try {
          parser.chunk(chunk);
        } catch (e) {
          stream.destroy();
          reject(e);
          return;
        }
        const wait = options.afterChunk?.();
        if (wait) {
          stream.pause();
          wait.then(() => stream.resume(), (e: unknown) => { stream.destroy(); reject(e); });
        }
      });
      stream.once('end', resolve);
      stream.once('error', (e: NodeJS.ErrnoException) => {
        // A gzip stream cut short: k6 was killed or the file copied mid-write. Keep what was read.
        if (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end of file/.test(e.message)) {
          parser.stats.truncated = true;
          resolve();
        } else reject(e);
      });
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PerfcellError(`${path}: no raw samples file (the run did not start k6, or the folder is not a run)`);
    throw e;
  }
  parser.end();
  return parser.stats;
}

/** Reads one tag out of extra_tags ("k=v&k2=v2") without building a map. */
export function extraTag(extraTags: string, key: string): string | undefined {
  let i = 0;
  while (i < extraTags.length) {
    const amp = extraTags.indexOf('&', i);
    const end = amp === -1 ? extraTags.length : amp;
    const eq = extraTags.indexOf('=', i);
    if (eq !== -1 && eq < end && extraTags.slice(i, eq) === key) return decodeURIComponent(extraTags.slice(eq + 1, end));
    i = end + 1;
  }
  return undefined;
}
