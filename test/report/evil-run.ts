/** A copy of a recorded run whose names (transaction, service, check, target version) are HTML/markup injections. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RunMeta } from '../../src/store/folder.js';

export const EVIL_TX = '<img src=x onerror=alert(1)>';
export const EVIL_SERVICE = '<script>alert(2)</script>';
export const EVIL_CHECK = 'status 200 <svg onload=alert(3)>';
export const EVIL_VERSION = '"><iframe src=javascript:alert(4)>';

export function evilRunCopy(from = 'test/fixtures/runs/basic-smoke'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'perfcell-evil-')), 'run');
  cpSync(from, dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunMeta;
  const old = meta.transactions[0]!.name;
  meta.transactions[0]!.name = EVIL_TX;
  meta.service = EVIL_SERVICE;
  meta.targetsVersions = { app: { version: EVIL_VERSION } };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta));
  const csv = gunzipSync(readFileSync(join(dir, 'raw.csv.gz'))).toString('utf8');
  // The scenario column (k6 scenario = transaction) and the check name take the injected strings.
  const rewritten = csv.split('\n').map((line) => line.replace(`,${old},basic-app,`, `,${EVIL_TX},basic-app,`).replace(/^checks,(\d+),([\d.]+),status 200,/, `checks,$1,$2,${EVIL_CHECK},`)).join('\n');
  writeFileSync(join(dir, 'raw.csv.gz'), gzipSync(rewritten));
  return dir;
}
