/**
 * Reading older run folders: run.json is brought up to the current schema one version at a time, in
 * memory (the folder on disk is left as it was written). A version with no step to the next one, or newer
 * than this perfcell, is refused with a message naming the file.
 */
import { inputError } from '../errors.js';

/** One step per stored version older than the current one: version n's JSON → version n + 1's. */
export type MigrationStep = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * Steps keyed by the version they read. Version 1 is the first stored version and the current one: there
 * is no step yet. The next change of run.json's shape adds `1: (v1) => v2` here.
 */
export const RUN_MIGRATIONS: Readonly<Record<number, MigrationStep>> = {};

/** The parsed run.json brought to `current`; `path` names the file in errors. Pure. */
export function migrateRunJson(
  raw: unknown,
  current: number,
  path: string,
  steps: Readonly<Record<number, MigrationStep>> = RUN_MIGRATIONS,
): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw inputError(path, '', 'a JSON object');
  let json = raw as Record<string, unknown>;
  let version = json.schemaVersion;
  while (version !== current) {
    const step = typeof version === 'number' && version < current ? steps[version] : undefined;
    if (!step) {
      throw inputError(path, 'schemaVersion', `${current} (this perfcell reads run folders of that version${Object.keys(steps).length ? ` and migrates versions ${Object.keys(steps).join(', ')}` : ''}), got ${String(version)}`);
    }
    json = { ...step(json), schemaVersion: (version as number) + 1 };
    version = json.schemaVersion;
  }
  return json;
}
