/**
 * Page view models → HTML (Handlebars, an isolated environment; inline CSS and SVG; one small inline script
 * on the home page, allowed by its hash). The Content-Security-Policy forbids every fetch: no connection,
 * no image but data:, no other script. Pure after the templates are read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Lang } from '../rules/types.js';
import { SITE_LABELS } from './i18n.js';
import type { Page, PageKind } from './model.js';

const KINDS: readonly PageKind[] = ['home', 'service', 'gates', 'trace', 'env', 'envs'];
const read = (name: string) => readFileSync(new URL(`./templates/${name}`, import.meta.url), 'utf8');

interface Compiled {
  layout: Handlebars.TemplateDelegate;
  pages: Record<PageKind, Handlebars.TemplateDelegate>;
  css: string;
  script: string;
  /** Changes whenever a template, the CSS or the script changes: part of every page's hash. */
  version: string;
}

let compiled: Compiled | undefined;

function templates(): Compiled {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  const sources = Object.fromEntries(KINDS.map((k) => [k, read(`${k}.hbs`)])) as Record<PageKind, string>;
  const layout = read('layout.hbs');
  const css = read('site.css');
  const script = read('search.js');
  compiled = {
    layout: hb.compile(layout, { strict: false }),
    pages: Object.fromEntries(KINDS.map((k) => [k, hb.compile(sources[k], { strict: false })])) as Record<PageKind, Handlebars.TemplateDelegate>,
    css,
    script,
    version: createHash('sha256').update([layout, css, script, ...KINDS.map((k) => sources[k])].join('\u0000')).digest('hex'),
  };
  return compiled;
}

export const templatesVersion = (): string => templates().version;

export function contentSecurityPolicy(script: string | null): string {
  const scriptSrc = script ? `'sha256-${createHash('sha256').update(script).digest('base64')}'` : "'none'";
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${scriptSrc}; connect-src 'none'; base-uri 'none'; form-action 'none'`;
}

export function renderPage(page: Page, lang: Lang): string {
  const t = templates();
  const L = SITE_LABELS[lang];
  const body = t.pages[page.kind]({ ...page.view, L, lang });
  const script = page.kind === 'home' ? t.script : null;
  const extraCss = page.kind === 'home' ? String(page.view.filterCss ?? '') : '';
  return t.layout({ lang, L, title: page.title, css: t.css, extraCss, body, script, csp: contentSecurityPolicy(script) });
}
