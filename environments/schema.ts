/**
 * The environment file format, validated at load time with zod. Every problem of a file is
 * reported at once, each with its path, the value received and what is allowed.
 *
 * Types for environment files come from here (`EnvironmentInput`), so editors catch most
 * mistakes while typing; the runtime check catches the rest (cross-references, HA minimums)
 * and protects users who build configs in their own tooling.
 */
import { ipv4CidrSchema } from '../lib/net';
import { z } from 'zod';
import { ZONE_NAMES, type ZoneName } from '../policy/zones';
import { ConfigError, ConfigProblem } from '../lib/errors';
import { checkObjectStorage, objectStorageSection } from './sections/object-storage';
import { checkClusterSettings, clusterBaselineSection, managementClusterApiFields, serviceCidr } from './sections/clusters';
import { checkPostgres, postgresSection } from './sections/postgres';
import { kafkaProblems, kafkaSection } from './sections/kafka';
import { backupSection, checkBackup } from './sections/backup';
import { auditSection } from './sections/audit';
import { admissionSection } from './sections/admission';
import { checkMonitoring, monitoringSection } from './sections/monitoring';
import { checkSecrets, secretsSection } from './sections/secrets';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (what: string) =>
  z
    .string()
    .max(40, { message: `${what} must be at most 40 characters (it becomes part of Kubernetes and Terraform names)` })
    .regex(DNS_LABEL, {
      message: `${what} must be a lower-case DNS label: letters, digits and '-', starting with a letter (for example "core" or "prod-a")`,
    });

export { ZONE_NAMES, type ZoneName };

/** Environment classes: what minimums apply (HA, retention, state) and what may be destroyed. */
export const ENVIRONMENT_CLASSES = ['development', 'staging', 'production', 'recovery'] as const;
export type EnvironmentClass = (typeof ENVIRONMENT_CLASSES)[number];

const kubeconfig = z.strictObject({
  /** Path to the kubeconfig file; `~` is expanded by the providers. @default "~/.kube/config" */
  path: z.string().min(1).default('~/.kube/config'),
  /** The context to use in that file. Credentials stay in the kubeconfig, never in code. */
  context: z.string().min(1, { message: 'context must name a kubeconfig context' }),
});

const cidr = ipv4CidrSchema('10.244.0.0/16');

const machine = z.strictObject({
  cpus: z.number().int().min(2).max(128),
  memoryMiB: z.number().int().min(2048).max(1048576),
  diskGiB: z.number().int().min(20).max(4096),
});

const zone = z.strictObject({
  name: z.enum(ZONE_NAMES),
  /** Security level of the zone (1-5, TCVN 14423:2026); it may not be below the environment's. */
  securityLevel: z.number().int().min(1).max(5),
  description: z.string().min(1),
});

const nodePool = z.strictObject({
  name: dnsLabel('a node pool name'),
  zone: z.enum(ZONE_NAMES),
  replicas: z.number().int().min(1).max(200),
  machine,
  /** The vSphere port group of this pool's zone. */
  network: z.string().min(1),
});

const vsphere = z.strictObject({
  server: z.string().min(1),
  /** SHA-256 or SHA-1 thumbprint of vCenter's certificate: pins its TLS identity. */
  thumbprint: z.string().regex(/^([0-9A-F]{2}:){19,31}[0-9A-F]{2}$/, { message: 'must be a certificate thumbprint like "AB:CD:...", upper-case hex pairs' }),
  datacenter: z.string().min(1),
  datastore: z.string().min(1),
  folder: z.string().min(1),
  resourcePool: z.string().min(1),
  /** The VM template the machines clone (an image with the kubelet of `kubernetesVersion`). */
  template: z.string().min(1),
  /** The cluster-scoped VSphereClusterIdentity; its Secret is created outside Terraform. */
  identity: z.strictObject({ name: dnsLabel('an identity name'), secretName: dnsLabel('a secret name') }),
  /** The port group of the control-plane machines (the mgmt zone's network). */
  controlPlaneNetwork: z.string().min(1),
  /** vCenter's address block (usually its /32): the vSphere provider's only egress outside the cluster. */
  serverCidr: serviceCidr,
});

