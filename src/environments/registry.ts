/**
 * The environment registry: one file (perfcell.config.yaml at the project root) declares the environments
 * every load model can use — per-service base URLs and whether load is allowed — and a model's own
 * `environments:` override it by name. The per-environment shape and the production guard are
 * src/model/environment.ts's; this module only adds where environments come from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PerfcellError } from '../errors.js';
import { transactionsForPhase, type Phase } from '../model/compile.js';
import type { LoadedModel } from '../model/load.js';
import { guardEnvironment, selectEnvironment } from '../model/environment.js';
import { environmentSchema, type Environment, type LoadModel } from '../model/schema.js';
import { zodToError } from '../model/zod-errors.js';

export const CONFIG_FILE = 'perfcell.config.yaml';

export const registrySchema = z
  .object({
    environments: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and "-"'), environmentSchema).default({}),
  })
  // Other top-level sections (campaigns:) belong to other modules, which read the same file.
  .loose();

export type Registry = z.infer<typeof registrySchema>;

export interface LoadedConfig {
  file: string;
  /** The whole document (other modules read their own sections from it). */
  raw: Record<string, unknown>;
  environments: Record<string, Environment>;
}

/** Pure: the config file's text → its environments, or an input error naming file and field. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new PerfcellError(`${file}: not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  const input: unknown = doc.toJS() ?? {};
  const parsed = registrySchema.safeParse(input);
  if (!parsed.success) throw zodToError(file, parsed.error, input);
  return { file, raw: input as Record<string, unknown>, environments: parsed.data.environments };
}

/** The config file: PERFCELL_CONFIG, else perfcell.config.yaml in `root`; absent → no shared environments. */
export function configPath(root: string): string {
  return resolve(process.env.PERFCELL_CONFIG ?? join(root, CONFIG_FILE));
}

export function loadConfig(root: string): LoadedConfig {
  const file = configPath(root);
  if (!existsSync(file)) {
    if (process.env.PERFCELL_CONFIG) throw new PerfcellError(`PERFCELL_CONFIG=${file}: the file does not exist`);
    return { file, raw: {}, environments: {} };
  }
  return parseConfig(readFileSync(file, 'utf8'), file);
}

/**
 * Registry environments with the model's on top: a model environment of the same name sets its own
 * loadTesting/allowNonLoopback and adds or replaces targets, keeping the registry's other targets.
 */
export function mergeEnvironments(registry: Record<string, Environment>, model: LoadModel): Record<string, Environment> {
  const out: Record<string, Environment> = { ...registry };
  for (const [name, env] of Object.entries(model.environments)) {
    const base = registry[name];
    out[name] = base ? { ...base, ...env, targets: { ...base.targets, ...env.targets } } : env;
  }
  return out;
}

/** The model with the registry's environments under its own (what selectEnvironment should choose from). */
export function withRegistry(loaded: { model: LoadModel; root: string }): LoadModel {
  return { ...loaded.model, environments: mergeEnvironments(loadConfig(loaded.root).environments, loaded.model) };
}

export interface ResolvedEnvironment {
  name: string;
  env: Environment;
  /** Where it was declared: the model file or the config file (what error messages name). */
  declaredIn: string;
}

/**
 * Chooses the environment (requested, else the only one, else "local") among the registry's and the
 * model's, and applies the production guard. Throws before any load.
 */
export function resolveEnvironment(config: LoadedConfig, model: LoadModel, modelFile: string, requested?: string): ResolvedEnvironment {
  const environments = mergeEnvironments(config.environments, model);
  const { name, env } = selectEnvironment({ ...model, environments }, modelFile, requested);
  const declaredIn = name in model.environments ? modelFile : config.file;
  guardEnvironment(declaredIn, name, env);
  return { name, env, declaredIn };
}

export interface RunEnvironment {
  name: string;
  env: Environment;
  /** Every target the environment defines before narrowing (what `--target` may name). */
  knownTargets?: string[];
}

/**
 * The environment a run of `phase` uses: the registry's, overridden by the model's, narrowed to the targets
 * the phase's transactions declare (`targets:`) that it has a URL for, else the model's own environment's,
 * else all. Pre-flight and k6 then see only what the run calls, not every service the registry lists.
 */
export function environmentForRun(loaded: LoadedModel, requested: string | undefined, phase: Phase): RunEnvironment {
  const { model, file } = loaded;
  const chosen = selectEnvironment({ ...model, environments: mergeEnvironments(loadConfig(loaded.root).environments, model) }, file, requested);
  const declared = [...new Set(transactionsForPhase(model, phase).flatMap(({ t }) => t.targets ?? []))];
  const own = model.environments[chosen.name];
  // A declared target the environment has no URL for is a dependency the service calls, not k6: left out.
  const reachable = declared.filter((n) => n in chosen.env.targets);
  const names = reachable.length > 0 ? reachable : own ? Object.keys(own.targets) : Object.keys(chosen.env.targets);
  const targets: Record<string, string> = {};
  for (const n of names) targets[n] = chosen.env.targets[n] as string;
  return { name: chosen.name, env: { ...chosen.env, targets }, knownTargets: Object.keys(chosen.env.targets) };
}
