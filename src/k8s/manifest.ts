/**
 * What k6-operator needs to run a compiled perfcell run in Kubernetes, pure: a ConfigMap holding the bundle
 * (and the model's data files) and a TestRun (k6.io/v1alpha1) whose runners each take one execution segment
 * (the operator adds `--execution-segment i/N` itself) and write their raw samples and summary to a volume,
 * one folder per runner pod, so that they can be copied back into a run folder (docs/distributed.md).
 * Field names and types follow k6-operator's TestRun CRD (config/crd/bases/k6.io_testruns.yaml).
 */
import { inputError } from '../errors.js';

/** Kubernetes refuses a ConfigMap above 1 MiB (etcd's object limit, `kubectl apply` says "Too long"). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** Where k6-operator mounts `script.configMap` in each runner (its default for ConfigMap scripts). */
export const SCRIPT_MOUNT = '/test';
/** Where perfcell mounts the results volume in each runner. */
export const RESULTS_MOUNT = '/results';
/** The runner image: the k6 release perfcell pins (src/k6/locate.ts K6_VERSION), from Grafana's registry. */
export const DEFAULT_RUNNER_IMAGE = (k6Version: string) => `grafana/k6:${k6Version.replace(/^v/, '')}`;

export interface ManifestInput {
  service: string;
  profile: string;
  runId: string;
  parallelism: number;
  /** bundle.js (its sourceMappingURL names bundle.js.map) and its map. */
  bundle: string;
  bundleMap?: string;
  /** Data files the bundle opens, by their ConfigMap key (`data-<name>.csv`). */
  dataFiles: Record<string, string>;
  /** k6 environment of the run (target URLs…). */
  env: Record<string, string>;
  /** k6 tags of the run (run id, service, profile…). */
  tags: Record<string, string>;
  image: string;
  resources: { cpu: string; memory: string };
  separate: boolean;
  /** PersistentVolumeClaim the runners write their results to. */
  resultsClaim: string;
  /** Delete the runners once done (`cleanup: post`): their results stay on the claim. */
  cleanup: boolean;
  namespace?: string;
}

/** RFC 1123 label: lowercase alphanumerics and '-', ≤ 63 characters, alphanumeric at both ends. */
export function k8sName(...parts: string[]): string {
  const s = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return s.slice(0, 63).replace(/-+$/, '');
}

/** The runner's k6 arguments: raw CSV and summary to its own folder of the results volume, the run's tags. */
export function runnerArgs(tags: Record<string, string>): string[] {
  const args = ['--no-usage-report', '--out', `csv=${RESULTS_MOUNT}/raw.csv.gz`, '--summary-export', `${RESULTS_MOUNT}/summary.json`];
  for (const [k, v] of Object.entries(tags)) args.push('--tag', `${k}=${v}`);
  return args;
}

export function manifestObjects(m: ManifestInput): Record<string, unknown>[] {
  if (!Number.isInteger(m.parallelism) || m.parallelism < 1) throw inputError('--parallelism', '', `an integer ≥ 1, got ${m.parallelism}`);
  const name = k8sName('perfcell', m.service, m.profile, m.runId.slice(-6));
  const data: Record<string, string> = { 'bundle.js': m.bundle, ...(m.bundleMap ? { 'bundle.js.map': m.bundleMap } : {}), ...m.dataFiles };
  const bytes = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > CONFIGMAP_MAX_BYTES) {
    throw inputError('--parallelism', 'ConfigMap', `a bundle and data files below 1 MiB together (Kubernetes' ConfigMap limit), got ${(bytes / 1048576).toFixed(2)} MiB: put the data on a volume`);
  }
  const labels = { 'app.kubernetes.io/managed-by': 'perfcell', 'perfcell.io/service': k8sName(m.service), 'perfcell.io/profile': k8sName(m.profile), 'perfcell.io/run-id': k8sName(m.runId) };
  const metadata = { name, ...(m.namespace ? { namespace: m.namespace } : {}), labels };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
  const env = [
    // Each runner's results go to its own folder of the claim, named after its pod (kubelet expands $(POD_NAME)).
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'K6_CSV_TIME_FORMAT', value: 'unix_milli' },
    { name: 'K6_NO_USAGE_REPORT', value: 'true' },
    ...Object.entries(m.env).map(([k, v]) => ({ name: k, value: v })),
  ];
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata,
    spec: {
      parallelism: m.parallelism,
      separate: m.separate,
      ...(m.cleanup ? { cleanup: 'post' } : {}),
      script: { configMap: { name, file: 'bundle.js' } },
      args: runnerArgs(m.tags),
      runner: {
        image: m.image,
        metadata: { labels },
        env,
        resources: { requests: { cpu: m.resources.cpu, memory: m.resources.memory }, limits: { memory: m.resources.memory } },
        volumes: [{ name: 'perfcell-results', persistentVolumeClaim: { claimName: m.resultsClaim } }],
        volumeMounts: [{ name: 'perfcell-results', mountPath: RESULTS_MOUNT, subPathExpr: `perfcell/${m.runId}/$(POD_NAME)` }],
      },
    },
  };
  return [configMap, testRun];
}
