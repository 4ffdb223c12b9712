import type { EnvironmentInput } from './schema';

type Suppression = NonNullable<EnvironmentInput['auditSuppressions']>[number];

/**
 * No restore has been drilled yet: the estate is not in service. Each tier's first drill is part
 * of go-live (record it in `backup.drills` with its evidence); past the expiry, BAK-004 fails
 * again and so does the synth.
 */
export const BEFORE_FIRST_DRILL: Suppression = {
  rule: 'BAK-004',
  reason: 'Not yet in service: no data to restore. The first restore drill of each tier is a go-live step, recorded in backup.drills.',
  owner: 'platform/backup-lead',
  expires: '2027-03-31',
};

/**
 * Platform administrators install operators and their CRDs, which needs cluster-wide rights;
 * the control is membership of the group (reviewed quarterly, governance.md A3).
 */
export const PLATFORM_ADMINS_CLUSTER_ADMIN: Suppression = {
  rule: 'RBAC-001',
  reason: 'Platform administrators install operators and CRDs, which needs cluster-admin; the group is small and reviewed quarterly (governance A3).',
  owner: 'platform/dc-platform-lead',
  expires: '2027-06-30',
  path: 'access/platform-admins',
};