/**
 * The network the cluster's nodes live on. The API server calls admission webhooks from it,
 * so webhook ingress is allowed from exactly this block and nothing wider.
 */
const nodeCidr = cidr;

/**
 * The addresses of the control-plane nodes (and the API server's VIP, if any): the API server
 * runs there on host networking, so operators reach it, and it calls admission webhooks from,
 * exactly this block, inside `nodeCidr` and never the whole node network (which also holds
 * other hosts, such as a registry mirror). /24 or narrower; usually the IPAM pool of the
 * control-plane machines.
 */
const controlPlaneCidr = serviceCidr;

const existingCluster = z.strictObject({
  name: dnsLabel('a cluster name'),
  mode: z.literal('existing'),
  kubeconfig,
  nodeCidr,
  controlPlaneCidr,
});

const clusterApiCluster = z.strictObject({
  name: dnsLabel('a cluster name'),
  mode: z.literal('clusterApi'),
  /** How the workload cluster is reached once Cluster API has created it. */
  kubeconfig,
  kubernetesVersion: z.string().regex(/^v1\.\d+\.\d+$/, { message: 'must be a Kubernetes version such as "v1.35.2"' }),
  controlPlane: z.strictObject({
    replicas: z.number().int().min(1).max(9),
    machine,
    /** The control-plane virtual IP (kube-vip). */
    endpoint: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(6443),
    }),
  }),
  vsphere,
  network: z.strictObject({ pods: cidr, services: cidr }),
  nodeCidr,
  controlPlaneCidr,
  nodePools: z.array(nodePool).min(1, { message: 'a Cluster API cluster needs at least one node pool' }),
});

const cluster = z.discriminatedUnion('mode', [existingCluster, clusterApiCluster]);

const state = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('local'),
    /** Folder for state files, relative to the project root. @default "terraform-state" */
    directory: z.string().min(1).default('terraform-state'),
  }),
  z.strictObject({
    /** S3-compatible backend on the data centre's own object store (Ceph RGW), with S3-native locking. */
    type: z.literal('s3'),
    bucket: z.string().min(3),
    /** Prefix of each stack's state key: `<keyPrefix>/<stack>.tfstate`. */
    keyPrefix: z.string().min(1),
    endpoint: z.string().regex(/^https:\/\//, { message: 'must be an https:// URL: state holds sensitive values and never travels in clear' }),
    region: z.string().min(1).default('dc-1'),
  }),
  z.strictObject({
    /** Postgres backend; the connection string comes from the PG_CONN_STR environment variable. */
    type: z.literal('pg'),
    /** Each stack gets schema `<schemaPrefix>_<stack>` (with '-' turned into '_'). */
    schemaPrefix: z.string().regex(/^[a-z][a-z0-9_]*$/, { message: 'must be a lower-case Postgres identifier prefix' }),
  }),
]);

