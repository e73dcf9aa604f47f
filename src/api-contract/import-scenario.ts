/**
 * `perfcell scenario import --har` (the adapter): reads the recording, plans what to replay with the
 * model's targets (har-plan.ts), writes the scenario file (har-code.ts) and adds the transaction to the
 * model with a placeholder volume, as `scenario new` does.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { camel } from '../derive/draft.js';
import { kebab } from '../derive/routes.js';
import { inputError } from '../errors.js';
import { loadModel } from '../model/load.js';
import { readHar } from './har.js';
import { importedSource, droppedSummary } from './har-code.js';
import { planImport, type Dropped } from './har-plan.js';
import { addTransaction, PLACEHOLDER_PEAK_PER_HOUR } from './new-scenario.js';

export interface ImportScenarioRequest {
  har: string;
  name?: string;
  model?: string;
  file?: string;
}

/** Dropped requests listed per reason, a few URLs each (the file's comment gives the counts). */
const LISTED_PER_REASON = 8;

function droppedLines(dropped: readonly Dropped[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const d of dropped) byReason.set(d.reason, [...(byReason.get(d.reason) ?? []), `${d.method} ${d.url}`]);
  return [...byReason].map(([reason, urls]) => `dropped (${reason}): ${urls.slice(0, LISTED_PER_REASON).join(', ')}${urls.length > LISTED_PER_REASON ? `, … (${urls.length} in all)` : ''}`);
}

export function importScenario(req: ImportScenarioRequest): { file: string; exportName: string; transaction: string; messages: string[] } {
  const har = readHar(req.har);
  const loaded = req.model ? loadModel(req.model) : undefined;
  const knownTargets = loaded ? Object.values(loaded.model.environments).flatMap((e) => Object.entries(e.targets).map(([name, url]) => ({ name, url }))) : [];
  const plan = planImport(har, { knownTargets });
  const requests = plan.pages.flatMap((p) => p.requests);
  if (requests.length === 0) throw inputError(req.har, 'log.entries', `at least one request to the application (${har.entries.length} recorded, dropped: ${droppedSummary(plan.dropped)})`);
  const transaction = req.name ?? (kebab(basename(req.har).replace(/\.har$/i, '')) || 'recorded-session');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(transaction)) throw inputError('--name', '', `lower-case letters, digits and "-" (got "${transaction}")`);
  if (loaded?.model.transactions.some((t) => t.name === transaction)) throw inputError(loaded.file, 'transactions', `a new transaction name ("${transaction}" is already there; give --name)`);
  const exportName = camel(transaction);
  const root = loaded?.root ?? process.cwd();
  const service = loaded?.model.service ?? 'recorded';
  const file = resolve(req.file ?? resolve(root, 'scenarios', service, `${transaction}.ts`));
  if (existsSync(file)) throw inputError(file, '', 'a new scenario file (it exists; give --file or --name)');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, importedSource({ plan, exportName, transaction, source: basename(req.har) }));
  const targets = [...plan.targets.keys()];
  const messages = [`wrote ${relative(process.cwd(), file) || file}#${exportName}: ${plan.pages.length} page(s), ${requests.length} request(s) to ${targets.join(', ')}`];
  for (const c of plan.correlations) messages.push(`correlated ${c.variable}: read from ${c.source} (${c.selector}), used ${c.uses} time(s)`);
  messages.push(...droppedLines(plan.dropped));
  for (const t of plan.newTargets) messages.push(`note: target '${t}' (${plan.targets.get(t) ?? ''}) is not in ${loaded ? "the model's environments" : 'a model (no --model)'}: add it to the environment the scenario runs in`);
  if (loaded) {
    addTransaction(loaded, { name: transaction, scenario: `${relative(loaded.root, file)}#${exportName}`, targets });
    messages.push(`added transaction ${transaction} to ${relative(process.cwd(), loaded.file) || loaded.file} (peakPerHour: ${PLACEHOLDER_PEAK_PER_HOUR}, a placeholder)`);
  }
  return { file, exportName, transaction, messages };
}
