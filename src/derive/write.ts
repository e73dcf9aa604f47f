/**
 * The file side of `model derive` (thin): find existing scenario exports, write the model draft, the
 * figures' JSON, the HTML page and the placeholder scenarios.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { projectRootOf } from '../model/load.js';
import type { DerivedFigures } from './derive.js';
import { DEFAULT_HEADROOM, camel, closedModelSuggestion, draftModelYaml, planTransactions, skeletonScenarios, type DraftInput } from './draft.js';
import { derivedHtml } from './html.js';

const EXPORT = /export\s+(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\(/g;

/**
 * exported function → project-relative file, over `<root>/scenarios/**\/*.ts`. When several files export
 * a wanted name, the folder named after the service (or its prefix: `grc` for `grc-person`) wins, then the
 * folder that exports the most of the wanted names (a service's scenarios sit together).
 */
export function scenarioExports(root: string, service: string, wanted: string[] = []): Map<string, string> {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(join(root, 'scenarios'));
  const exportsOf = new Map<string, string[]>();
  const byFolder = new Map<string, Set<string>>();
  for (const f of files.sort()) {
    const rel = relative(root, f).split(sep).join('/');
    const names = [...readFileSync(f, 'utf8').matchAll(EXPORT)].map((m) => m[1] as string);
    exportsOf.set(rel, names);
    const folder = dirname(rel);
    const set = byFolder.get(folder) ?? new Set<string>();
    for (const n of names) if (wanted.includes(n)) set.add(n);
    byFolder.set(folder, set);
  }
  const score = (rel: string) => {
    const folder = dirname(rel);
    const last = folder.split('/').pop() ?? '';
    const own = last === service || service.startsWith(`${last}-`) ? 1000 : 0;
    return own + (byFolder.get(folder)?.size ?? 0);
  };
  const ranked = [...exportsOf.keys()].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1));
  const out = new Map<string, string>();
  for (const rel of ranked) for (const n of exportsOf.get(rel) ?? []) if (!out.has(n)) out.set(n, rel);
  return out;
}

export interface WrittenDraft {
  model: string;
  figures: string;
  html: string;
  skeleton?: string;
}

export function writeDraft(figures: DerivedFigures, o: { output: string; service: string; growth?: number; baseUrl: string; sources: string[]; now: Date }): WrittenDraft {
  const model = resolve(o.output);
  mkdirSync(dirname(model), { recursive: true });
  const root = projectRootOf(model);
  const skeletonRel = `scenarios/${o.service}/derived.ts`;
  const draft: DraftInput = { figures, service: o.service, growth: o.growth, baseUrl: o.baseUrl, scenarioExports: scenarioExports(root, o.service, figures.transactions.map((t) => camel(t.name))), skeletonFile: skeletonRel, sources: o.sources, now: o.now };
  const base = model.replace(/\.ya?ml$/i, '');
  const out: WrittenDraft = { model, figures: `${base}.figures.json`, html: `${base}.html` };
  const { included } = planTransactions(draft);
  if (included.some((t) => !t.matched)) {
    const file = join(root, skeletonRel);
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const text = skeletonScenarios(o.service, included, existing);
    if (text !== existing) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      out.skeleton = file;
    }
  }
  writeFileSync(model, draftModelYaml(draft));
  // The closed-model suggestion depends on the headroom (--growth), not only on the logs: added here.
  const closedModel = closedModelSuggestion(figures, o.growth ?? DEFAULT_HEADROOM);
  writeFileSync(out.figures, JSON.stringify({ ...figures, closedModelSuggestion: closedModel }, null, 2) + '\n');
  writeFileSync(out.html, derivedHtml(figures, draft));
  return out;
}
