/**
 * Streaming reader of a run's raw samples (k6 CSV output, gzip). One module owns the format; the analyzer,
 * `perfcell push` and the gate read samples through it. The hot loop allocates only the strings of the
 * columns it hands out, and skips metrics the caller did not ask for before splitting the line.
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
  /** Characters of CSV text read (after decompression). */
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

export async function readRawSamples(path: string, onSample: (s: RawSample) => void, options: ReadOptions = {}): Promise<ReadStats> {
  const wanted = options.metrics;
  const stats: ReadStats = { lines: 0, samples: 0, skipped: 0, badLines: 0, truncated: false, bytesUncompressed: 0 };
  const s: RawSample = {
    metric: '', timeMs: 0, value: 0, check: '', error: '', errorCode: '', expectedResponse: '', group: '', method: '',
    name: '', transaction: '', status: '', url: '', extraTags: '',
  };
  let rest = '';
  let header = true;
  let width = 0;
  // Index of each column in the file, or `width` (an always-empty slot) when the file lacks it.
  const col = {} as Record<Column, number>;

  const parseHeader = (line: string) => {
    if (!line.startsWith('metric_name,timestamp,metric_value')) throw new PerfcellError(`${path}: not k6 CSV output (header is "${line.slice(0, 60)}")`);
    const names = line.split(',');
    width = names.length;
    for (const c of RAW_COLUMNS) col[c] = names.indexOf(c) === -1 ? width : names.indexOf(c);
  };

  // `metric` was already cut out of the line by the caller (the skip test needs only it).
  const handle = (line: string, metric: string) => {
    const f = line.indexOf('"') === -1 ? line.split(',') : splitQuoted(line);
    if (f.length !== width) { stats.badLines++; return; }
    f.push('');
    const t = Number(f[col.timestamp]);
    const v = Number(f[col.metric_value]);
    if (!Number.isFinite(t) || !Number.isFinite(v)) { stats.badLines++; return; }
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
    stats.samples++;
    onSample(s);
  };

  /** Processes every complete line of `text`; returns where the unfinished last line starts. */
  const consume = (text: string): number => {
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      const end = text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) {
        stats.lines++;
        if (header) {
          header = false;
          parseHeader(text.slice(start, end));
        } else {
          const comma = text.indexOf(',', start);
          if (comma <= start || comma > end) stats.badLines++;
          else {
            const metric = text.slice(start, comma);
            if (wanted && !wanted.has(metric)) stats.skipped++;
            else handle(text.slice(start, end), metric);
          }
        }
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    return start;
  };

  // 1 MiB chunks: fewer, larger strings make gunzip + scanning about a third faster than the 64 KiB default.
  const CHUNK = 1 << 20;
  const source = createReadStream(path, { highWaterMark: CHUNK });
  const stream = path.endsWith('.gz') ? source.pipe(createGunzip({ chunkSize: CHUNK })) : source;
  // The stream's decoder keeps a multi-byte character that straddles two chunks whole.
  stream.setEncoding('utf8');
  try {
    await new Promise<void>((resolve, reject) => {
      source.once('error', reject);
      stream.on('data', (chunk: string) => {
        stats.bytesUncompressed += chunk.length;
        const text = rest.length > 0 ? rest + chunk : chunk;
        try {
          rest = text.slice(consume(text));
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
          stats.truncated = true;
          resolve();
        } else reject(e);
      });
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PerfcellError(`${path}: no raw samples file (the run did not start k6, or the folder is not a run)`);
    throw e;
  }
  if (rest.length > 0) {
    // A last line without its newline was cut mid-write.
    stats.truncated = true;
    stats.badLines++;
  }
  return stats;
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
