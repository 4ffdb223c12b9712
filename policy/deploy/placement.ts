/**
 * The placement check: every workload a chart or a custom resource runs must fit the nodes it has
 * to land on. A node pool's taints come from its KubeadmConfigTemplate (`nodeRegistration.taints`),
 * its labels from the kubelet's `node-labels`, from kubeadm (`node-role.kubernetes.io/control-plane`
 * on control-plane nodes, `kubernetes.io/os|arch|hostname` everywhere) and, once a cloud provider
 * (CPI) is declared for the cluster, `topology.kubernetes.io/zone|region`. Clusters adopted as they
 * are (mode `existing`) have no declared nodes: their workloads are not checked here.
 *
 * A Deployment or Job (`any`) needs one node group it tolerates and whose labels its nodeSelector
 * and required node affinity match; a DaemonSet that must be everywhere (`every`) must tolerate
 * every worker pool.
 */
import { asArray, asString, chartValues, groupOf, isObject, type Json, type KubeObject, type Resource } from '../audit/model';
import { CHARTS } from './charts';
import type { Finding } from './types';
import { at, joinPath, objectRoot, type EnvironmentView, type StackView } from './view';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

/** Nodes that share labels and taints: a node pool, or the control plane. */
export interface NodeGroup {
  readonly name: string;
  /** Label → value; `*` when the value is not known in advance (hostname, zone). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly controlPlane: boolean;
}

export interface ClusterNodes {
  readonly cluster: string;
  readonly groups: readonly NodeGroup[];
  /** True when a CPI is declared, so nodes get topology labels. */
  readonly cloudProvider: boolean;
}

const ANY = '*';
/** The taint kubeadm puts on control-plane nodes when `nodeRegistration.taints` is unset. */
const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const BASE_LABELS = { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': ANY };
/** Labels the cloud node controller sets from the CPI's zones (k8s.io/cloud-provider node controller). */
const CLOUD_LABELS = { 'topology.kubernetes.io/zone': ANY, 'topology.kubernetes.io/region': ANY, 'failure-domain.beta.kubernetes.io/zone': ANY, 'failure-domain.beta.kubernetes.io/region': ANY, 'node.kubernetes.io/instance-type': ANY };

/** The `node-labels` kubelet argument, in the v1beta2 list form or the older map. */
function nodeLabels(registration: Json): Record<string, string> {
  const args = registration.kubeletExtraArgs;
  let raw: string | undefined;
  if (Array.isArray(args)) raw = asString(args.find((a) => isObject(a) && a.name === 'node-labels')?.value);
  else if (isObject(args)) raw = asString(args['node-labels']);
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    out[k!.trim()] = (v ?? '').trim();
  }
  return out;
}

function taintsOf(registration: Json, controlPlane: boolean): Taint[] {
  if (!Array.isArray(registration.taints)) return controlPlane ? [CONTROL_PLANE_TAINT] : [];
  return registration.taints.filter(isObject).map((t) => ({ key: String(t.key ?? ''), ...(t.value !== undefined ? { value: String(t.value) } : {}), effect: String(t.effect ?? '') }));
}

const registrationAt = (spec: unknown, config: 'joinConfiguration' | 'initConfiguration'): Json => {
  const c = isObject(spec) && isObject(spec[config]) ? spec[config] : {};
  return isObject(c.nodeRegistration) ? c.nodeRegistration : {};
};

/** True when an add-on is declared for `cluster`: a chart in one of its stacks, or a CAAPH HelmChartProxy. */
export function addonDeclared(view: EnvironmentView, cluster: string, charts: readonly string[]): boolean {
  for (const s of view.stacks) {
    for (const r of s.model.resources) {
      if (s.cluster === cluster && r.type === 'helm_release' && charts.includes(String(r.body.chart))) return true;
    }
    for (const o of s.model.objectsOf('HelmChartProxy', 'addons.cluster.x-k8s.io')) {
      if (charts.includes(String(o.spec.chartName)) && selects(o.spec.clusterSelector, clusterLabels(view, cluster))) return true;
    }
  }
  return false;
}

