// Writes the rule tables of docs/recommendations.md from the rules' metadata (src/rules/docs.ts);
// `--check` only says whether the file is up to date (exit 1 when not).
import { readFileSync, writeFileSync } from 'node:fs';
import { RULES } from '../src/rules/catalogue.js';
import { withRulesSection } from '../src/rules/docs.js';

const file = 'docs/recommendations.md';
const doc = readFileSync(file, 'utf8');
const next = withRulesSection(doc, RULES);
if (process.argv.includes('--check')) {
  if (next !== doc) {
    process.stderr.write(`${file} differs from the rules' metadata: run npm run docs:rules\n`);
    process.exit(1);
  }
} else if (next !== doc) {
  writeFileSync(file, next);
  process.stdout.write(`${file} written\n`);
}
