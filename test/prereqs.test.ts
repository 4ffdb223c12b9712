/** `npm run prereqs` (tools/prereqs/, scripts/prereqs.ts): the operational prerequisites of an environment. */
import { environmentPrerequisites } from '../tools/prereqs/model';
import { renderJson, renderMarkdown } from '../tools/prereqs/render';
import { main, USAGE } from '../scripts/prereqs';

describe('npm run prereqs', () => {
  const prod = environmentPrerequisites('prod');
  const find = (name: string) => prod.entries.find((e) => e.name === name);

  it('lists the Secrets constructs consume but nobody in the estate creates, with who provides them and their keys', () => {
    expect(find('dc-intermediate-ca-keypair')).toMatchObject({ kind: 'secret', cluster: 'core', namespace: 'cert-manager', providedBy: 'pki-team', keys: ['tls.crt', 'tls.key', 'ca.crt'] });
    expect(find('hanoi-vcenter-credentials')).toMatchObject({ kind: 'secret', cluster: 'mgmt', namespace: 'capv-system', providedBy: 'vsphere-admins' });
    // Issued by the other site, written into OpenBao by its operators; ESO makes the Secret.
    expect(find('offsite-prod-keys')).toBeUndefined();
    expect(find('platform/core/peer/velero/offsite-prod-keys')).toMatchObject({ kind: 'openbao-value', providedBy: 'peer-site', keys: ['AccessKey', 'SecretKey'] });
    expect(find('core-apiserver-encryption')).toMatchObject({ providedBy: 'secret-management', namespace: 'capi-prod' });
  });

  it('lists the registry mirror, the identity provider and its groups, and the DNS names', () => {
    expect(find('registry.mgmt.dc.moit.gov.vn/capi')).toMatchObject({ kind: 'registry', providedBy: 'registry-team' });
    expect(find('https://charts.jetstack.io')).toMatchObject({ kind: 'registry' });
    expect(find('ministry identity provider')!.purpose).toContain('oidc:dc-platform-admins');
    for (const host of ['vcenter.hanoi-1.dc.moit.gov.vn', 'events-bootstrap.kafka.hanoi-1.dc.moit.gov.vn', 's3.mgmt.dc.moit.gov.vn', 's3.hcm-1.dc.moit.gov.vn']) {
      expect(find(host)).toMatchObject({ kind: 'dns-name', providedBy: 'network-team' });
    }
  });

  it('never lists a Secret the estate produces itself (an ObjectBucketClaim\'s, a Certificate\'s)', () => {
    expect(find('velero-prod-core')).toBeUndefined();
    expect(find('dc-internal-ca-bundle')).toBeUndefined();
  });

  it('never lists a generated value: Postgres login-role passwords and the Velero repository password come from OpenBao through ESO', () => {
    expect(find('main-chemicals-owner-credentials')).toBeUndefined();
    expect(find('velero-repo-credentials')).toBeUndefined();
    expect(prod.entries.filter((e) => e.kind === 'secret' && /-credentials$/.test(e.name) && e.namespace === 'postgres')).toEqual([]);
  });

  it('lists as Secrets only the bootstrap set, each with how it is rotated, and the unseal material first', () => {
    const secrets = prod.entries.filter((e) => e.kind === 'secret');
    expect(secrets.map((e) => `${e.cluster}/${e.namespace}/${e.name}`).sort()).toEqual([
      'core/cert-manager/dc-intermediate-ca-keypair',
      // Read by the monitoring release of the platform stack, before any secret store exists: the
      // receivers' credentials and Grafana's admin (constructs/monitoring/monitoring-stack.ts).
      'core/monitoring/alertmanager-oncall',
      'core/monitoring/alertmanager-smtp',
      'core/monitoring/grafana-admin',
      'mgmt/capi-operator-system/capi-provider-variables',
      'mgmt/capi-prod/core-apiserver-encryption',
      // vCenter's credentials for the workload cluster's cloud provider, copied in by a ClusterResourceSet.
      'mgmt/capi-prod/core-vsphere-cpi-credentials',
      'mgmt/capv-system/hanoi-vcenter-credentials',
      // OpenBao's certificate on the management cluster comes from the same internal CA.
      'mgmt/cert-manager/dc-intermediate-ca-keypair',
      'mgmt/monitoring/alertmanager-oncall',
      'mgmt/monitoring/alertmanager-smtp',
      'mgmt/monitoring/grafana-admin',
      // The token OpenBao's configurator applies mounts, roles and policies with (constructs/secrets/openbao-config.ts).
      'mgmt/openbao/openbao-config-token',
      // OpenBao's snapshots and audit log go to the other site with these; a restore needs them while OpenBao is down.
      'mgmt/openbao/openbao-offsite-keys',
    ]);
    for (const e of secrets) expect(e.rotation).toMatch(/.{20,}/);
    expect(prod.entries[0]).toMatchObject({ kind: 'unseal-material', providedBy: 'security-officers', keys: ['pin'], name: 'OpenBao prod: HSM slot 0, key openbao-prod-unseal' });
    expect(renderMarkdown(prod)).toMatch(/\| purpose \| rotation \| used by \|/);
  });

  it('renders Markdown grouped by provider and JSON with the same entries', () => {
    const md = renderMarkdown(prod);
    expect(md).toContain('# Operational prerequisites: prod');
    expect(md).toMatch(/## pki-team[\s\S]*\| secret \| dc-intermediate-ca-keypair \| core \/ cert-manager \| tls\.crt, tls\.key, ca\.crt \|/);
    expect(JSON.parse(renderJson(prod)).entries).toHaveLength(prod.entries.length);
  });

  describe('the command', () => {
    let out: string[];
    let err: string[];
    beforeEach(() => {
      out = [];
      err = [];
      jest.spyOn(process.stdout, 'write').mockImplementation(((s: string) => out.push(s) > 0) as never);
      jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    });
    afterEach(() => {
      jest.restoreAllMocks();
      process.exitCode = 0;
    });

    it('prints usage for --help and exits 0', async () => {
      await main(['--help']);
      expect(out.join('')).toBe(`${USAGE}\n`);
      expect(process.exitCode).toBe(0);
    });

    it('refuses an unknown --env, naming the known ones', async () => {
      await main(['--env', 'qa']);
      expect(process.exitCode).toBe(1);
      expect(err.join('\n')).toBe('--env: unknown environment "qa"; known: dev, staging, prod, dr');
    });

    it('refuses an unknown --format', async () => {
      await main(['--env', 'dev', '--format', 'html']);
      expect(process.exitCode).toBe(1);
      expect(err.join('\n')).toContain('--format: must be md or json');
    });
  });
});