function clusterLabels(view: EnvironmentView, cluster: string): Readonly<Record<string, string>> {
  for (const s of view.stacks) for (const c of s.model.objectsOf('Cluster', 'cluster.x-k8s.io')) if (c.name === cluster) return c.labels;
  return {};
}

function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObject(selector)) return false;
  const match = isObject(selector.matchLabels) ? selector.matchLabels : {};
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

/** The node groups of every Cluster API cluster declared in the environment. */
export function clusterNodes(view: EnvironmentView): Map<string, ClusterNodes> {
  const out = new Map<string, ClusterNodes>();
  for (const s of view.stacks) {
    for (const c of s.model.objectsOf('Cluster', 'cluster.x-k8s.io')) {
      const cloudProvider = addonDeclared(view, c.name, ['vsphere-cpi']);
      const extra = cloudProvider ? CLOUD_LABELS : {};
      const groups: NodeGroup[] = [];
      const cpName = isObject(c.spec.controlPlaneRef) ? c.spec.controlPlaneRef.name : undefined;
      const kcp = s.model.objectsOf('KubeadmControlPlane').find((k) => k.name === cpName && k.namespace === c.namespace);
      if (kcp) {
        const spec = isObject(kcp.spec.kubeadmConfigSpec) ? kcp.spec.kubeadmConfigSpec : {};
        const reg = registrationAt(spec, 'initConfiguration');
        groups.push({
          name: 'control-plane',
          labels: { ...BASE_LABELS, ...extra, 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '', ...nodeLabels(reg) },
          taints: taintsOf(reg, true),
          controlPlane: true,
        });
      }
      for (const md of s.model.objectsOf('MachineDeployment', 'cluster.x-k8s.io')) {
        if (md.spec.clusterName !== c.name || md.namespace !== c.namespace) continue;
        const ref = at(md.spec, 'template.spec.bootstrap.configRef.name');
        const template = s.model.objectsOf('KubeadmConfigTemplate').find((t) => t.name === ref && t.namespace === md.namespace);
        const reg = registrationAt(at(template?.spec, 'template.spec'), 'joinConfiguration');
        groups.push({ name: md.name, labels: { ...BASE_LABELS, ...extra, ...nodeLabels(reg) }, taints: taintsOf(reg, false), controlPlane: false });
      }
      out.set(c.name, { cluster: c.name, groups, cloudProvider });
    }
  }
  return out;
}

/** A workload's scheduling, as the check needs it. */
export interface Workload {
  readonly name: string;
  readonly resource: Resource;
  readonly runsOn: 'any' | 'every';
  readonly tolerations: readonly Json[];
  readonly tolerationsField: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly nodeSelectorField?: string;
  /** `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms` of a node affinity. */
  readonly affinityTerms: readonly Json[];
  readonly affinityField?: string;
  /** Node label keys the workload needs on its node (Strimzi's rack key), with the field naming it. */
  readonly requiredLabels?: ReadonlyArray<{ readonly key: string; readonly field: string; readonly resource: Resource }>;
  /** Why the scheduling is read where it is (charts.ts `note`). */
  readonly note?: string;
}

/** True when `t` (a toleration) tolerates `taint`. */
export function tolerates(t: Json, taint: Taint): boolean {
  const operator = asString(t.operator) ?? 'Equal';
  const effect = asString(t.effect);
  if (effect && effect !== taint.effect) return false;
  const key = asString(t.key) ?? '';
  if (key === '') return operator === 'Exists';
  if (key !== taint.key) return false;
  return operator === 'Exists' || (asString(t.value) ?? '') === (taint.value ?? '');
}

const blocking = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
export const untolerated = (w: Workload, g: NodeGroup): Taint[] => g.taints.filter((t) => blocking(t) && !w.tolerations.some((x) => tolerates(x, t)));

function labelMatches(labels: Readonly<Record<string, string>>, key: string, value: string): boolean {
  const v = labels[key];
  return v !== undefined && (v === ANY || v === value);
}

function expressionMatches(labels: Readonly<Record<string, string>>, e: Json): boolean {
  const key = asString(e.key) ?? '';
  const values = asArray(e.values).map(String);
  const v = labels[key];
  switch (e.operator) {
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'In':
      return v !== undefined && (v === ANY || values.includes(v));
    case 'NotIn':
      return v === undefined || v === ANY || !values.includes(v);
    default:
      return true;
  }
}

