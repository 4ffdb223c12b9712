import type { Construct } from 'constructs';
import { CronJobV1 } from '../lib/providers';
import type { ZonePlacement } from './network/placement';

type CronJobConfig = ConstructorParameters<typeof CronJobV1>[2];
type PodSpec = CronJobConfig['spec']['jobTemplate']['spec']['template']['spec'];

export interface ScheduledJobProps {
  readonly provider: CronJobConfig['provider'];
  readonly metadata: CronJobConfig['metadata'];
  /** A five-field cron schedule. */
  readonly schedule: string;
  /** The labels of the job's pods (their NetworkPolicy peer). */
  readonly selector: Readonly<Record<string, string>>;
  /** Where the pods may run (constructs/network/placement.ts). */
  readonly placement: ZonePlacement;
  /** The pod itself: containers, volumes, security context, service account. */
  readonly pod: Omit<PodSpec, 'restartPolicy' | 'nodeSelector' | 'toleration'>;
}

/**
 * A CronJob as the estate runs its scheduled work (off-site copies, OpenBao snapshots and
 * configuration): never two runs at once, a run missed by more than an hour is skipped, three
 * successful and five failed jobs kept for inspection, two retries, pods never restarted in place,
 * and placed on the zone's pool.
 */
export function scheduledJob(scope: Construct, id: string, props: ScheduledJobProps): CronJobV1 {
  const { placement } = props;
  return new CronJobV1(scope, id, {
    provider: props.provider,
    metadata: props.metadata,
    spec: {
      schedule: props.schedule,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels: { ...props.selector } },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { ...props.selector } },
            spec: {
              restartPolicy: 'Never',
              ...props.pod,
              ...(placement.nodeSelector ? { nodeSelector: { ...placement.nodeSelector } } : {}),
              ...(placement.tolerations ? { toleration: placement.tolerations.map((x) => ({ ...x })) } : {}),
            },
          },
        },
      },
    },
  });
}
