/** ReportData → the self-contained HTML report (Handlebars; inline CSS and SVG; nothing fetched). Pure. */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Lang } from '../rules/types.js';
import type { ReportData } from './report-data.js';
import { viewModel, type ViewModel } from './view-model.js';

let template: Handlebars.TemplateDelegate<ViewModel> | undefined;

function compiled(): Handlebars.TemplateDelegate<ViewModel> {
  // An isolated environment: no helper or partial registered elsewhere can change the output.
  template ??= Handlebars.create().compile<ViewModel>(readFileSync(new URL('./templates/report.hbs', import.meta.url), 'utf8'), { strict: false });
  return template;
}

export function renderHtml(data: ReportData, lang: Lang): string {
  return compiled()(viewModel(data, lang));
}
