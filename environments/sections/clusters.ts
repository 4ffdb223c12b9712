/**
 * The cluster parts of an environment file beyond the cluster list itself: who administers and
 * who audits the clusters, how long API-server audit logs stay on the control plane, and the
 * fields Cluster API needs to reach vCenter, the management cluster's API server and the
 * internal registry. Cross-field checks are in `checkClusterSettings`, which the environment
 * schema's superRefine calls.
 */
import { cidrContains, ipv4CidrSchema, isCidr, isIpv4 } from '../../lib/net';
import { z } from 'zod';

/** The widest block a single outside service (vCenter, the registry) may be declared with. */
export const NARROWEST_SERVICE_PREFIX = 24;

/**
 * An IPv4 block holding one outside service (vCenter, a registry): /24 or narrower, because it
 * becomes an egress rule of the management zone and a wider block would open far more.
 */
export const serviceCidr = ipv4CidrSchema('10.0.5.20/32').refine((c) => Number(c.split('/')[1]) >= NARROWEST_SERVICE_PREFIX, {
    message: `must be /${NARROWEST_SERVICE_PREFIX} or narrower (usually the service's own /32): it becomes an egress rule of the management zone`,
  });

/**
 * Days of API-server audit log kept on each control-plane node, by information-system security
 * level: at least 3 months at level 3, 6 at level 4 and 12 at level 5 (TCVN 14423 per
 * ../shared/reference/governance.md, control L1). Levels 1 and 2 keep the level-3 minimum.
 */
export const AUDIT_LOG_RETENTION_DAYS: Readonly<Record<number, number>> = { 1: 90, 2: 90, 3: 90, 4: 180, 5: 365 };

/** The audit-log retention a security level requires, in days. */
export function auditRetentionDaysFor(securityLevel: number): number {
  const days = AUDIT_LOG_RETENTION_DAYS[securityLevel];
  if (days === undefined) throw new Error(`no audit-log retention for security level ${securityLevel}; levels are 1-5`);
  return days;
}

/**
 * An identity-provider group used as an RBAC subject. `system:` groups are Kubernetes' own
 * (`system:authenticated` is everyone with a credential), so binding one would hand a role to
 * far more than a team.
 */
export const rbacGroup = z
  .string()
  .min(3, { message: 'must name an identity-provider group such as "oidc:dc-platform-admins"' })
  .max(256)
  .regex(/^\S+$/, { message: 'must not contain spaces' })
  .refine((g) => !g.startsWith('system:'), {
    message: 'must be a group of your identity provider; "system:" groups are built into Kubernetes and cover whole classes of users',
  });

/**
 * The prefix the API server puts before every username and group its JWT authenticator takes
 * from the identity provider. RBAC subjects name groups with it (`oidc:dc-platform-admins`), so
 * a token can never claim a Kubernetes user or a `system:` group.
 */
export const OIDC_PREFIX = 'oidc:';

/** A JWT claim name: letters, digits, `_`, `-`, `.` or `:` (as Keycloak mappers name them). */
const claimName = (example: string) =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, { message: `must be a JWT claim name such as "${example}"` });

/**
 * The ministry's identity provider, which the API server of every Cluster API cluster trusts
 * for user tokens (`AuthenticationConfiguration.jwt`, Kubernetes 1.34+). Usernames and groups
 * are mapped with the prefix `oidc:` (OIDC_PREFIX), the prefix every RBAC subject of the
 * environment carries. The nodes must trust the certificate of the issuer's host (the
 * ministry's internal CA in the machine template's trust store): no `certificateAuthority` is
 * written into the cluster.
 */
export const identityProviderSection = z.strictObject({
  /**
   * The issuer URL, exactly as the tokens' `iss` claim says it: https, no query or fragment,
   * e.g. "https://sso.moit.gov.vn/realms/dc" (Keycloak: `https://<host>/realms/<realm>`).
   */
  issuerUrl: z
    .string()
    .refine((u) => URL.canParse(u), { message: 'must be an absolute URL such as "https://sso.moit.gov.vn/realms/dc"' })
    .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'https:', { message: 'must use https: the API server fetches the signing keys from it and refuses anything else' })
    .refine((u) => !URL.canParse(u) || (new URL(u).search === '' && new URL(u).hash === '' && !u.includes('#') && !u.includes('?')), {
      message: 'must not carry a query or fragment; use the issuer exactly as the `iss` claim of a token says it',
    }),
  /** Client IDs a token must be issued for (its `aud`); more than one is matched with "MatchAny". */
  audiences: z
    .array(z.string().min(1, { message: 'must not be empty' }).regex(/^\S+$/, { message: 'must not contain spaces' }))
    .min(1, { message: 'name at least one audience, the client ID the identity provider issues Kubernetes tokens for, such as "kubernetes"' })
    .refine((a) => new Set(a).size === a.length, { message: 'lists an audience twice' }),
  /** The claim holding the username. @default "preferred_username" */
  usernameClaim: claimName('preferred_username').default('preferred_username'),
  /** The claim holding the user's groups (a Keycloak group-membership mapper). @default "groups" */
  groupsClaim: claimName('groups').default('groups'),
});

