/**
 * The operational prerequisites of one environment: what must exist outside this repository
 * before (or while) it is applied, and who provides it. Derived from the synthesized stacks, the
 * same reference model the deployability check uses (policy/deploy, policy/prerequisites.ts):
 *
 * - Secrets and other objects constructs declare with `declarePrerequisite` (lib/markers.ts);
 * - the internal registry that mirrors Cluster API and the charts (the site is air-gapped);
 * - the identity provider and the groups the RBAC bindings name;
 * - the DNS names the estate connects to or publishes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, loadEnvironments, type Environment } from '../../environments';
import { UserError } from '../../lib/errors';
import { createApp } from '../../lib/tf';
import { asArray, asString, isObject, stackModel, type Json, type StackModel } from '../../policy/audit/model';
import { at } from '../../policy/deploy/view';
import { declaredPrerequisites, PROVIDERS, type PrerequisiteKind, type Provider } from '../../policy/prerequisites';
import { MODE_CONTEXT } from '../../stacks/deployability';
import { buildEnvironment } from '../../stacks/estate';
import { readSynthesized } from '../../lib/synthesized';

/** Who consumes a prerequisite. */
export interface Consumer {
  readonly stack: string;
  readonly address: string;
  readonly path?: string;
}

export interface PrerequisiteEntry {
  readonly kind: PrerequisiteKind;
  readonly name: string;
  /** The cluster it must exist in, for Kubernetes objects. */
  readonly cluster?: string;
  readonly namespace?: string;
  readonly providedBy: Provider;
  readonly purpose: string;
  readonly keys: readonly string[];
  /** How a bootstrap Secret is rotated, and by whom. */
  readonly rotation?: string;
  readonly consumers: readonly Consumer[];
}

export interface PrerequisiteReport {
  readonly environment: string;
  readonly entries: readonly PrerequisiteEntry[];
}

/** Checks `--env`: exactly one known environment. */
export function checkEnvironmentName(name: string | undefined): string {
  if (!name) throw new UserError(`--env: required; one of ${ENVIRONMENT_NAMES.join(', ')}`);
  if (!ENVIRONMENT_NAMES.includes(name)) throw new UserError(`--env: unknown environment ${JSON.stringify(name)}; known: ${ENVIRONMENT_NAMES.join(', ')}`);
  return name;
}

