/**
 * Restore-drill runbooks, generated from the synthesized backup record of a service. The
 * Velero `Restore` is printed, never declared: its CRD is not among the schemas this project
 * validates against (../shared/crds/velero has backupstoragelocations, schedules and
 * volumesnapshotlocations only), and a restore is an act, not a desired state. No cdktf import.
 */
import { stringify } from 'yaml';
import { NS } from '../../policy/layout';
import { drillKindFor } from '../../policy/backup/drills';
import type { BackupRecord, BackupServiceRecord } from '../../policy/backup/record';

/** The scratch namespace a Velero restore drill restores a namespace into. */
export function scratchNamespace(namespace: string): string {
  return `drill-${namespace}`.slice(0, 63).replace(/-+$/, '');
}

/** The Velero Restore of a namespace's latest scheduled backup into its scratch namespace. */
export function veleroRestoreManifest(namespace: string, day: string): Record<string, unknown> {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name: `drill-${namespace}-${day.replace(/-/g, '')}`.slice(0, 63), namespace: NS.velero, labels: { 'moit.gov.vn/restore-drill': 'true' } },
    spec: {
      // The latest successful backup of the namespace's Schedule (named after the namespace).
      scheduleName: namespace,
      includedNamespaces: [namespace],
      namespaceMapping: { [namespace]: scratchNamespace(namespace) },
      restorePVs: true,
      existingResourcePolicy: 'none',
    },
  };
}

/** A runbook for the drill of one service, as Markdown. */
export function drillRunbook(record: BackupRecord, service: BackupServiceRecord, day: string): string {
  const kind = drillKindFor(service.kind);
  const tier = record.tiers[service.tier];
  const head = [
    `# Restore drill: ${service.service} (${record.environment}, tier ${service.tier})`,
    '',
    `Tier ${service.tier}: RPO ${tier.rpo}, RTO ${tier.rto}, a drill at least every ${tier.drillEveryMonths} months. Time the restore: record it as restoreMinutes.`,
    '',
  ];
  const record_ = [
    '',
    `Record the result in environments/${record.environment}.ts under backup.drills:`,
    '',
    '```ts',
    `{ service: '${service.service}', kind: '${kind}', lastSuccess: '${day}', evidence: '<ticket>', restoreMinutes: <minutes> },`,
    '```',
  ];
  const [cluster, namespace, name] = service.service.split('/');
  switch (kind) {
    case 'velero-restore':
      return [
        ...head,
        `1. Check the latest backup of Schedule ${namespace} completed: \`velero backup get -l velero.io/schedule-name=${namespace}\` (context of cluster ${cluster}).`,
        `2. Restore it into the scratch namespace ${scratchNamespace(namespace!)} (its default-deny policies and quotas come with it):`,
        '',
        '```yaml',
        stringify(veleroRestoreManifest(namespace!, day)).trimEnd(),
        '```',
        '',
        `3. Wait for phase Completed (\`velero restore describe <name> --details\`); compare object counts and volume contents with ${namespace}.`,
        `4. Delete the scratch namespace: \`kubectl delete namespace ${scratchNamespace(namespace!)}\`.`,
        ...record_,
      ].join('\n');
    case 'postgres-recovery':
      return [
        ...head,
        `1. In environments/${record.environment}.ts, add to backup.drills: \`{ service: '${service.service}', kind: 'postgres-recovery', lastSuccess: '<last>', inProgress: true }\`.`,
        `2. \`npm run synth\` and apply the services stack of cluster ${cluster}: it declares the scratch cluster ${name}-drill, recovered from the object store (latest base backup and WAL). It costs the origin's instances and storage while it exists.`,
        `3. When ${name}-drill is healthy, check the newest rows of each database against the origin, and the recovery point against the RPO.`,
        '4. Set lastSuccess, remove inProgress, synth and apply again: the scratch cluster is removed (it is not retained).',
        ...record_,
      ].join('\n');
    case 'bucket-restore':
      return [
        ...head,
        `1. Copy a sample of bucket ${name} back from the off-site copy (${service.mechanisms.find((m) => m.offsite)?.target ?? 'the receiving bucket at the other site'}) into a scratch prefix with rclone, and compare checksums with the source.`,
        '2. Restore one deleted object from its noncurrent version (versioning) and check its content.',
        ...record_,
      ].join('\n');
    case 'kafka-mirror':
      return [
        ...head,
        `1. At the other site, consume the mirrored topics of ${name} from the last hour and compare offsets and message counts with the source.`,
        '2. Check the MirrorMaker 2 connectors are Ready and their lag is within the RPO.',
        ...record_,
      ].join('\n');
    case 'raft-restore': {
      const copy = service.mechanisms.find((m) => m.kind === 'raft-snapshot');
      return [
        ...head,
        `1. Pick the newest snapshot under ${copy?.target ?? 'the off-site receiving bucket'} (\`rclone lsl\` with the keys of Secret openbao/openbao-offsite-keys); it must be younger than the RPO (${tier.rpo}).`,
        '2. Bring up a scratch OpenBao (one pod, Raft storage, same unseal method and unseal material as the origin; a scratch namespace on the management cluster or the recovery site), initialise it and log in with its own root token.',
        `3. \`bao operator raft snapshot restore -force <file>\` into the scratch instance; it now holds the origin's keyring: unseal it with the origin's unseal material (docs/secrets.md, "Restoring OpenBao").`,
        '4. Check: `bao secrets list` shows the platform and domain mounts; read one value of each mount and compare its version metadata with the origin; `bao audit list` shows the file device from the configuration.',
        '5. Delete the scratch instance and its volumes; revoke any token created during the drill.',
        ...record_,
      ].join('\n');
    }
    default:
      return [...head, `${service.service} is ${service.kind}: it needs no drill of its own (${service.mechanisms[0]?.description ?? 'its contents are drilled'}).`].join('\n');
  }
}
