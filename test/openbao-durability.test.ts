import { parse } from 'yaml';
import { OFFSITE_KEYS_SECRET } from '../constructs/secrets/openbao-backup';
import { resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();

describe('OpenBao backups and audit shipping in the real estate', () => {
  for (const env of ['staging', 'prod', 'dr']) {
    const json = estate.stack(`${env}-mgmt-clusters`);
    const config = (require(`../environments/${env}`) as Record<string, Json>)[env]!;
    const offsite = config.backup.offsite;

    it(`${env}: a snapshot CronJob on the tier schedule copies to the off-site bucket, after OpenBao, with its service account`, () => {
      const jobs = resourcesOf(json).filter(([type, , body]) => type === 'kubernetes_cron_job_v1' && body.metadata.name === 'openbao-snapshot');
      expect(jobs).toHaveLength(1);
      const [, , job] = jobs[0]!;
      expect(job['//'].secretStore).toMatchObject({ what: 'raft-snapshots', offsite: true, immutable: true, target: { bucket: offsite.bucket, endpoint: offsite.endpoint, prefix: `openbao/${env}/snapshots` } });
      expect(job.spec.schedule).toBe('0 */4 * * *');
      const pod = job.spec.job_template.spec.template.spec;
      expect(pod.service_account_name).toBe('openbao-snapshot');
      expect(pod.init_container[0].command.join(' ')).toContain(`auth/k8s-${env}-mgmt/login role=raft-snapshot`);
      expect(pod.container[0].command.join(' ')).toMatch(/rclone copy \/snapshots "dst:[^"]+" .*--ca-cert/);
      expect(JSON.stringify(pod.container[0].env)).toContain(OFFSITE_KEYS_SECRET);
      expect(job.depends_on.some((d: string) => d.startsWith('helm_release.openbao_chart_release'))).toBe(true);
    });

    it(`${env}: the OpenBao release is stateful, tiered, and its pods carry the audit shipper`, () => {
      const release = resourcesOf(json).find(([type, , body]) => type === 'helm_release' && body.chart === 'openbao')![2];
      expect(release['//']).toMatchObject({ stateful: 'volume', backupTier: 'gold', backupService: 'mgmt/openbao/openbao', secretStore: { what: 'audit-log', immutable: true } });
      expect(release.lifecycle).toEqual({ prevent_destroy: true });
      const shipper = parse(release.values[0]).server.extraContainers[0];
      expect(shipper.args).toEqual(expect.arrayContaining(['path=/openbao/audit/audit.log', 'tls.verify=on', `bucket=${offsite.bucket}`, `endpoint=${offsite.endpoint}`]));
      expect(shipper.volumeMounts).toEqual(expect.arrayContaining([{ name: 'audit', mountPath: '/openbao/audit' }]));
    });
  }
});
