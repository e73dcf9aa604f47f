/**
 * The campaign record: reports/<service>/iteration-<N>/campaign.json beside one run folder per phase
 * (reports/<service>/iteration-<N>/<phase>/). Written at the start and after every step, atomically, so an
 * interrupted or failed campaign still says what happened and why.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import type { Phase } from '../model/compile.js';
import { unmatchedCount, type StubVerification } from '../stubs/verify.js';

export const CAMPAIGN_SCHEMA_VERSION = 1;
export const CAMPAIGN_FILE = 'campaign.json';

/** `slo-broken`: NO-GO; `inconclusive`: the measurement was not valid (src/verdict). */
export type PhaseStatus = 'pending' | 'running' | 'passed' | 'slo-broken' | 'inconclusive' | 'failed' | 'interrupted' | 'defect' | 'skipped';
export type CampaignStatus = 'running' | 'passed' | 'slo-broken' | 'inconclusive' | 'failed' | 'interrupted';

export interface StubServerRecord {
  dependency: string;
  url: string;
  mappings: number;
}

export interface PhaseRecord {
  phase: Phase;
  profile: string;
  environment: string | null;
  stubbed: string[];
  real: string[];
  /** The phase's injectors (`--injectors` text: src/injectors/spec.ts); absent: its environment's or one local k6. */
  injectors?: string;
  status: PhaseStatus;
  /** Run folder, relative to the iteration folder. */
  runDir: string | null;
  runId: string | null;
  exitCode: number | null;
  /** Why the phase did not pass (one line). */
  reason: string | null;
  stubs: StubVerification[];
  startedAt: string | null;
  endedAt: string | null;
  /** Wall time of the phase beyond the load's own planned duration: pre-flight, start-up, verification. */
  overheadMs: number | null;
}

export interface CampaignRecord {
  schemaVersion: number;
  campaignId: string;
  service: string;
  iteration: number;
  model: { file: string; hash: string };
  definitionFile: string;
  target: string;
  startedAt: string;
  endedAt: string | null;
  status: CampaignStatus;
  reason: string | null;
  stubServers: StubServerRecord[];
  phases: PhaseRecord[];
  /** The iteration report, once written (src/report). */
  report: string | null;
}

export function writeCampaignRecord(dir: string, record: CampaignRecord): void {
  const path = join(dir, CAMPAIGN_FILE);
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export function readCampaignRecord(dir: string): CampaignRecord {
  const path = join(dir, CAMPAIGN_FILE);
  if (!existsSync(path)) throw new PerfcellError(`${dir}: not an iteration folder (no ${CAMPAIGN_FILE})`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as CampaignRecord;
  if (record.schemaVersion !== CAMPAIGN_SCHEMA_VERSION) throw inputError(path, 'schemaVersion', `${CAMPAIGN_SCHEMA_VERSION}, got ${String(record.schemaVersion)}`);
  return record;
}

/** Pure: the next iteration number after the iteration-<N> folders present (1 when none). */
export function nextIteration(folderNames: readonly string[]): number {
  let max = 0;
  for (const n of folderNames) {
    const m = /^iteration-(\d+)$/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export function iterationDir(serviceDir: string, iteration: number): string {
  return join(serviceDir, `iteration-${iteration}`);
}

/** Chooses the iteration: the one asked for (refused if it already holds a campaign), else the next free one. */
export function chooseIteration(serviceDir: string, requested?: number): number {
  const names = existsSync(serviceDir) ? readdirSync(serviceDir) : [];
  if (requested === undefined) return nextIteration(names);
  if (!Number.isInteger(requested) || requested < 1) throw inputError('--iteration', '', `a positive integer, got ${requested}`);
  if (existsSync(join(iterationDir(serviceDir, requested), CAMPAIGN_FILE))) {
    throw inputError('--iteration', '', `an iteration without a campaign yet (${iterationDir(serviceDir, requested)} already holds one; the next free one is ${nextIteration(names)})`);
  }
  return requested;
}

/** The campaign's overall status from its phases (pure). */
export function campaignStatus(phases: readonly PhaseRecord[]): CampaignStatus {
  if (phases.some((p) => p.status === 'interrupted')) return 'interrupted';
  if (phases.some((p) => p.status === 'failed' || p.status === 'defect')) return 'failed';
  // A real breach on a valid measurement outweighs a phase that could not be judged.
  if (phases.some((p) => p.status === 'slo-broken')) return 'slo-broken';
  if (phases.some((p) => p.status === 'inconclusive') && phases.every((p) => p.status === 'passed' || p.status === 'inconclusive')) return 'inconclusive';
  if (phases.every((p) => p.status === 'passed')) return 'passed';
  return 'failed';
}

export function formatCampaignSummary(r: CampaignRecord, dir: string): string {
  const lines = [`campaign ${r.campaignId} · ${r.service} · iteration ${r.iteration} · ${r.status}${r.reason ? ` — ${r.reason}` : ''}`];
  for (const p of r.phases) {
    const unmatched = unmatchedCount(p.stubs);
    const stubReqs = p.stubs.reduce((s, v) => s + v.requests, 0);
    lines.push(
      `  ${p.phase.padEnd(9)} ${p.status.padEnd(11)} profile ${p.profile.padEnd(8)} stubbed: ${p.stubbed.join(', ') || '-'}` +
        ` · stub requests ${stubReqs}${unmatched ? ` · UNMATCHED ${unmatched}` : ''}` +
        `${p.overheadMs !== null ? ` · overhead ${(p.overheadMs / 1000).toFixed(1)} s` : ''}${p.reason ? ` · ${p.reason}` : ''}`,
    );
  }
  lines.push(`iteration folder: ${dir}`);
  if (r.report) lines.push(`report: ${r.report}`);
  return lines.join('\n');
}