/** Synthesizes one environment (deployability in report mode) and returns its stacks' models. */
export function synthesizeModels(environment: Environment): StackModel[] {
  const outdir = mkdtempSync(join(tmpdir(), 'moit-prereqs-'));
  try {
    const app = createApp({ outdir, context: { [MODE_CONTEXT]: 'report' } });
    const stacks = buildEnvironment(app, environment);
    app.synth();
    const names = [...(stacks.management ? [stacks.management.platform, stacks.management.clusters] : []), ...stacks.clusters.flatMap((c) => [c.platform, c.services])].map((s) => s.node.id);
    const written = new Map(readSynthesized(outdir).stacks.map((s) => [s.name, s.json as Json]));
    return names.map((n) => stackModel(n, written.get(n)!));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
};

/** The prerequisites of the synthesized stacks of one environment. */
export function prerequisitesOf(environment: Environment, models: readonly StackModel[]): PrerequisiteReport {
  const entries = new Map<string, { entry: Omit<PrerequisiteEntry, 'consumers'>; consumers: Consumer[] }>();
  const add = (entry: Omit<PrerequisiteEntry, 'consumers'>, consumer?: Consumer) => {
    const key = `${entry.kind}|${entry.cluster ?? ''}|${entry.namespace ?? ''}|${entry.name}`;
    const found = entries.get(key) ?? { entry, consumers: [] };
    if (consumer && !found.consumers.some((c) => c.address === consumer.address && c.stack === consumer.stack)) found.consumers.push(consumer);
    entries.set(key, found);
  };
  const groups = new Map<string, Consumer[]>();
  for (const m of models) {
    const cluster = m.environment?.cluster ?? m.name;
    for (const p of declaredPrerequisites(m)) {
      add({ kind: p.kind, name: p.name, ...(p.kind === 'openbao-value' ? {} : { cluster }), ...(p.namespace ? { namespace: p.namespace } : {}), providedBy: p.providedBy, purpose: p.purpose, keys: p.keys, ...(p.rotation ? { rotation: p.rotation } : {}) }, { stack: m.name, address: p.resource.address, path: p.resource.path });
    }
    for (const r of m.resources) {
      const consumer = { stack: m.name, address: r.address, path: r.path };
      // Charts come from their repositories, which the air-gapped site mirrors.
      if (r.type === 'helm_release' && typeof r.body.repository === 'string') {
        add({ kind: 'registry', name: r.body.repository, providedBy: 'registry-team', purpose: 'A mirror of this Helm chart repository, reachable from the site (it is air-gapped), serving the pinned chart versions.', keys: [] }, consumer);
      }
      // Groups named by RBAC bindings must exist in the identity provider.
      if (r.type === 'kubernetes_role_binding_v1' || r.type === 'kubernetes_cluster_role_binding_v1') {
        for (const s of asArray(r.body.subject)) {
          if (isObject(s) && s.kind === 'Group' && typeof s.name === 'string' && !s.name.startsWith('system:')) groups.set(s.name, [...(groups.get(s.name) ?? []), consumer]);
        }
      }
    }
    for (const o of m.objects) {
      const consumer = { stack: m.name, address: o.resource.address, path: o.resource.path };
      if (o.kind === 'VSphereCluster') {
        const server = asString(o.spec.server);
        if (server) add({ kind: 'dns-name', name: server, providedBy: 'network-team', purpose: 'vCenter, which Cluster API (CAPV) calls to create the machines; must resolve from the management cluster.', keys: [] }, consumer);
      }
      if (o.kind === 'Kafka') {
        for (const l of asArray(at(o.spec, 'kafka.listeners'))) {
          const c = isObject(l) && isObject(l.configuration) ? l.configuration : {};
          // `hostTemplate` names one host per broker node (`{nodeId}`): listed as the pattern.
          const hosts = [asString(at(c, 'bootstrap.host')), asString(c.hostTemplate), ...asArray(c.brokers).map((b) => (isObject(b) ? asString(b.host) : undefined))].filter((h): h is string => !!h);
          for (const h of hosts) add({ kind: 'dns-name', name: h, providedBy: 'network-team', purpose: `A published name of Kafka ${o.name} (listener ${isObject(l) ? String(l.name) : ''}), pointing at the exchange gateway.`, keys: [] }, consumer);
        }
      }
      if (o.kind === 'ObjectStore') {
        const host = hostOf(asString(at(o.spec, 'configuration.endpointURL')) ?? '');
        if (host && !host.endsWith('.svc') && !host.includes('.svc.')) add({ kind: 'dns-name', name: host, providedBy: 'network-team', purpose: 'The S3 endpoint of another site that a Postgres cluster reads backups from.', keys: [] }, consumer);
      }
    }
  }
  if (groups.size > 0) {
    const names = [...groups.keys()].sort();
    add(
      { kind: 'identity-provider', name: 'ministry identity provider', providedBy: 'identity-team', purpose: `An OIDC identity provider the API servers trust, whose tokens carry these groups (with the "oidc:" prefix as bound here): ${names.join(', ')}.`, keys: [] },
    );
    for (const n of names) for (const c of groups.get(n)!) add({ kind: 'identity-provider', name: 'ministry identity provider', providedBy: 'identity-team', purpose: '', keys: [] }, c);
  }
  // What unseals the secret store itself: the first of the bootstrap set (docs/secrets.md).
  add(unsealMaterial(environment));
  const management = environment.management;
  if (management) {
    add({ kind: 'registry', name: management.registry.repository, providedBy: 'registry-team', purpose: 'The internal OCI registry the Cluster API providers and the operator image are fetched from (fetchConfig); its credentials go in the provider variables Secret.', keys: [] });
  }
  const state = environment.state;
  if (state.type === 's3') {
    const host = hostOf(state.endpoint);
    if (host) add({ kind: 'dns-name', name: host, providedBy: 'network-team', purpose: `The S3 endpoint holding this environment's Terraform state (bucket ${state.bucket}).`, keys: [] });
  }
  const offsite = (environment as unknown as { backup?: { offsite?: { endpoint?: string } } }).backup?.offsite?.endpoint;
  const offsiteHost = offsite ? hostOf(offsite) : undefined;
  if (offsiteHost) add({ kind: 'dns-name', name: offsiteHost, providedBy: 'network-team', purpose: 'The other site\'s S3 endpoint the off-site backup copies are written to.', keys: [] });
  const order: readonly string[] = ['unseal-material', 'secret', 'openbao-value', 'configmap', 'registry', 'identity-provider', 'dns-name'];
  const list = [...entries.values()]
    .map(({ entry, consumers }) => ({ ...entry, consumers: consumers.sort((a, b) => a.stack.localeCompare(b.stack) || a.address.localeCompare(b.address)) }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.providedBy.localeCompare(b.providedBy) || (a.cluster ?? '').localeCompare(b.cluster ?? '') || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
  return { environment: environment.name, entries: list };
}

/** The unseal material of the environment's OpenBao (environment `secrets.unseal`), who holds it and how it is rotated. */
export function unsealMaterial(environment: Environment): Omit<PrerequisiteEntry, 'consumers'> {
  const u = environment.secrets.unseal;
  const base = { kind: 'unseal-material' as const, providedBy: 'security-officers' as const };
  switch (u.method) {
    case 'shamir':
      return { ...base, name: `OpenBao ${environment.name}: ${u.shares} Shamir key shares, ${u.threshold} to unseal`, purpose: 'Unseals OpenBao after every restart, entered by hand by the share holders; nothing is stored in a cluster.', keys: [], rotation: 'bao operator rekey with the threshold of holders present, whenever a holder leaves, and yearly.' };
    case 'transit':
      return { ...base, name: `OpenBao ${environment.name}: transit key ${u.keyName} at ${u.address}`, purpose: 'Auto-unseal: OpenBao asks the transit engine of the unsealing OpenBao to decrypt its root key; the token it uses is the only Secret this needs.', keys: ['token'], rotation: 'Rotate the transit key (bao write transit/keys/<name>/rotate) yearly; the token is periodic and renewed by OpenBao, re-issued on suspicion.' };
    case 'pkcs11':
      return { ...base, name: `OpenBao ${environment.name}: HSM slot ${u.slot}, key ${u.keyLabel}`, purpose: 'Auto-unseal: the HSM decrypts OpenBao\'s root key; the HSM PIN is the only Secret this needs.', keys: ['pin'], rotation: 'The HSM key is rotated inside the HSM by the security officers (bao operator rotate-keys re-wraps the root key); the PIN is changed yearly.' };
    case 'static':
      return { ...base, name: `OpenBao ${environment.name}: static unseal key`, purpose: 'Auto-unseal from a 32-byte key file mounted into the OpenBao pods; for rehearsals only.', keys: ['unseal.key'], rotation: 'A new key id is added to the seal stanza, OpenBao re-wraps its root key (seal migration), then the old key is removed.' };
  }
}

/** Loads, synthesizes and collects the prerequisites of one environment. */
export function environmentPrerequisites(name: string): PrerequisiteReport {
  const [environment] = loadEnvironments([checkEnvironmentName(name)]);
  return prerequisitesOf(environment!, synthesizeModels(environment!));
}

/** The description of a provider, for reports. */
export const describeProvider = (p: Provider): string => PROVIDERS[p];
