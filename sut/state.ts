/** .perfcell/sut.json: what `perfcell sut start` left running, for `sut stop|status|seed` and campaigns. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServiceName } from './topology.js';
import type { StartSutOptions } from './start.js';
import { isProcessAlive } from '../lib/process/children.js';

export interface SutState {
  status: 'starting' | 'ready' | 'failed';
  pid: number;
  urls: Partial<Record<ServiceName, string>>;
  mode?: 'embedded' | 'postgres';
  bus?: 'in-process' | 'amqp' | 'relay';
  isolated?: boolean;
  startedAt: string;
  options: StartSutOptions;
  logFile?: string;
  error?: string;
}

export function writeSutState(file: string, state: SutState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file); // atomic: a reader never sees half a file
}

export function readSutState(file: string): SutState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SutState;
  } catch {
    return undefined;
  }
}

export function removeSutState(file: string): void {
  rmSync(file, { force: true });
}

/** perfcell's one liveness check (lib/process/children.ts), under the name the sut uses. */
export const isAlive = isProcessAlive;