export type IdentityProviderInput = z.input<typeof identityProviderSection>;
export type IdentityProvider = z.output<typeof identityProviderSection>;

export const clusterBaselineSection = z.strictObject({
  /** The identity provider the API servers trust for user tokens; RBAC groups carry its `oidc:` prefix. */
  identityProvider: identityProviderSection,
  /** Identity-provider groups bound on every cluster of the environment. */
  access: z.strictObject({
    /** Bound to `cluster-admin`: the platform team. */
    platformAdmins: rbacGroup,
    /** Bound to the read-only `moit:auditor` role, which cannot read Secrets. */
    auditors: rbacGroup,
  }),
  /**
   * API-server audit-log rotation on the control-plane nodes (kube-apiserver `audit-log-*`).
   * @default the retention of the environment's security level, 100 files of 100 MiB
   */
  auditLog: z
    .strictObject({
      /** Days to keep rotated audit logs; at least the security level's minimum. @default AUDIT_LOG_RETENTION_DAYS[securityLevel] */
      maxAgeDays: z.number().int().min(1).max(3650).optional(),
      /** Rotated files kept; with `maxSizeMiB` it bounds the disk used. @default 100 */
      maxBackups: z.number().int().min(1).max(1000).default(100),
      /** Size at which the log rotates, in MiB. @default 100 */
      maxSizeMiB: z.number().int().min(10).max(1024).default(100),
    })
    .prefault({}),
});

/** Fields of `management` the Cluster API providers need. */
export const managementClusterApiFields = {
  /**
   * The management cluster's node network: its API server runs there, so the providers'
   * controllers reach it, and it calls their webhooks, from exactly this block.
   */
  nodeCidr: ipv4CidrSchema('10.0.0.0/24'),
  /**
   * The management cluster's control-plane nodes (and VIP): its API server is reached at, and
   * calls the providers' webhooks from, this block inside `nodeCidr`, never the whole node network.
   */
  controlPlaneCidr: serviceCidr,
  /**
   * The internal OCI registry the data centre mirrors Cluster API into (the centre is
   * air-gapped): provider components are fetched from `<repository>/<provider>:<version>`.
   */
  registry: z.strictObject({
    /** Registry host and path prefix, e.g. "registry.mgmt.dc.moit.gov.vn/capi" (no scheme). */
    repository: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$/, {
      message: 'must be a registry host and path without scheme, such as "registry.mgmt.dc.moit.gov.vn/capi"',
    }),
    /** The registry's address block, for the operator's egress rule. */
    cidr: serviceCidr,
  }),
};

export type ClusterBaselineInput = z.input<typeof clusterBaselineSection>;
export type ClusterBaseline = z.output<typeof clusterBaselineSection>;

/** What `checkClusterSettings` reads of an environment (the parsed shape, structurally). */
interface CheckedEnvironment {
  readonly securityLevel: number;
  readonly management?: { readonly nodeCidr: string; readonly controlPlaneCidr: string };
  readonly clusterBaseline: ClusterBaseline;
  readonly clusters: ReadonlyArray<
    | { readonly mode: 'existing'; readonly nodeCidr: string; readonly controlPlaneCidr: string }
    | {
        readonly mode: 'clusterApi';
        readonly name: string;
        readonly nodeCidr: string;
        readonly controlPlaneCidr: string;
        readonly controlPlane: { readonly machine: { readonly diskGiB: number }; readonly endpoint: { readonly host: string } };
        readonly nodePools: ReadonlyArray<{ readonly name: string; readonly zone: string }>;
      }
  >;
}

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/** The zones a Cluster API cluster's platform runs its own workloads in, each needing a pool. */
export const PLATFORM_ZONES = ['mgmt', 'data'] as const;
const PLATFORM_ZONE_PURPOSE: Record<(typeof PLATFORM_ZONES)[number], string> = {
  mgmt: 'the operators, cert-manager, the snapshot controller, the CSI controllers and the Velero server',
  data: 'Ceph, Postgres and Kafka',
};