export const environmentSchema = z
  .strictObject({
    name: dnsLabel('an environment name'),
    description: z.string().min(1),
    class: z.enum(ENVIRONMENT_CLASSES),
    /** May stateful resources be destroyed by a plan? Only a development environment may say yes. @default false */
    ephemeral: z.boolean().default(false),
    /** Information-system security level (TCVN 14423:2026), 1-5. */
    securityLevel: z.number().int().min(1).max(5),
    site: z.strictObject({
      name: dnsLabel('a site name'),
      location: z.string().min(1),
      /** Distance from the primary site, for a recovery site. */
      distanceFromPrimaryKm: z.number().min(0).optional(),
    }),
    state,
    zones: z.array(zone).min(1),
    /** The Cluster API management cluster; required when any cluster has mode "clusterApi". */
    management: z
      .strictObject({
        kubeconfig,
        /** Namespace on the management cluster holding this environment's Cluster API objects. */
        namespace: dnsLabel('a namespace'),
        /** Node network and internal registry of the management cluster (sections/clusters.ts). */
        ...managementClusterApiFields,
      })
      .optional(),
    clusters: z.array(cluster).min(1, { message: 'an environment needs at least one cluster' }),
    /** Ceph sizing, pool layout and bucket defaults of every workload cluster (sections/object-storage.ts). */
    objectStorage: objectStorageSection,
    /** Access groups and audit-log retention of every cluster (sections/clusters.ts). */
    clusterBaseline: clusterBaselineSection,
    /** CloudNativePG Postgres clusters per workload cluster (sections/postgres.ts). @default [] */
    postgres: postgresSection,
    /** Strimzi Kafka clusters per workload cluster and the off-site copy (sections/kafka.ts). @default { clusters: [] } */
    kafka: kafkaSection,
    /** Backup tiers, off-site target, receiving buckets and restore drills (sections/backup.ts). @default defaults of policy/backup/tiers.ts */
    backup: backupSection,
    /** Accepted audit findings, each with reason, owner and expiry (sections/audit.ts). @default [] */
    auditSuppressions: auditSection,
    /** Which admission policies refuse requests instead of warning (sections/admission.ts). @default { deny: [] } */
    admission: admissionSection,
    monitoring: monitoringSection,
    /** The OpenBao API and its unseal method (sections/secrets.ts). */
    secrets: secretsSection,
  })
  .superRefine((env, ctx) => {
    const problem = (path: (string | number)[], message: string, input: unknown) =>
      ctx.addIssue({ code: 'custom', path, message, input });

    const zoneNames = env.zones.map((z) => z.name);
    zoneNames.forEach((name, i) => {
      if (zoneNames.indexOf(name) !== i) problem(['zones', i, 'name'], `duplicate zone name; each zone is declared once`, name);
    });
    for (const required of ZONE_NAMES) {
      if (!zoneNames.includes(required)) problem(['zones'], `zone "${required}" is missing; every environment declares all of ${ZONE_NAMES.join(', ')}`, zoneNames);
    }
    env.zones.forEach((z, i) => {
      if (z.securityLevel < env.securityLevel) {
        problem(['zones', i, 'securityLevel'], `must be >= the environment's securityLevel (${env.securityLevel}); a zone can only be stricter`, z.securityLevel);
      }
    });

    if (env.ephemeral && env.class !== 'development') {
      problem(['ephemeral'], `only a development environment may be ephemeral (class is "${env.class}"); stateful resources elsewhere are always retained`, env.ephemeral);
    }
    if (env.state.type === 'local' && env.class !== 'development') {
      problem(['state', 'type'], `local state is for development only; use "s3" (the data centre's object store) or "pg" for class "${env.class}"`, env.state.type);
    }

    checkObjectStorage(env, problem);
    checkClusterSettings(env, problem);
    checkPostgres(env, problem);
    kafkaProblems(env, problem);
    checkBackup(env, problem);
    checkMonitoring(env, problem);
    checkSecrets(env, problem);

    const clusterNames = env.clusters.map((c) => c.name);
    env.clusters.forEach((c, ci) => {
      if (clusterNames.indexOf(c.name) !== ci) problem(['clusters', ci, 'name'], 'duplicate cluster name; cluster names are unique in an environment', c.name);
      if (c.mode !== 'clusterApi') return;
      if (!env.management) {
        problem(['clusters', ci, 'mode'], 'a "clusterApi" cluster needs a management cluster: add `management` to the environment, or use mode "existing"', c.mode);
      }
      const cp = c.controlPlane.replicas;
      if (cp % 2 === 0) problem(['clusters', ci, 'controlPlane', 'replicas'], 'must be odd so etcd keeps a quorum (1, 3, 5 ...)', cp);
      if (env.class !== 'development' && cp < 3) {
        problem(['clusters', ci, 'controlPlane', 'replicas'], `must be >= 3 outside development (class "${env.class}")`, cp);
      }
      const poolNames = c.nodePools.map((p) => p.name);
      c.nodePools.forEach((p, pi) => {
        if (poolNames.indexOf(p.name) !== pi) problem(['clusters', ci, 'nodePools', pi, 'name'], `duplicate node pool name in cluster "${c.name}"`, p.name);
        if (!zoneNames.includes(p.zone)) {
          problem(['clusters', ci, 'nodePools', pi, 'zone'], `refers to a zone this environment does not declare; declared: ${zoneNames.join(', ')}`, p.zone);
        }
      });
      if (env.class === 'production' || env.class === 'recovery') {
        const pooled = new Set(c.nodePools.map((p) => p.zone));
        for (const z of zoneNames) {
          if (!pooled.has(z)) problem(['clusters', ci, 'nodePools'], `zone "${z}" has no node pool; class "${env.class}" keeps each zone on its own machines`, [...pooled]);
        }
      }
    });
  });

