/** Reading a load model from disk: YAML → validated LoadModel, with its hash and the folder paths resolve from. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { PerfcellError, inputError } from '../errors.js';
import { loadModelSchema, type LoadModel } from './schema.js';
import { zodToError } from './zod-errors.js';

export interface LoadedModel {
  model: LoadModel;
  /** Absolute path of the YAML file. */
  file: string;
  /** sha256 of the file's bytes: what run.json records so a run names the exact model it used. */
  hash: string;
  /** Folder that relative paths in the model (scenarios, data) resolve from. */
  root: string;
}

/**
 * Relative paths in a model resolve from the project root: the nearest folder above the model that holds a
 * scenarios/ folder or a package.json, else the model's own folder.
 */
export function projectRootOf(file: string): string {
  let dir = dirname(file);
  for (;;) {
    if (existsSync(resolve(dir, 'scenarios')) || existsSync(resolve(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(file);
    dir = up;
  }
}

export function parseModel(text: string, file: string): LoadModel {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e?.linePos?.[0];
    throw new PerfcellError(`${file}:${line ? `${line.line}:${line.col}` : ''} not valid YAML: ${e?.message.split('\n')[0] ?? ''}`);
  }
  const input: unknown = doc.toJS();
  const parsed = loadModelSchema.safeParse(input);
  if (!parsed.success) throw zodToError(file, parsed.error, input);
  return parsed.data;
}

export function loadModel(path: string): LoadedModel {
  const file = resolve(path);
  if (!existsSync(file)) throw inputError(file, '', 'a load-model YAML file (it does not exist)');
  const bytes = readFileSync(file);
  const model = parseModel(bytes.toString('utf8'), file);
  const root = projectRootOf(file);
  model.transactions.forEach((t, i) => {
    const scenarioFile = resolve(root, t.scenario.split('#')[0] as string);
    if (!existsSync(scenarioFile)) throw inputError(file, `transactions[${i}].scenario`, `an existing file (${scenarioFile} does not exist)`);
  });
  // Data files are checked when a run needs them (checkDataFiles in src/run/execute.ts): they are often
  // generated (seeding), and a model can be checked, shown or compared before they exist.
  return { model, file, hash: createHash('sha256').update(bytes).digest('hex'), root };
}