/** Share of a control-plane node's disk the audit log may take at most. */
export const AUDIT_LOG_DISK_SHARE = 0.25;

/**
 * Cross-field checks of the cluster settings: retention at least the security level's minimum,
 * separate admin and auditor groups, audit logs that fit the control-plane disk, and a
 * control-plane VIP that is an address of the node network.
 */
export function checkClusterSettings(env: CheckedEnvironment, problem: Report): void {
  const baseline = env.clusterBaseline;
  const minimum = AUDIT_LOG_RETENTION_DAYS[env.securityLevel];
  const maxAge = baseline.auditLog.maxAgeDays;
  if (minimum !== undefined && maxAge !== undefined && maxAge < minimum) {
    problem(
      ['clusterBaseline', 'auditLog', 'maxAgeDays'],
      `must be >= ${minimum} days for security level ${env.securityLevel} (levels 3, 4 and 5 keep audit logs 90, 180 and 365 days)`,
      maxAge,
    );
  }
  for (const role of ['platformAdmins', 'auditors'] as const) {
    const group = baseline.access[role];
    if (!group.startsWith(OIDC_PREFIX)) {
      problem(
        ['clusterBaseline', 'access', role],
        `must start with "${OIDC_PREFIX}": the API server maps the identity provider's groups with that prefix, so a binding to "${group}" would match nobody; write "${OIDC_PREFIX}${group}"`,
        group,
      );
    }
  }
  if (baseline.access.platformAdmins === baseline.access.auditors) {
    problem(['clusterBaseline', 'access', 'auditors'], 'must differ from platformAdmins: auditors check the administrators and are a separate team', baseline.access.auditors);
  }
  const worstCaseMiB = baseline.auditLog.maxBackups * baseline.auditLog.maxSizeMiB;
  const insideNodes = (path: (string | number)[], block: string, nodes: string) => {
    if (isCidr(block) && isCidr(nodes) && !cidrContains(nodes, block.split('/')[0]!)) {
      problem(path, `must be inside the node network (${nodes}): the control-plane nodes are nodes of it`, block);
    }
  };
  if (env.management) insideNodes(['management', 'controlPlaneCidr'], env.management.controlPlaneCidr, env.management.nodeCidr);
  env.clusters.forEach((c, ci) => {
    insideNodes(['clusters', ci, 'controlPlaneCidr'], c.controlPlaneCidr, c.nodeCidr);
    if (c.mode !== 'clusterApi') return;
    const budgetMiB = Math.floor(c.controlPlane.machine.diskGiB * 1024 * AUDIT_LOG_DISK_SHARE);
    if (worstCaseMiB > budgetMiB) {
      problem(
        ['clusterBaseline', 'auditLog'],
        `maxBackups x maxSizeMiB (${worstCaseMiB} MiB) exceeds a quarter of cluster "${c.name}"'s control-plane disk (${budgetMiB} MiB); ` +
          'lower maxBackups or maxSizeMiB, or give the control plane a bigger disk',
        { maxBackups: baseline.auditLog.maxBackups, maxSizeMiB: baseline.auditLog.maxSizeMiB },
      );
    }
    const zones = new Set(c.nodePools.map((p) => p.zone));
    for (const zone of PLATFORM_ZONES) {
      if (!zones.has(zone)) {
        problem(
          ['clusters', ci, 'nodePools'],
          `needs a node pool in zone "${zone}": ${PLATFORM_ZONE_PURPOSE[zone]} run there, and every pool is tainted with its zone, so they could be scheduled nowhere else; add one`,
          c.nodePools.map((p) => `${p.name} (${p.zone})`),
        );
      }
    }
    const host = c.controlPlane.endpoint.host;
    if (!isIpv4(host)) {
      problem(['clusters', ci, 'controlPlane', 'endpoint', 'host'], 'must be the IPv4 address of the control-plane VIP: the management controllers are allowed to reach exactly this address', host);
    } else if (cidrContains(c.nodeCidr, host) === false) {
      problem(['clusters', ci, 'controlPlane', 'endpoint', 'host'], `must be inside the cluster's nodeCidr (${c.nodeCidr}): the VIP is announced on the control-plane nodes' network`, host);
    } else if (isCidr(c.controlPlaneCidr) && !cidrContains(c.controlPlaneCidr, host)) {
      problem(['clusters', ci, 'controlPlaneCidr'], `must hold the control-plane endpoint ${host}: the management controllers reach the API server there`, c.controlPlaneCidr);
    }
  });
}
