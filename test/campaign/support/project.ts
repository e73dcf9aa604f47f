/** A throw-away project for campaign tests: the relay fixture copied to a temp folder, ports filled in. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/stubs/wiremock.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/relay', import.meta.url));
const RELAY = fileURLToPath(new URL('./relay-target.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface RelayProject {
  dir: string;
  model: string;
  campaign: string;
  reports: string;
  appPort: number;
  remove: () => void;
}

export async function relayProject(legalPort: number): Promise<RelayProject> {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-campaign-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const appPort = await freePort();
  const fill = (file: string) =>
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('APP_PORT', String(appPort)).replaceAll('LEGAL_PORT', String(legalPort)).replaceAll('RELAY', RELAY).replaceAll('ROOT', ROOT));
  fill(join(dir, 'load-models', 'relay.yaml'));
  fill(join(dir, 'campaign.yaml'));
  // The project has no package.json: relative paths in the model resolve from the folder holding scenarios/.
  return {
    dir,
    model: join(dir, 'load-models', 'relay.yaml'),
    campaign: join(dir, 'campaign.yaml'),
    reports: join(dir, 'reports'),
    appPort,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Pids of the live descendants of `pid` (from /proc). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export { isProcessAlive as alive } from '../../../lib/process/children.js';

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}
