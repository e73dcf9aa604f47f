/**
 * Stub sets: stubs/<dependency>/mappings/*.json (WireMock stub mappings, WireMock's own JSON format) and
 * stubs/<dependency>/__files/ (response bodies they name with bodyFileName). The format is WireMock's so
 * that a stub set can be used by any WireMock; perfcell checks the parts it relies on before a JVM starts,
 * so that a broken file is an error naming the file and field, not a stub that silently never matches.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { inputError } from '../errors.js';
import { zodToError } from '../model/zod-errors.js';

const URL_MATCHERS = ['url', 'urlPath', 'urlPattern', 'urlPathPattern', 'urlPathTemplate'] as const;

export const lognormalDelaySchema = z
  .object({ type: z.literal('lognormal'), median: z.number().positive(), sigma: z.number().min(0) })
  .loose();
const uniformDelaySchema = z.object({ type: z.literal('uniform'), lower: z.number().min(0), upper: z.number().min(0) }).loose();

const requestSchema = z
  .object({
    method: z.string().regex(/^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/, 'an HTTP method or ANY').optional(),
    url: z.string().optional(),
    urlPath: z.string().optional(),
    urlPattern: z.string().optional(),
    urlPathPattern: z.string().optional(),
    urlPathTemplate: z.string().optional(),
  })
  .loose()
  .refine((r) => URL_MATCHERS.some((k) => r[k] !== undefined), { message: `one of ${URL_MATCHERS.join(', ')}` });

const responseSchema = z
  .object({
    status: z.number().int().min(100).max(599).optional(),
    body: z.string().optional(),
    jsonBody: z.unknown().optional(),
    bodyFileName: z.string().optional(),
    fixedDelayMilliseconds: z.number().min(0).optional(),
    delayDistribution: z.union([lognormalDelaySchema, uniformDelaySchema]).optional(),
  })
  .loose();

export const mappingSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    priority: z.number().int().optional(),
    request: requestSchema,
    response: responseSchema,
    /** metadata.endpoint names the endpoint (k6 `name` tag) whose measured latency calibrates this stub. */
    metadata: z.object({ endpoint: z.string().optional() }).loose().optional(),
  })
  .loose();

export type StubMapping = z.infer<typeof mappingSchema>;
export type LognormalDelay = z.infer<typeof lognormalDelaySchema>;

export interface MappingFile {
  file: string;
  mappings: StubMapping[];
  /** true when the file holds { "mappings": [...] } rather than a single mapping. */
  multi: boolean;
}

export interface StubSet {
  name: string;
  /** Folder holding mappings/ and __files/ (WireMock's --root-dir). */
  dir: string;
  files: MappingFile[];
  mappingCount: number;
}

/** Where stub sets live: stubs/ under the project root, unless PERFCELL_STUBS_DIR says otherwise. */
export function stubsRoot(projectRoot: string): string {
  return resolve(process.env.PERFCELL_STUBS_DIR ?? join(projectRoot, 'stubs'));
}

export function listStubSets(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'mappings')) && statSync(join(root, d, 'mappings')).isDirectory())
    .sort();
}

/** Pure: one mapping file's text → its mappings, or an input error naming the file and field. */
export function parseMappingFile(file: string, text: string): MappingFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw inputError(file, '', `valid WireMock JSON (${(e as Error).message})`);
  }
  const multi = typeof json === 'object' && json !== null && Array.isArray((json as { mappings?: unknown }).mappings);
  const schema = multi ? z.object({ mappings: z.array(mappingSchema).min(1) }).loose() : mappingSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw zodToError(file, parsed.error, json);
  const mappings = multi ? (parsed.data as { mappings: StubMapping[] }).mappings : [parsed.data as StubMapping];
  return { file, mappings, multi };
}

/** Reads and checks a stub set: every mapping file parses, and every bodyFileName exists in __files/. */
export function loadStubSet(root: string, name: string): StubSet {
  const dir = join(root, name);
  const mappingsDir = join(dir, 'mappings');
  if (!existsSync(mappingsDir)) {
    const known = listStubSets(root);
    throw inputError(dir, 'mappings', `a stub set folder with mappings/ (stub sets here: ${known.join(', ') || 'none'})`);
  }
  const files = readdirSync(mappingsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseMappingFile(join(mappingsDir, f), readFileSync(join(mappingsDir, f), 'utf8')));
  if (files.length === 0) throw inputError(mappingsDir, '', 'at least one WireMock mapping (*.json)');
  for (const f of files) {
    f.mappings.forEach((m, i) => {
      const body = m.response.bodyFileName;
      if (body !== undefined && !existsSync(join(dir, '__files', body))) {
        throw inputError(f.file, `${f.multi ? `mappings[${i}].` : ''}response.bodyFileName`, `a file in ${join(dir, '__files')} (${body} does not exist)`);
      }
    });
  }
  return { name, dir, files, mappingCount: files.reduce((s, f) => s + f.mappings.length, 0) };
}

/** Rewrites a mapping file (after calibration), keeping WireMock's format and a stable indentation. */
export function writeMappingFile(f: MappingFile): void {
  const json = f.multi ? { mappings: f.mappings } : f.mappings[0];
  writeFileSync(f.file, JSON.stringify(json, null, 2) + '\n');
}

/** How a mapping is named in reports: its name, else METHOD + URL matcher. */
export function mappingLabel(m: StubMapping): string {
  if (m.name) return m.name;
  const r = m.request;
  const url = URL_MATCHERS.map((k) => r[k]).find((v) => v !== undefined) ?? '?';
  return `${r.method ?? 'ANY'} ${url}`;
}