/** Labels a workload's selectors ask for that `g` lacks; empty when it may run there. */
export function selectorMisses(w: Workload, g: NodeGroup): string[] {
  const misses = Object.entries(w.nodeSelector).filter(([k, v]) => !labelMatches(g.labels, k, v)).map(([k, v]) => `${k}=${v}`);
  if (w.affinityTerms.length > 0) {
    const ok = w.affinityTerms.some((term) => asArray(term.matchExpressions).filter(isObject).every((e) => expressionMatches(g.labels, e)));
    if (!ok) misses.push('its required node affinity');
  }
  for (const r of w.requiredLabels ?? []) if (g.labels[r.key] === undefined) misses.push(r.key);
  return misses;
}

const termsOf = (affinity: unknown): Json[] => {
  const req = at(affinity, 'nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms');
  return asArray(req).filter(isObject);
};
const nodeAffinityTerms = (nodeAffinity: unknown): Json[] => asArray(at(nodeAffinity, 'requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms')).filter(isObject);
const stringMap = (v: unknown): Record<string, string> => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});

/** The workloads of the chart releases of a stack (CHARTS table). */
export function chartWorkloads(resource: Resource, defaults: unknown): Workload[] {
  const facts = CHARTS[String(resource.body.chart)];
  if (!facts) return [];
  const values = chartValues(resource);
  const pick = (path: string | undefined) => (path === undefined ? undefined : at(values, path) ?? at(defaults, path));
  const out: Workload[] = [];
  for (const c of facts.components) {
    if (c.enabledBy && (pick(c.enabledBy) ?? (defaults === undefined ? c.enabledDefault === true : false)) !== true) continue;
    const fromDefaults = defaults !== undefined;
    const tolerations = (at(values, c.tolerations) ?? (fromDefaults ? at(defaults, c.tolerations) : c.fallback?.tolerations)) as unknown;
    const nodeSelector = c.nodeSelector ? (at(values, c.nodeSelector) ?? (fromDefaults ? at(defaults, c.nodeSelector) : c.fallback?.nodeSelector)) : undefined;
    const affinity = pick(c.affinity) ?? pick(c.affinityDefault);
    out.push({
      name: `${resource.body.chart} ${c.name}`,
      resource,
      ...(c.note ? { note: c.note } : {}),
      runsOn: c.runsOn,
      tolerations: asArray(tolerations).filter(isObject),
      tolerationsField: `values.${c.tolerations}`,
      nodeSelector: stringMap(nodeSelector),
      ...(c.nodeSelector ? { nodeSelectorField: `values.${c.nodeSelector}` } : {}),
      affinityTerms: termsOf(affinity),
      ...(c.affinity ? { affinityField: `values.${at(values, c.affinity) === undefined && c.affinityDefault ? c.affinityDefault : c.affinity}` } : {}),
    });
  }
  return out;
}

