/**
 * `perfcell data refresh -e <env>` and the production guard of `data extract`: the `data:` section of the
 * environment registry (perfcell.config.yaml) names the sources an extract may read (each must say
 * `extractAllowed: true`; production ones say `production: true`) and, per environment, the source, rules,
 * subset and target database. A destination that is a production source, or the database of an
 * environment where load is forbidden, is refused. Pure parsing and guards; the extract does the rest.
 */
import { z } from 'zod';
import { PerfcellError, inputError } from '../errors.js';
import { zodToError } from '../model/zod-errors.js';
import type { LoadedConfig } from '../environments/registry.js';

const sourceSchema = z
  .object({
    /** The URL, or the name of an environment variable holding it (credentials stay out of the file). */
    url: z.string().optional(),
    urlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    extractAllowed: z.boolean().default(false),
    production: z.boolean().default(false),
  })
  .strict()
  .refine((s) => Boolean(s.url) !== Boolean(s.urlEnv), { message: 'exactly one of url or urlEnv' });

const dataEnvSchema = z
  .object({
    source: z.string(),
    rules: z.string(),
    subset: z.string().optional(),
    database: z.string(),
    secretFile: z.string().optional(),
    dataFiles: z.array(z.string()).default([]),
  })
  .strict();

export const dataSectionSchema = z
  .object({
    sources: z.record(z.string(), sourceSchema).default({}),
    environments: z.record(z.string(), dataEnvSchema).default({}),
  })
  .strict();

export type DataSection = z.infer<typeof dataSectionSchema>;

export function dataSection(config: LoadedConfig): DataSection {
  const input = config.raw.data ?? {};
  const parsed = dataSectionSchema.safeParse(input);
  if (!parsed.success) throw zodToError(config.file, parsed.error, { data: input } as unknown);
  return parsed.data;
}

function sourceUrl(name: string, s: DataSection['sources'][string], file: string, env: NodeJS.ProcessEnv): string {
  if (s.url) return s.url;
  const v = env[s.urlEnv as string];
  if (!v) throw inputError(file, `data.sources.${name}.urlEnv`, `the environment variable ${s.urlEnv} set to the source's URL`);
  return v;
}

/** host:port/database, what two URLs are compared on. */
export function databaseIdentity(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname === 'localhost' || u.hostname === '::1' || u.hostname === '[::1]' ? '127.0.0.1' : u.hostname;
    return `${host}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, ''))}`;
  } catch {
    return url;
  }
}

/** Throws when `url` is a database the registry marks as production (a production source, or a forbidden environment's database). */
export function guardDestination(url: string, config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): void {
  const data = dataSection(config);
  const id = databaseIdentity(url);
  for (const [name, s] of Object.entries(data.sources)) {
    if (!s.production) continue;
    const u = s.url ?? env[s.urlEnv as string];
    if (u && databaseIdentity(u) === id) throw new PerfcellError(`refused: the destination ${id} is the production source "${name}" (${config.file}: data.sources.${name}.production: true)`, 'input');
  }
  for (const [name, d] of Object.entries(data.environments)) {
    const e = config.environments[name];
    if (e && e.loadTesting !== 'allowed' && databaseIdentity(d.database) === id) {
      throw new PerfcellError(`refused: the destination ${id} is the database of environment "${name}", where load testing is ${e.loadTesting} (${config.file})`, 'input');
    }
  }
}

export interface RefreshPlan {
  from: string;
  to: string;
  rulesFile: string;
  subset?: string;
  secretFile?: string;
  dataFiles: string[];
}

/** The extract `perfcell data refresh -e <env>` runs, after the guards. */
export function planRefresh(config: LoadedConfig, envName: string, env: NodeJS.ProcessEnv = process.env): RefreshPlan {
  const data = dataSection(config);
  const d = data.environments[envName];
  if (!d) throw inputError(config.file, `data.environments.${envName}`, `a data: entry for this environment (source, rules, database); it has: ${Object.keys(data.environments).join(', ') || 'none'}`);
  const registryEnv = config.environments[envName];
  if (!registryEnv) throw inputError(config.file, `environments.${envName}`, 'the environment declared in the registry');
  if (registryEnv.loadTesting !== 'allowed') throw inputError(config.file, `environments.${envName}.loadTesting`, `"allowed" before perfcell writes test data there (it is "${registryEnv.loadTesting}": a production-like environment)`);
  const s = data.sources[d.source];
  if (!s) throw inputError(config.file, `data.environments.${envName}.source`, `one of data.sources (${Object.keys(data.sources).join(', ') || 'none'}); got "${d.source}"`);
  if (!s.extractAllowed) throw inputError(config.file, `data.sources.${d.source}.extractAllowed`, 'true before perfcell extracts from this source');
  const from = sourceUrl(d.source, s, config.file, env);
  if (databaseIdentity(from) === databaseIdentity(d.database)) throw inputError(config.file, `data.environments.${envName}.database`, 'a database other than the source');
  guardDestination(d.database, config, env);
  return { from, to: d.database, rulesFile: d.rules, subset: d.subset, secretFile: d.secretFile, dataFiles: d.dataFiles };
}
