/**
 * The `.perfcell` state folder, found one way for every command and the reference target: PERFCELL_STATE_DIR
 * when set, else `.perfcell` in the working directory. The working directory, not perfcell's own checkout:
 * installed in a service's repository, perfcell keeps its state (background services, baselines, the private
 * InfluxDB) beside that repository's models, as git keeps .git beside the work tree.
 */
import { join, resolve } from 'node:path';

export const STATE_DIR_NAME = '.perfcell';

export function stateDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return resolve(cwd, env.PERFCELL_STATE_DIR || STATE_DIR_NAME);
}

/** A file or folder inside the state folder. */
export function statePath(...parts: string[]): string {
  return join(stateDir(), ...parts);
}
