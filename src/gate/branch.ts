/**
 * The branch a gate measured, recorded in gate.json so that the site's gate history groups gates by it.
 * Resolution order: the `--branch` flag, then the CI platform's variables, then git, else null (an old or
 * detached checkout: the site shows it as "unknown"). Pure `branchFromEnv` + one thin git adapter.
 */
import { spawnSync } from 'node:child_process';

/**
 * CI variables naming the branch, most specific first: on a pull/merge request the *source* branch
 * (GITHUB_HEAD_REF, CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) is what the gate measured, while GITHUB_REF_NAME
 * is then "<n>/merge" and CI_COMMIT_REF_NAME the MR's ref; on a push they are the pushed branch.
 */
export const BRANCH_ENV_VARS: readonly string[] = ['GITHUB_HEAD_REF', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME'];

/** The first non-empty CI branch variable, or null. */
export function branchFromEnv(env: NodeJS.ProcessEnv): string | null {
  for (const name of BRANCH_ENV_VARS) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return null;
}

/** `git rev-parse --abbrev-ref HEAD` in cwd; null outside a repository or on a detached HEAD ("HEAD"). */
export function gitBranch(cwd: string = process.cwd()): string | null {
  // 5 s: a chosen bound; the command answers in milliseconds, a hung git must not hold the gate's end.
  const r = spawnSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd, encoding: 'utf8', timeout: 5000 });
  const name = r.status === 0 ? r.stdout.trim() : '';
  return name && name !== 'HEAD' ? name : null;
}

/** --branch, else CI variables, else git, else null. */
export function resolveBranch(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, git: () => string | null = gitBranch): string | null {
  const given = flag?.trim();
  if (given) return given;
  return branchFromEnv(env) ?? git();
}
