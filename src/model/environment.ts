/** Choosing an environment and the production guard: load goes only where an environment allows it. */
import { inputError } from '../errors.js';
import type { Environment, LoadModel } from './schema.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function selectEnvironment(model: LoadModel, file: string, requested?: string): { name: string; env: Environment } {
  const names = Object.keys(model.environments);
  const name = requested ?? (names.length === 1 ? names[0] : names.includes('local') ? 'local' : undefined);
  if (name === undefined) {
    throw inputError(file, 'environments', names.length === 0 ? 'at least one environment with its targets' : `one of ${names.join(', ')} chosen with --env`);
  }
  const env = model.environments[name];
  if (!env) throw inputError(file, `environments.${name}`, `an environment of this model (it has: ${names.join(', ') || 'none'})`);
  return { name, env };
}

/** Throws unless load may be sent to every target of this environment. Pure: no network. */
export function guardEnvironment(file: string, name: string, env: Environment): void {
  if (env.loadTesting !== 'allowed') {
    throw inputError(file, `environments.${name}.loadTesting`, `"allowed" before perfcell sends load there (it is "${env.loadTesting}")`);
  }
  for (const [target, url] of Object.entries(env.targets)) {
    const host = new URL(url).hostname;
    if (!isLoopbackHost(host) && !env.allowNonLoopback) {
      throw inputError(file, `environments.${name}.targets.${target}`, `a loopback address (127.0.0.1, localhost, [::1]); ${host} needs allowNonLoopback: true in that environment`);
    }
  }
}

/** TARGET_<NAME> for k6's environment: name upper-cased, "-" → "_". */
export function targetEnvName(target: string): string {
  return `TARGET_${target.toUpperCase().replace(/-/g, '_')}`;
}