/** What an environment file holds (defaults may be omitted). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment, defaults applied. */
export type Environment = z.output<typeof environmentSchema>;
export type ClusterConfig = Environment['clusters'][number];
export type ClusterApiClusterConfig = Extract<ClusterConfig, { mode: 'clusterApi' }>;
export type NodePoolConfig = ClusterApiClusterConfig['nodePools'][number];
export type StateConfig = Environment['state'];

/** Renders a zod path the way users write it: `clusters[0].nodePools[1].replicas`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

const EXPECTED_TYPE: Record<string, string> = { object: 'an object', array: 'a list', int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false' };

function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${EXPECTED_TYPE[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be >= ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be <= ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      if (issue.discriminator && 'options' in issue && issue.options) {
        return `must be one of: ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return 'matches none of the allowed shapes';
    case 'invalid_key':
      // A record's key failed its own schema; zod's message is only "Invalid key in record".
      return `the key ${issue.issues.map(messageOf).join('; ')}`;
    default:
      return issue.message;
  }
}

/** True when the schema gave its own message (zod's defaults start with these words). */
function hasCustomMessage(issue: z.core.$ZodIssue): boolean {
  return !/^(Too (small|big)|Invalid|Unrecognized|Expected)/.test(issue.message);
}

/** What to tell the user: the schema's own message, else what is allowed. */
function messageOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'custom' || hasCustomMessage(issue) ? issue.message : describeExpected(issue);
}

/** Turns zod issues into our problems, one per offending field. */
export function toProblems(source: string, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ source, path: formatPath([...issue.path, key]), message: 'unknown field; remove it or check its spelling against environments/schema.ts' });
      }
      continue;
    }
    const problem: ConfigProblem = { source, path: formatPath(issue.path), message: messageOf(issue) };
    if (!('input' in issue)) {
      problems.push(problem);
      continue;
    }
    // A discriminated union reports the whole object; the discriminator's value is what matters.
    const discriminator = issue.code === 'invalid_union' ? issue.discriminator : undefined;
    const input = issue.input as Record<string, unknown> | undefined;
    const received = discriminator && input && typeof input === 'object' ? input[discriminator] : issue.input;
    problems.push({ ...problem, received });
  }
  return problems;
}

/**
 * Validates an environment config object without synthesizing anything. Returns the parsed
 * environment, or the complete list of problems.
 */
export function checkEnvironment(input: unknown, source = 'environment'): { ok: true; environment: Environment } | { ok: false; problems: ConfigProblem[] } {
  const result = environmentSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, environment: result.data };
  return { ok: false, problems: toProblems(source, result.error.issues) };
}

/** Like `checkEnvironment`, but throws a `ConfigError` listing every problem. */
export function parseEnvironment(input: unknown, source = 'environment'): Environment {
  const result = checkEnvironment(input, source);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.environment;
}