/** The workloads custom resources and typed Jobs of a stack run. */
export function objectWorkloads(stack: StackView): Workload[] {
  const out: Workload[] = [];
  const objects = stack.model.objects;
  const pod = (o: KubeObject, name: string, path: string, runsOn: Workload['runsOn'] = 'any', extra: Partial<Workload> = {}) => {
    const root = objectRoot(o);
    const p = at(o.raw, path);
    const spec = isObject(p) ? p : {};
    out.push({
      name,
      resource: o.resource,
      runsOn,
      tolerations: asArray(spec.tolerations ?? spec.toleration).filter(isObject),
      tolerationsField: joinPath(root, `${path}.tolerations`),
      nodeSelector: stringMap(spec.nodeSelector),
      nodeSelectorField: joinPath(root, `${path}.nodeSelector`),
      affinityTerms: termsOf(spec.affinity),
      affinityField: joinPath(root, `${path}.affinity`),
      ...extra,
    });
  };
  for (const o of objects) {
    const id = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    switch (`${o.kind}.${groupOf(o.apiVersion)}`) {
      case 'KafkaNodePool.kafka.strimzi.io': {
        const kafkaName = o.labels['strimzi.io/cluster'];
        const kafka = objects.find((k) => k.kind === 'Kafka' && k.name === kafkaName && k.namespace === o.namespace);
        const rackKey = asString(at(kafka?.spec, 'kafka.rack.topologyKey'));
        const roles = asArray(o.spec.roles);
        const required = rackKey && kafka && roles.includes('broker') ? [{ key: rackKey, field: `${objectRoot(kafka)}.spec.kafka.rack.topologyKey`, resource: kafka.resource }] : undefined;
        pod(o, id, 'spec.template.pod', 'any', required ? { requiredLabels: required } : {});
        break;
      }
      case 'Kafka.kafka.strimzi.io':
        if (isObject(o.spec.entityOperator)) pod(o, `${id} entity operator`, 'spec.entityOperator.template.pod');
        if (isObject(o.spec.cruiseControl)) pod(o, `${id} cruise control`, 'spec.cruiseControl.template.pod');
        break;
      case 'KafkaMirrorMaker2.kafka.strimzi.io':
        pod(o, id, 'spec.template.pod');
        break;
      case 'Cluster.postgresql.cnpg.io': {
        const a = isObject(o.spec.affinity) ? o.spec.affinity : {};
        const root = objectRoot(o);
        out.push({
          name: id,
          resource: o.resource,
          runsOn: 'any',
          tolerations: asArray(a.tolerations).filter(isObject),
          tolerationsField: joinPath(root, 'spec.affinity.tolerations'),
          nodeSelector: stringMap(a.nodeSelector),
          nodeSelectorField: joinPath(root, 'spec.affinity.nodeSelector'),
          affinityTerms: nodeAffinityTerms(a.nodeAffinity),
          affinityField: joinPath(root, 'spec.affinity.nodeAffinity'),
        });
        break;
      }
      case 'Pooler.postgresql.cnpg.io':
        pod(o, id, 'spec.template.spec');
        break;
      case 'CephCluster.ceph.rook.io': {
        const placement = isObject(o.spec.placement) ? o.spec.placement : {};
        const all = isObject(placement.all) ? placement.all : {};
        for (const daemon of ['mon', 'mgr', 'osd']) {
          const own = isObject(placement[daemon]) ? placement[daemon] : {};
          const field = (k: string) => `values.cephClusterSpec.placement.${isObject(placement[daemon]) && own[k] !== undefined ? daemon : 'all'}.${k}`;
          out.push({
            name: `${id} ${daemon}`,
            resource: o.resource,
            runsOn: 'any',
            // Rook merges `all` into each daemon's placement (tolerations are appended).
            tolerations: [...asArray(all.tolerations), ...asArray(own.tolerations)].filter(isObject),
            tolerationsField: field('tolerations'),
            nodeSelector: {},
            affinityTerms: nodeAffinityTerms(own.nodeAffinity ?? all.nodeAffinity),
            affinityField: field('nodeAffinity'),
          });
        }
        break;
      }
      case 'CephObjectStore.ceph.rook.io': {
        const p = at(o.spec, 'gateway.placement');
        const placement = isObject(p) ? p : {};
        const root = objectRoot(o);
        out.push({
          name: `${id} gateway`,
          resource: o.resource,
          runsOn: 'any',
          tolerations: asArray(placement.tolerations).filter(isObject),
          tolerationsField: joinPath(root, 'spec.gateway.placement.tolerations'),
          nodeSelector: {},
          affinityTerms: nodeAffinityTerms(placement.nodeAffinity),
          affinityField: joinPath(root, 'spec.gateway.placement.nodeAffinity'),
        });
        break;
      }
      case 'Job.':
        pod(o, id, 'spec.template.spec');
        break;
      case 'CronJob.':
        pod(o, id, 'spec.jobTemplate.spec.template.spec');
        break;
    }
  }
  return out;
}

