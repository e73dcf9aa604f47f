/**
 * The campaign's plan, pure: from the checked campaign definition, the loaded model and the environment
 * registry to the phases, each phase's environment, targets and injectors, and the dependencies some phase
 * stubs.
 * Every refusal here names the file and field; nothing is read, started or sent. The edge
 * (src/campaign/run-campaign.ts `prepareCampaign`) reads the files and checks the tools around it.
 */
import { inputError } from '../errors.js';
import { transactionsForPhase, type Phase } from '../model/compile.js';
import type { LoadedModel } from '../model/load.js';
import { resolveEnvironment, type LoadedConfig, type ResolvedEnvironment } from '../environments/registry.js';
import type { StubSet } from '../stubs/stub-set.js';
import { planPhases, type CampaignDefinition, type PhasePlan } from './definition.js';
import type { TargetController } from './targets.js';
import { parseInjectors } from '../injectors/spec.js';
import { checkRemoteTargets } from '../injectors/reach.js';

/** What the user chose on the command line. */
export interface CampaignChoice {
  phases: readonly Phase[];
  profile?: string;
  env?: string;
  /** `--injectors`: every phase's, over the campaign file's and the environments'. */
  injectors?: string;
}

export interface PurePlan {
  phases: PhasePlan[];
  /** Each phase's resolved environment (production guard passed). */
  environments: Map<Phase, ResolvedEnvironment>;
  /** Dependencies some phase stubs, sorted. */
  stubbedAny: string[];
  /** Whether the end-to-end phase plays browser transactions (it then needs Chromium). */
  needsBrowser: boolean;
}

/**
 * Targets k6 calls in a phase: those the phase's transactions declare (`targets:`), else the environment's,
 * minus the campaign's dependencies (k6 calls the service; the service calls its dependencies).
 */
export function phaseTargets(loaded: LoadedModel, plan: PhasePlan, env: ResolvedEnvironment, def: CampaignDefinition): Record<string, string> {
  const active = transactionsForPhase(loaded.model, plan.phase);
  const declared = [...new Set(active.flatMap(({ t }) => t.targets ?? []))];
  const names = (declared.length > 0 ? declared : Object.keys(env.env.targets)).filter((n) => !def.dependencies.includes(n));
  const out: Record<string, string> = {};
  for (const n of names) {
    const url = env.env.targets[n];
    if (!url) throw inputError(env.declaredIn, `environments.${env.name}.targets.${n}`, `a URL for target "${n}" (the transactions of phase ${plan.phase} call it)`);
    out[n] = url;
  }
  return out;
}

/**
 * A phase's injectors: its own (`--injectors`, the campaign file's phase), else its environment's. Checked
 * here, before anything starts: the spec (src/injectors/spec.ts) and, for SSH injectors, targets that are not
 * this machine's loopback (another host would call itself there: a phase whose target listens on loopback
 * runs its injectors on this host, `local:N`); an end-to-end phase with browser transactions too (one shared
 * Chromium here). Each phase may use another set.
 */
function phaseInjectors(plan: PhasePlan, env: ResolvedEnvironment, targets: Record<string, string>, browser: boolean): Pick<PhasePlan, 'injectors'> {
  const own = plan.injectors ?? (env.env.injectors !== undefined ? { spec: env.env.injectors, from: `${env.declaredIn}: environments.${env.name}.injectors` } : undefined);
  if (!own) return {};
  const planned = parseInjectors(own.spec, own.from);
  const remote = planned.find((i) => i.where.kind === 'ssh');
  if (browser && remote) {
    throw inputError(own.from, remote.name, `local injectors in phase ${plan.phase}: its browser transactions drive the one Chromium perfcell starts on this machine`);
  }
  checkRemoteTargets(planned, targets, { injectors: own.from, targets: `${env.declaredIn}: environments.${env.name}.targets` });
  return { injectors: own };
}

export function planCampaign(input: { definition: CampaignDefinition; defFile: string; loaded: LoadedModel; config: LoadedConfig }, choice: CampaignChoice): PurePlan {
  const { definition, defFile, loaded, config } = input;
  const { model } = loaded;
  const chosen = planPhases(definition, choice.phases, { profile: choice.profile, environment: choice.env, injectors: choice.injectors, file: defFile });
  const environments = new Map<Phase, ResolvedEnvironment>();
  const phases: PhasePlan[] = [];
  for (const plan of chosen) {
    if (!model.profiles[plan.profile]) throw inputError(loaded.file, 'profiles', `a profile named "${plan.profile}" for phase ${plan.phase} (this model has: ${Object.keys(model.profiles).join(', ')})`);
    const env = resolveEnvironment(config, model, loaded.file, plan.environment);
    // The reference target starts its real dependencies itself; any other target is told where they are.
    for (const d of definition.target.kind === 'reference' ? [] : plan.real) {
      if (!env.env.targets[d]) throw inputError(env.declaredIn, `environments.${env.name}.targets.${d}`, `the URL of dependency "${d}" (it is not stubbed in phase ${plan.phase})`);
    }
    const targets = phaseTargets(loaded, plan, env, definition);
    environments.set(plan.phase, env);
    const browser = plan.phase === 'e2e' && model.transactions.some((t) => t.browser);
    phases.push({ ...plan, ...phaseInjectors(plan, env, targets, browser) });
  }
  const stubbedAny = [...new Set(phases.flatMap((p) => p.stubbed))].sort();
  if (definition.target.kind === 'external') {
    const missing = stubbedAny.filter((d) => definition.stubPorts[d] === undefined);
    if (missing.length > 0) throw inputError(defFile, 'stubPorts', `a fixed port for ${missing.join(', ')} (an external target calls the stubs where you configured it to)`);
  }
  const needsBrowser = phases.some((p) => p.phase === 'e2e') && model.transactions.some((t) => t.browser);
  return { phases, environments, stubbedAny, needsBrowser };
}

/** Everything a campaign needs once its inputs are read and checked: nothing has started, no load was sent. */
export interface CampaignPlan extends PurePlan {
  definition: CampaignDefinition;
  defFile: string;
  controller: TargetController;
  loaded: LoadedModel;
  /** The stub sets of `stubbedAny`. */
  sets: StubSet[];
  /** Chromium for the end-to-end phase's browser transactions, when it has any. */
  chromium: string | undefined;
}
