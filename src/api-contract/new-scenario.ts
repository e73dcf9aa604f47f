/**
 * `perfcell scenario new` (the adapter): reads the document, picks the operation, writes the scaffolded
 * export into a scenario file (new or existing) and adds the transaction to the load model with a
 * placeholder volume, keeping the model's comments (yaml's Document API).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { camel } from '../derive/draft.js';
import { kebab, nameFor } from '../derive/routes.js';
import { inputError } from '../errors.js';
import { loadModel, parseModel, type LoadedModel } from '../model/load.js';
import { findOperation } from './operations.js';
import { scaffoldSource, withImports } from './scaffold.js';
import { loadSpec } from './spec.js';

/** The volume a new transaction starts with: visible in `model show`, to be replaced by a measured one. */
export const PLACEHOLDER_PEAK_PER_HOUR = 1;

export interface NewScenarioRequest {
  openapi: string;
  operation: string;
  name?: string;
  model?: string;
  file?: string;
  target?: string;
}

function firstCsvLine(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
}

function dataOf(loaded: LoadedModel | undefined): { name: string; columns: string[] } | undefined {
  if (!loaded) return undefined;
  for (const [name, file] of Object.entries(loaded.model.data)) {
    const columns = firstCsvLine(resolve(loaded.root, file));
    if (columns.length > 0) return { name, columns };
  }
  return undefined;
}

function targetOf(loaded: LoadedModel | undefined, wanted: string | undefined, fallback: string): string {
  if (wanted) return wanted;
  const fromTx = loaded?.model.transactions.find((t) => t.targets?.length)?.targets?.[0];
  const fromEnv = loaded ? Object.values(loaded.model.environments).flatMap((e) => Object.keys(e.targets))[0] : undefined;
  return fromTx ?? fromEnv ?? fallback;
}

/** Adds a transaction with the placeholder volume to the model file, keeping its comments (also `scenario import`). */
export function addTransaction(loaded: LoadedModel, tx: { name: string; scenario: string; targets: string[] }): void {
  const doc = parseDocument(readFileSync(loaded.file, 'utf8'));
  const list = doc.get('transactions') as { add(v: unknown): void } | undefined;
  if (!list) throw inputError(loaded.file, 'transactions', 'a list of transactions');
  const node = doc.createNode({ name: tx.name, scenario: tx.scenario, peakPerHour: PLACEHOLDER_PEAK_PER_HOUR, targets: tx.targets });
  const pairs = (node as unknown as { items: { key: { value: string }; value: { comment?: string; flow?: boolean } }[] }).items;
  const peak = pairs.find((p) => p.key.value === 'peakPerHour');
  if (peak) peak.value.comment = ' placeholder: replace with the measured peak hour (perfcell derive)';
  const targets = pairs.find((p) => p.key.value === 'targets');
  if (targets) targets.value.flow = true; // [grc], as models write it
  list.add(node);
  const text = doc.toString();
  parseModel(text, loaded.file); // the model stays valid
  writeFileSync(loaded.file, text);
}

export async function scaffoldScenario(req: NewScenarioRequest): Promise<{ file: string; exportName: string; transaction: string; messages: string[] }> {
  const spec = await loadSpec(req.openapi);
  const op = findOperation(spec, req.operation);
  if (!op) throw inputError(req.openapi, 'paths', `an operation "${req.operation}" (operationId or "METHOD /path"; it has ${spec.operations.slice(0, 8).map((o) => o.operationId ?? o.key).join(', ')}${spec.operations.length > 8 ? ', …' : ''})`);
  const loaded = req.model ? loadModel(req.model) : undefined;
  const transaction = req.name ?? (op.operationId ? kebab(op.operationId) : nameFor(op.method, op.path));
  if (!/^[a-z0-9][a-z0-9-]*$/.test(transaction)) throw inputError('--name', '', `lower-case letters, digits and "-" (got "${transaction}")`);
  if (loaded?.model.transactions.some((t) => t.name === transaction)) throw inputError(loaded.file, 'transactions', `a new transaction name ("${transaction}" is already there; give --name)`);
  const exportName = camel(transaction);
  const root = loaded?.root ?? process.cwd();
  const service = loaded?.model.service ?? (kebab(spec.title) || 'api');
  const file = resolve(req.file ?? resolve(root, 'scenarios', service, `${transaction}.ts`));
  const target = targetOf(loaded, req.target, service);
  const out = scaffoldSource({ op, transaction, exportName, target, data: dataOf(loaded), origin: `${spec.title} ${spec.version}`.trim() });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : `// ${spec.title}: scenarios scaffolded from its OpenAPI document (perfcell scenario new), then maintained by hand.\n`;
  if (new RegExp(`export (async )?function ${exportName}\\b`).test(existing)) throw inputError(file, exportName, `a new export name (${exportName} exists; give --name)`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${withImports(existing, out.perfcellImports).replace(/\n*$/, '\n')}\n${out.code}`);
  const messages = [`wrote ${relative(process.cwd(), file) || file}#${exportName} (${op.key})`, ...out.notes.map((n) => `note: ${n}`)];
  if (loaded) {
    addTransaction(loaded, { name: transaction, scenario: `${relative(loaded.root, file)}#${exportName}`, targets: [target] });
    messages.push(`added transaction ${transaction} to ${relative(process.cwd(), loaded.file)} (peakPerHour: ${PLACEHOLDER_PEAK_PER_HOUR}, a placeholder)`);
  }
  return { file, exportName, transaction, messages };
}
