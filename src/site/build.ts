/**
 * `perfcell site`'s use case: reports folder → a static offline site in outDir. Incremental: a manifest
 * keeps each page's content hash (its view model, the templates, the language), and only pages whose hash
 * changed are written; the loader's cache keeps what each iteration and gate folder gave, so unchanged
 * folders are not parsed again. Pages no longer produced are removed. Bad input never stops the build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { configPath } from '../environments/registry.js';
import { defaultStore } from '../gate/baselines.js';
import type { Lang } from '../rules/types.js';
import { emptyCache, loadSite, type LoaderCache } from './load.js';
import { servicePages, servicePaths, sharedPages, type Page } from './model.js';
import { renderPage, templatesVersion } from './render.js';

export const MANIFEST_VERSION = 1;
/** The site's own state, beside its pages: the manifest of page hashes and the loader's cache. */
export const STATE_DIR = '.perfcell-site';

export interface SiteOptions {
  reportsDir: string;
  outDir: string;
  lang?: Lang;
  /** Where the reports folder is published; links to reports go there. Default: relative links from the site to the reports folder. */
  baseUrl?: string;
  /** Baseline store (default: PERFCELL_BASELINES or .perfcell/baselines, when it exists). */
  store?: string | null;
  /** Environment registry (default: PERFCELL_CONFIG or ./perfcell.config.yaml, when it exists). */
  configFile?: string | null;
  /** Ignore the manifest and the cache: write every page. */
  full?: boolean;
}

export interface SiteResult {
  outDir: string;
  pages: number;
  written: number;
  /** Paths (relative to outDir) of the pages written this time. */
  writtenPages: string[];
  unchanged: number;
  removed: number;
  services: number;
  iterations: number;
  /** Inputs listed as unreadable on the pages. */
  problems: number;
}

interface Manifest {
  version: number;
  /** Page path → hash of what it shows. */
  pages: Record<string, string>;
  /** Service → hash of everything its own pages are made from: unchanged, they are not even built. */
  services?: Record<string, string>;
}

function readState<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function reportHrefOf(reportsDir: string, outDir: string, baseUrl: string | undefined): (rel: string) => string {
  const encoded = (rel: string) => rel.split('/').map(encodeURIComponent).join('/');
  if (baseUrl) {
    const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
    return (rel) => base + encoded(rel);
  }
  const up = relative(outDir, reportsDir).split(sep).join('/');
  return (rel) => `${up ? `${up}/` : ''}${encoded(rel)}`;
}

export async function buildSite(options: SiteOptions): Promise<SiteResult> {
  const reportsDir = resolve(options.reportsDir);
  const outDir = resolve(options.outDir);
  const lang = options.lang ?? 'en';
  const stateDir = join(outDir, STATE_DIR);
  mkdirSync(stateDir, { recursive: true });
  const manifestPath = join(stateDir, 'manifest.json');
  const cachePath = join(stateDir, 'cache.json');
  const oldManifest = (!options.full && readState<Manifest>(manifestPath)) || { version: MANIFEST_VERSION, pages: {} };
  const oldCache = (!options.full && readState<LoaderCache>(cachePath)) || emptyCache();

  const store = options.store === undefined ? defaultStore() : options.store;
  const configFile = options.configFile === undefined ? configPath(process.cwd()) : options.configFile;
  const { input, cache } = loadSite({ reportsDir, store, configFile, cache: oldCache });
  const ctx = { lang, reportHref: reportHrefOf(reportsDir, outDir, options.baseUrl) };
  const version = templatesVersion();
  const manifest: Manifest = { version: MANIFEST_VERSION, pages: {}, services: {} };
  const reuse = oldManifest.version === MANIFEST_VERSION;
  const writtenPages: string[] = [];
  let pageCount = 0;
  const emit = (page: Page) => {
    pageCount++;
    const hash = createHash('sha256').update(`${version}\u0000${lang}\u0000${page.kind}\u0000${page.title}\u0000`).update(JSON.stringify(page.view)).digest('hex');
    manifest.pages[page.path] = hash;
    const file = join(outDir, page.path);
    if (reuse && oldManifest.pages[page.path] === hash && existsSync(file)) return;
    writeAtomic(file, renderPage(page, lang));
    writtenPages.push(page.path);
  };
  for (const page of sharedPages(input, ctx)) emit(page);
  for (const s of input.services) {
    const key = createHash('sha256')
      .update(JSON.stringify([version, lang, options.baseUrl ?? '', relative(outDir, reportsDir), s, input.gates.filter((g) => g.service === s.name), input.baselines.filter((b) => b.service === s.name)]))
      .digest('hex');
    (manifest.services as Record<string, string>)[s.name] = key;
    const paths = servicePaths(s.name);
    if (reuse && oldManifest.services?.[s.name] === key && paths.every((p) => oldManifest.pages[p] !== undefined && existsSync(join(outDir, p)))) {
      for (const p of paths) manifest.pages[p] = oldManifest.pages[p] as string;
      pageCount += paths.length;
      continue;
    }
    for (const page of servicePages(s, input, ctx)) emit(page);
  }
  let removed = 0;
  for (const path of Object.keys(oldManifest.pages ?? {})) {
    if (manifest.pages[path] !== undefined) continue;
    rmSync(join(outDir, path), { force: true });
    removed++;
  }
  writeAtomic(cachePath, JSON.stringify(cache));
  writeAtomic(manifestPath, JSON.stringify(manifest));
  const problems = input.problems.length + input.services.reduce((n, s) => n + s.problems.length + s.iterations.reduce((m, i) => m + i.problems.length, 0), 0);
  return {
    outDir, pages: pageCount, written: writtenPages.length, writtenPages, unchanged: pageCount - writtenPages.length, removed,
    services: input.services.length, iterations: input.services.reduce((n, s) => n + s.iterations.length, 0), problems,
  };
}