const describeTaint = (t: Taint) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`;
const describeGroup = (g: NodeGroup) => `${g.name} (${g.taints.filter(blocking).map(describeTaint).join(', ') || 'no taint'})`;

/** Checks the workloads of one stack against the nodes of its cluster. */
export function checkWorkloads(stack: StackView, nodes: ClusterNodes, workloads: readonly Workload[]): Finding[] {
  const findings: Finding[] = [];
  const workers = nodes.groups.filter((g) => !g.controlPlane);
  for (const w of workloads) {
    const base = { check: 'placement' as const, stack: stack.name, address: w.resource.address, constructPath: w.resource.path };
    if (w.runsOn === 'every') {
      const missed = workers.filter((g) => untolerated(w, g).length > 0);
      if (missed.length > 0) {
        findings.push({
          ...base,
          field: w.tolerationsField,
          value: w.tolerations,
          message: `${w.name} must run on every node, but does not tolerate the taints of node pool${missed.length === 1 ? '' : 's'} ${missed.map(describeGroup).join(', ')}${w.note ? ` (${w.note})` : ''}`,
          fix: `add tolerations for those taints at ${w.tolerationsField} (for the zone taints: {key: "moit.gov.vn/zone", operator: "Exists", effect: "NoSchedule"})`,
        });
      }
      continue;
    }
    const tolerated = nodes.groups.filter((g) => untolerated(w, g).length === 0);
    if (tolerated.length === 0) {
      findings.push({
        ...base,
        field: w.tolerationsField,
        value: w.tolerations,
        message: `${w.name} tolerates the taints of no node group of cluster ${nodes.cluster}: ${nodes.groups.map(describeGroup).join(', ')}; its pods would stay Pending${w.note ? ` (${w.note})` : ''}`,
        fix: `tolerate the taint of the pool it should run on at ${w.tolerationsField} (e.g. {key: "moit.gov.vn/zone", operator: "Equal", value: "mgmt", effect: "NoSchedule"}) and select that pool with the label moit.gov.vn/zone`,
      });
      continue;
    }
    if (tolerated.some((g) => selectorMisses(w, g).length === 0)) continue;
    const misses = [...new Set(tolerated.flatMap((g) => selectorMisses(w, g)))];
    const required = (w.requiredLabels ?? []).find((r) => misses.includes(r.key));
    const offered = [...new Set(tolerated.flatMap((g) => Object.keys(g.labels)))].sort().join(', ');
    if (required) {
      findings.push({
        ...base,
        address: required.resource.address,
        constructPath: required.resource.path,
        field: required.field,
        value: required.key,
        message: `${w.name} needs the node label ${required.key} on its nodes, but no node pool of cluster ${nodes.cluster} it may run on sets it${nodes.cloudProvider ? '' : ' and no cloud provider (CPI) is declared to set topology labels'} (labels set: ${offered})`,
        fix: nodes.cloudProvider ? `use a label the pools set (e.g. moit.gov.vn/zone)` : `declare the vSphere CPI with zones for cluster ${nodes.cluster}, or use a label the pools set (e.g. moit.gov.vn/zone)`,
      });
      continue;
    }
    const field = Object.keys(w.nodeSelector).length > 0 && misses.some((m) => m.includes('=')) ? w.nodeSelectorField : w.affinityField;
    findings.push({
      ...base,
      field: field ?? w.tolerationsField,
      value: field === w.nodeSelectorField ? w.nodeSelector : w.affinityTerms,
      message: `${w.name} selects nodes by ${misses.join(', ')}, which no node group it tolerates provides (${tolerated.map((g) => g.name).join(', ')}; labels set: ${offered}); its pods would stay Pending`,
      fix: `select a label the node pools set (moit.gov.vn/zone=<zone>, kubernetes.io/os=linux${nodes.cloudProvider ? ', topology.kubernetes.io/zone' : ''}), or add the label to the pool`,
    });
  }
  return findings;
}

/** The placement check over an environment; `defaultsOf` gives a chart's values.yaml when available. */
export function checkPlacement(view: EnvironmentView, defaultsOf: (resource: Resource) => unknown): Finding[] {
  const nodes = clusterNodes(view);
  const findings: Finding[] = [];
  for (const stack of view.stacks) {
    const cluster = nodes.get(stack.cluster);
    if (!cluster || cluster.groups.length === 0) continue;
    const workloads = [...stack.model.resources.filter((r) => r.type === 'helm_release').flatMap((r) => chartWorkloads(r, defaultsOf(r))), ...objectWorkloads(stack)];
    findings.push(...checkWorkloads(stack, cluster, workloads));
  }
  return findings;
}
