// The guardrail side of the operator, wired: which guardrail APIs are served (guardrail-apis.ts), the
// engines of the last cluster scan, and the guardrail controller (guardrail-work.ts) with name watches for
// clashing objects. Object events map to their key (profile or shared Tier); a change of the facts (an API
// installed or removed, another engine) is handed to the event handlers, which recompile the profiles.
import type { ScannedEngine } from '../compile/guardrails/index.js';
import type { KubeClient } from '../kube/client.js';
import { GUARDRAIL_KINDS, guardrailCollectionPath, type ObservedGuardrail } from '../kube/guardrail-api.js';
import { watchObjectName } from '../kube/name-watch.js';
import type { CacheOptions } from './caches.js';
import { ConflictWatches } from './conflicts.js';
import { GuardrailApis } from './guardrail-apis.js';
import type { GuardrailOutcome } from './guardrail-condition.js';
import { backendInPlace, guardrailKey } from './guardrail-plan.js';
import { GuardrailWork } from './guardrail-work.js';
import { errorMessage, type Logger } from './log.js';
import type { GuardrailFacts, ProfileRegistry } from './profiles.js';

export interface GuardrailsDeps {
  client: KubeClient;
  registry: ProfileRegistry;
  cache: CacheOptions;
  log: Logger;
  /** A profile's Guardrails outcome changed. */
  onOutcome: (profile: string) => void;
  /** The facts that decide backends changed: recompile the profiles (EventHandlers.onGuardrailFacts). */
  onFacts: (facts: GuardrailFacts) => void;
  /** Guardrail objects of this profile came or went (EventHandlers.onGuardrailObjects). */
  onObjects: (profile: string) => void;
  /** Every namespace the profile selects has its per-namespace blocks (break after make on the way back). */
  blocksInPlace?: (profile: string) => boolean;
}

export class Guardrails {
  readonly apis: GuardrailApis;
  readonly work: GuardrailWork;
  private readonly clashes: ConflictWatches;
  private engines?: readonly ScannedEngine[];

  constructor(private readonly d: GuardrailsDeps) {
    const cameOrWent = (o: ObservedGuardrail) => {
      const key = guardrailKey(o);
      this.work.add(key);
      if (key !== undefined) d.onObjects(key);
    };
    this.apis = new GuardrailApis({
      client: d.client,
      cache: d.cache,
      handlers: { add: cameOrWent, update: (old, o) => (this.work.add(guardrailKey(old)), cameOrWent(o)), delete: cameOrWent },
      onServedChanged: (served) => {
        d.log.info('guardrail APIs served', { apis: [...served].sort() });
        d.onFacts(this.facts());
      },
      onError: (err) => d.log.warn(`guardrail API informers: ${errorMessage(err)}`),
    });
    this.clashes = new ConflictWatches({
      // The "namespace" of a clash is the work key; its "name" is Kind/name.
      watch: (key, kindName, onChange) => {
        const [kind, name] = kindName.split('/') as [string, string];
        const k = GUARDRAIL_KINDS.find((g) => g.kind === kind)!;
        return watchObjectName(d.client, `clashing-${k.plural}`, guardrailCollectionPath(k), '', name, onChange, d.cache);
      },
      enqueue: (key) => this.work.add(key),
      onError: (err) => d.log.warn(`watch of a clashing guardrail object: ${errorMessage(err)}`),
    });
    this.work = new GuardrailWork({
      client: d.client,
      registry: d.registry,
      observed: () => this.apis.list(),
      served: () => this.apis.servedApis(),
      log: d.log,
      onOutcome: d.onOutcome,
      onClashes: (key, clashes) => this.clashes.set(key, clashes),
      ...(d.blocksInPlace ? { blocksInPlace: d.blocksInPlace } : {}),
    });
  }

  facts(): GuardrailFacts {
    return {
      served: this.apis.servedApis(),
      ...(this.engines ? { engines: this.engines } : {}),
      inPlace: (profile) => backendInPlace(this.apis.list().filter((o) => guardrailKey(o) === profile)),
      present: (profile) => new Set(this.apis.list().flatMap((o) => (guardrailKey(o) === profile && !o.metadata.deletionTimestamp ? [`${o.kind}/${o.metadata.name}`] : []))),
    };
  }

  /** The engines of a cluster scan (undefined when it could not tell). */
  setEngines(engines: readonly ScannedEngine[] | undefined): void {
    if (engines === undefined || JSON.stringify(engines) === JSON.stringify(this.engines)) return;
    this.engines = engines;
    this.d.onFacts(this.facts());
  }

  outcome(profile: string): GuardrailOutcome | undefined {
    return this.work.outcome(profile);
  }

  /** Resolves when the served APIs are known and their caches synced (before any profile is compiled). */
  async start(): Promise<void> {
    await this.apis.start();
    this.d.onFacts(this.facts());
  }

  begin(): void {
    this.work.begin();
  }

  async end(drain = true): Promise<void> {
    void this.clashes.clear();
    await this.work.end(drain);
  }

  async stop(): Promise<void> {
    await this.clashes.clear();
    await this.apis.stop();
  }
}
