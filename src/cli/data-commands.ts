/** `perfcell data classify|extract|refresh`: production-like test data, masked, with referential integrity (docs/data.md). */
import type { Command } from 'commander';
import { INSTALLED, PROJECT_ROOT } from '../k6/locate.js';
import { loadConfig } from '../environments/registry.js';
import { classifyDatabase } from '../data/classify-db.js';
import { extract, parseDataFileSpec, type Audit } from '../data/extract.js';
import { guardDestination, planRefresh } from '../data/refresh.js';
import { loadSecret } from '../data/secret.js';
import { info } from './verbosity.js';

const collect = (v: string, acc: string[]): string[] => [...acc, v];
/** Where perfcell.config.yaml is: the service's repository (the working directory) when perfcell is installed there, else the checkout. */
const configRoot = (): string => (INSTALLED ? process.cwd() : PROJECT_ROOT);

function summary(audit: Audit, auditFile: string): string {
  const rows = audit.tables.reduce((n, t) => n + t.rows, 0);
  return `${audit.tables.length} tables, ${rows} rows → ${audit.destination}; leak check passed (${audit.leakCheck?.checkedValues ?? 0} values scanned); secret fingerprint ${audit.secretFingerprint}; audit ${auditFile}${audit.dataFiles.length ? `; data files ${audit.dataFiles.join(', ')}` : ''}\n`;
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('production-like test data: masked extracts that keep referential integrity');

  data
    .command('classify')
    .description('propose a complete masking rules file from a database (column names, types, sampled values)')
    .requiredOption('--from <url>', 'source PostgreSQL URL')
    .requiredOption('-o, --output <file>', 'rules file to write')
    .option('--force', 'replace an existing file')
    .action(async (f: { from: string; output: string; force?: boolean }) => {
      const r = await classifyDatabase(f.from, f.output, { force: f.force });
      process.stdout.write(`${f.output}: ${r.tables} tables, ${r.columns} columns classified, ${r.unsure} to check (lines with "# check:")\n`);
    });

  data
    .command('extract')
    .description('extract a consistent subset, masked, into a database (--to) or COPY files (--out)')
    .requiredOption('--from <url>', 'source PostgreSQL URL')
    .requiredOption('--rules <file>', 'masking rules file (every column classified)')
    .option('--subset <spec>', 'schema.table:N% or schema.table:<WHERE clause> (default: the rules file\'s subset, else everything)')
    .option('--to <url>', 'destination PostgreSQL URL (its tables must exist)')
    .option('--out <dir>', 'write one COPY text file per table instead')
    .option('--secret-file <file>', 'file holding the masking secret (else PERFCELL_MASKING_SECRET)')
    .option('--audit <file>', 'audit file (default: <out>/audit.json or perfcell-data-audit.json)')
    .option('--resume', 'skip the tables an interrupted extract finished (same secret, rules and subset)')
    .option('--data-file <file=schema.table:[header=]col,…>', 'also write a scenario data file (CSV) of masked columns, each under its name or a header (person_id=id)', collect, [])
    .action(async (f: { from: string; rules: string; subset?: string; to?: string; out?: string; secretFile?: string; audit?: string; resume?: boolean; dataFile: string[] }) => {
      const secret = loadSecret(f.secretFile);
      const dataFiles = f.dataFile.map(parseDataFileSpec);
      if (f.to) guardDestination(f.to, loadConfig(configRoot()));
      const auditFile = f.audit ?? (f.out ? `${f.out}/audit.json` : 'perfcell-data-audit.json');
      const audit = await extract({ from: f.from, rulesFile: f.rules, subset: f.subset, to: f.to, out: f.out, secret, auditFile, resume: f.resume, dataFiles, log: (l) => info(`  ${l}`) });
      process.stdout.write(summary(audit, auditFile));
    });

  data
    .command('refresh')
    .description("refresh an environment's database from its data: section of the registry (perfcell.config.yaml)")
    .requiredOption('-e, --env <name>', 'environment')
    .option('--audit <file>', 'audit file', 'perfcell-data-audit.json')
    .option('--resume', 'skip the tables an interrupted refresh finished')
    .action(async (f: { env: string; audit: string; resume?: boolean }) => {
      const plan = planRefresh(loadConfig(configRoot()), f.env);
      const secret = loadSecret(plan.secretFile);
      const audit = await extract({ from: plan.from, rulesFile: plan.rulesFile, subset: plan.subset, to: plan.to, secret, auditFile: f.audit, resume: f.resume, dataFiles: plan.dataFiles.map(parseDataFileSpec), log: (l) => info(`  ${l}`) });
      process.stdout.write(summary(audit, f.audit));
    });
}
