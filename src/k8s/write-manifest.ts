/** `perfcell k8s manifest`'s use case: model → compiled run → bundle → k6-operator manifest (YAML text). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { inputError } from '../errors.js';
import { loadModel } from '../model/load.js';
import { compile } from '../model/compile.js';
import { guardEnvironment, selectEnvironment } from '../model/environment.js';
import { withRegistry } from '../environments/registry.js';
import { dataFileName, generateEntry } from '../scenario/entry.js';
import { bundleScenarios } from '../scenario/bundle.js';
import { newRunId } from '../store/folder.js';
import { K6_VERSION } from '../k6/locate.js';
import { checkDataFiles } from '../run/execute.js';
import { DEFAULT_RUNNER_IMAGE, manifestObjects, SCRIPT_MOUNT } from './manifest.js';

export interface K8sManifestRequest {
  model: string;
  profile: string;
  env?: string;
  parallelism: number;
  image?: string;
  cpu: string;
  memory: string;
  separate: boolean;
  cleanup: boolean;
  resultsClaim: string;
  namespace?: string;
  /** Target URLs as the runners reach them (a cluster's service names), replacing the environment's. */
  targetOverrides?: Record<string, string>;
  now?: Date;
}

export async function k8sManifest(req: K8sManifestRequest): Promise<{ yaml: string; runId: string; name: string }> {
  const loaded = loadModel(req.model);
  const chosen = selectEnvironment(withRegistry(loaded), loaded.file, req.env);
  for (const [name, url] of Object.entries(req.targetOverrides ?? {})) {
    if (!(name in chosen.env.targets)) throw inputError('--target', name, `a target of environment ${chosen.name} (it has: ${Object.keys(chosen.env.targets).join(', ')})`);
    if (!URL.canParse(url)) throw inputError('--target', name, `an http(s) URL, got "${url}"`);
  }
  const environment = { name: chosen.name, env: { ...chosen.env, targets: { ...chosen.env.targets, ...req.targetOverrides } } };
  guardEnvironment(loaded.file, environment.name, environment.env);
  checkDataFiles(loaded);
  const runId = newRunId(req.now ?? new Date());
  const compiled = compile({ model: loaded.model, file: loaded.file, profile: req.profile, environment, phase: 'unstubbed', runId, iteration: 1, runTagsOnSamples: true });
  // In the runner, the ConfigMap is mounted at /test: the bundle opens its data files there.
  const dataKeys = Object.fromEntries(Object.keys(loaded.model.data).map((n) => [n, dataFileName(n)]));
  const data = Object.fromEntries(Object.entries(dataKeys).map(([n, key]) => [n, `${SCRIPT_MOUNT}/${key}`]));
  const bundle = await bundleScenarios(generateEntry({ compiled, root: loaded.root, data }), loaded.root);
  const dataFiles = Object.fromEntries(Object.entries(loaded.model.data).map(([n, p]) => [dataKeys[n] as string, readFileSync(resolve(loaded.root, p), 'utf8')]));
  const objects = manifestObjects({
    service: loaded.model.service,
    profile: req.profile,
    runId,
    parallelism: req.parallelism,
    bundle: Buffer.from(bundle.script).toString('utf8'),
    bundleMap: Buffer.from(bundle.map).toString('utf8'),
    dataFiles,
    env: compiled.env,
    tags: compiled.options.tags,
    image: req.image ?? DEFAULT_RUNNER_IMAGE(K6_VERSION),
    resources: { cpu: req.cpu, memory: req.memory },
    separate: req.separate,
    resultsClaim: req.resultsClaim,
    cleanup: req.cleanup,
    namespace: req.namespace,
  });
  const yaml = objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return { yaml, runId, name: (objects[1] as { metadata: { name: string } }).metadata.name };
}
