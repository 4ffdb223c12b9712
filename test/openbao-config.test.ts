/**
 * OpenBao's configuration as code (issue #23, constructs/secrets/openbao-config.ts): every
 * ClusterSecretStore's KV mount, Kubernetes auth mount, role and service account exist in the
 * configuration the management cluster applies, each role's policy covers the keys its store's
 * users read and push and nothing outside the store's own mount (or cluster prefix), and the
 * script is idempotent.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadEnvironments } from '../environments';
import { authClusters, openBaoConfiguration, CLUSTER_CAS_CONFIGMAP, OPENBAO_CONFIG_NAME, OPENBAO_CONFIG_TOKEN_SECRET } from '../constructs/secrets/openbao-config';
import {
  domainMount,
  domainOwnerRules,
  parsePolicyHcl,
  policyHcl,
  policyPathMatches,
  readAppliedConfiguration,
  rulesOutside,
  storeConfigProblems,
  storePolicyRules,
  storesOf,
  type StoreUse,
} from '../policy/secrets';
import { manifestsOf, resourcesOf, synthEstate, type Json } from './helpers';

const estate = synthEstate();
const MANAGED = ['staging', 'prod', 'dr'];

/** The ConfigMap data of the configurator in an environment's management clusters stack. */
function configData(env: string): Record<string, string> {
  const cm = resourcesOf(estate.stack(`${env}-mgmt-clusters`)).find(([type, , body]) => type === 'kubernetes_config_map_v1' && body.metadata.name === OPENBAO_CONFIG_NAME);
  expect(cm).toBeDefined();
  return cm![2].data as Record<string, string>;
}

/** What the synthesized stores of an environment's workload clusters ask of OpenBao, with the keys their users read and push. */
function storeUses(env: string): StoreUse[] {
  const out: StoreUse[] = [];
  for (const name of estate.stackNames.filter((n) => n.startsWith(`${env}-`) && !n.startsWith(`${env}-mgmt-`))) {
    const cluster = name.slice(env.length + 1).replace(/-(platform|services)$/, '');
    const json = estate.stack(name);
    const keys = new Map<string, Array<{ key: string; write: boolean }>>();
    const add = (store: string, key: string, write: boolean) => keys.set(store, [...(keys.get(store) ?? []), { key, write }]);
    for (const es of manifestsOf(json, 'ExternalSecret')) {
      const store = es.spec.secretStoreRef?.name as string;
      for (const d of (es.spec.data ?? []) as Json[]) add(store, d.remoteRef.key, false);
      for (const d of (es.spec.dataFrom ?? []) as Json[]) if (d.extract) add(store, d.extract.key, false);
    }
    for (const ps of manifestsOf(json, 'PushSecret')) {
      for (const ref of ps.spec.secretStoreRefs as Json[]) for (const d of ps.spec.data as Json[]) add(ref.name, d.match.remoteRef.remoteKey, true);
    }
    for (const s of manifestsOf(json, 'ClusterSecretStore')) {
      const vault = s.spec.provider.vault;
      out.push({
        cluster,
        store: s.metadata.name,
        mount: vault.path,
        authMount: vault.auth.kubernetes.mountPath,
        role: vault.auth.kubernetes.role,
        serviceAccount: vault.auth.kubernetes.serviceAccountRef,
        keys: keys.get(s.metadata.name) ?? [],
        ...(String(vault.path).startsWith('domain-') ? { domain: String(vault.path).slice('domain-'.length) } : {}),
      });
    }
  }
  return out;
}

describe('OpenBao configuration serves exactly the ClusterSecretStores', () => {
  it.each(MANAGED)('GIVEN %s WHEN synthesized THEN every store has its KV mount, auth mount, role and a policy covering its keys and nothing outside its own path', (env) => {
    const stores = storeUses(env);
    // The check must have something to check: the platform store, domain stores and real keys.
    expect(stores.some((s) => s.store === 'openbao' && s.keys.some((k) => k.write))).toBe(true);
    expect(stores.filter((s) => s.domain !== undefined).length).toBeGreaterThan(0);
    expect(storeConfigProblems(stores, readAppliedConfiguration(configData(env)))).toEqual([]);
  });

  describe('fails when the configuration is broken', () => {
    const env = 'prod';
    const stores = storeUses(env);
    const broken = (edit: (data: Record<string, string>) => void) => {
      const data = { ...configData(env) };
      edit(data);
      return storeConfigProblems(stores, readAppliedConfiguration(data));
    };
    const domainStore = stores.find((s) => s.domain !== undefined)!;
    const otherDomain = stores.find((s) => s.domain !== undefined && s.domain !== domainStore.domain)!;
    const domainPolicyFile = `policy-k8s-prod-core-eso-${domainStore.mount}.hcl`;

    it('GIVEN a domain store policy that also reads another domain WHEN checked THEN the path outside its mount is reported', () => {
      const problems = broken((d) => (d[domainPolicyFile] += `\npath "${otherDomain.mount}/data/*" {\n  capabilities = ["read"]\n}\n`));
      expect(problems).toEqual([expect.stringContaining(`grants ${otherDomain.mount}/data/*, outside ${domainStore.mount}/`)]);
    });

    it('GIVEN the platform policy widened to every cluster WHEN checked THEN it is reported as outside the cluster prefix', () => {
      const problems = broken((d) => (d['policy-k8s-prod-core-eso-platform.hcl'] = d['policy-k8s-prod-core-eso-platform.hcl']!.replace('platform/data/core/*', 'platform/data/*')));
      expect(problems).toContain('store openbao of cluster core: its policy grants platform/data/*, outside platform/core/');
    });

    it('GIVEN a policy that no longer lets the platform store push WHEN checked THEN every pushed key is reported', () => {
      const problems = broken((d) => (d['policy-k8s-prod-core-eso-platform.hcl'] = d['policy-k8s-prod-core-eso-platform.hcl']!.replace(/"create", "read", "update"/g, '"read"')));
      expect(problems.some((p) => p.includes('does not allow pushing platform/data/core/'))).toBe(true);
    });

    it('GIVEN a role, a mount or an auth mount missing from the script WHEN checked THEN the store that needs it is named', () => {
      expect(broken((d) => (d['configure.sh'] = d['configure.sh']!.replace(/^bao write 'auth\/k8s-prod-core\/role\/eso-platform'.*$/m, '')))).toContain('store openbao of cluster core: role eso-platform of k8s-prod-core is not created');
      expect(broken((d) => (d['configure.sh'] = d['configure.sh']!.replace(`ensure_kv '${domainStore.mount}'`, '')))).toContain(`store ${domainStore.store} of cluster core: KV mount ${domainStore.mount} is not created`);
      expect(broken((d) => (d['configure.sh'] = d['configure.sh']!.replace("ensure_auth 'k8s-prod-core'", '')))).toEqual(expect.arrayContaining([expect.stringContaining('Kubernetes auth mount k8s-prod-core is not created')]));
    });

    it('GIVEN a role bound to another service account WHEN checked THEN the mismatch is reported', () => {
      const problems = broken((d) => (d['configure.sh'] = d['configure.sh']!.replace("role/eso-platform' bound_service_account_names='external-secrets'", "role/eso-platform' bound_service_account_names='default'")));
      expect(problems).toEqual([expect.stringContaining('role eso-platform is bound to external-secrets/default')]);
    });

    it("GIVEN a domain owners' policy reaching into another domain WHEN checked THEN it is reported", () => {
      const file = `policy-${domainStore.mount}-owner.hcl`;
      const problems = broken((d) => (d[file] += `\npath "${otherDomain.mount}/metadata/*" {\n  capabilities = ["list"]\n}\n`));
      expect(problems).toEqual([`policy ${domainStore.mount}-owner: grants ${otherDomain.mount}/metadata/*, outside its domain's mount ${domainStore.mount}/`]);
    });

    it("GIVEN the configurator's policy granting a value path or missing an operation WHEN checked THEN both are reported", () => {
      expect(broken((d) => (d['configurator-policy.hcl'] += '\npath "platform/data/*" {\n  capabilities = ["read"]\n}\n'))).toEqual(['configurator policy: grants platform/data/*, a path of a KV mount']);
      expect(broken((d) => (d['configurator-policy.hcl'] = d['configurator-policy.hcl']!.replace('path "sys/mounts/platform"', 'path "sys/mounts/other"')))).toEqual(['configurator policy: does not allow sys/mounts/platform, which the script writes']);
    });

    it('GIVEN a store whose users read a key outside its policy WHEN checked THEN the key is reported', () => {
      const widened = stores.map((s) => (s.store === 'openbao' ? { ...s, keys: [...s.keys, { key: 'other-cluster/velero/repository', write: false }] } : s));
      expect(storeConfigProblems(widened, readAppliedConfiguration(configData(env)))).toEqual(['store openbao of cluster core: its policy does not allow reading platform/data/other-cluster/velero/repository']);
    });
  });
});

describe('policies (policy/secrets.ts)', () => {
  it('GIVEN ACL patterns WHEN matched THEN * matches a prefix at the end only and + one segment', () => {
    expect(policyPathMatches('platform/data/core/*', 'platform/data/core/velero/repository')).toBe(true);
    expect(policyPathMatches('platform/data/core/*', 'platform/data/core')).toBe(false);
    expect(policyPathMatches('platform/data/core/*', 'platform/data/core2/x')).toBe(false);
    expect(policyPathMatches('platform/data/+/velero', 'platform/data/core/velero')).toBe(true);
    expect(policyPathMatches('sys/mounts/platform', 'sys/mounts/platform')).toBe(true);
    expect(policyPathMatches('sys/mounts/platform', 'sys/mounts/platform/tune')).toBe(false);
  });

  it('GIVEN the rules of every store and owner policy WHEN checked THEN none reaches outside its own mount or prefix, and a wildcard before the prefix does', () => {
    for (const s of storesOf('prod', 'core', ['energy-statistics', 'chemicals'])) expect(rulesOutside(storePolicyRules(s), s.mount, s.prefix)).toEqual([]);
    expect(rulesOutside(domainOwnerRules('chemicals'), domainMount('chemicals'), '')).toEqual([]);
    expect(rulesOutside([{ path: 'platform/data/+/*', capabilities: ['read'] }], 'platform', 'core')).toEqual(['platform/data/+/*']);
    expect(rulesOutside([{ path: 'platform/data/co*', capabilities: ['read'] }], 'platform', 'core')).toEqual(['platform/data/co*']);
    expect(rulesOutside([{ path: 'sys/policies/acl/*', capabilities: ['update'] }], 'domain-chemicals', '')).toEqual(['sys/policies/acl/*']);
  });

  it('GIVEN a policy written as HCL WHEN parsed back THEN the rules are the same', () => {
    const rules = domainOwnerRules('chemicals');
    expect(parsePolicyHcl(policyHcl('owners', rules))).toEqual(rules);
  });
});

describe('the configurator (constructs/secrets/openbao-config.ts)', () => {
  it.each(MANAGED)('GIVEN %s WHEN synthesized THEN a CronJob runs the script from the pinned image over TLS with the token from the bootstrap Secret, never a value in the output', (env) => {
    const json = estate.stack(`${env}-mgmt-clusters`);
    const cron = resourcesOf(json).find(([type, , body]) => type === 'kubernetes_cron_job_v1' && body.metadata.name === OPENBAO_CONFIG_NAME)![2];
    const pod = cron.spec.job_template.spec.template.spec;
    const container = pod.container[0];
    expect(container.image).toBe('quay.io/openbao/openbao:2.6.2');
    expect(container.env.find((e: Json) => e.name === 'BAO_TOKEN')).toEqual({ name: 'BAO_TOKEN', value_from: { secret_key_ref: { name: OPENBAO_CONFIG_TOKEN_SECRET, key: 'token' } } });
    expect(pod.automount_service_account_token).toBe(false);
    expect(container.security_context.read_only_root_filesystem).toBe(true);
    const script = configData(env)['configure.sh']!;
    expect(script).toContain("BAO_ADDR='https://openbao-active.openbao.svc:8200' BAO_CACERT='/openbao/ca/ca.crt'");
    expect(script).not.toMatch(/BAO_TOKEN=|bao kv (get|put)|bao read '?[a-z-]+\/data\//);
    // The token Secret is in the bootstrap set (with its rotation); the cluster CAs are a declared ConfigMap.
    const prereqs = cron['//'].prerequisites as Json[];
    expect(prereqs.map((p) => `${p.kind}/${p.name}`)).toEqual([`secret/${OPENBAO_CONFIG_TOKEN_SECRET}`, `configmap/${CLUSTER_CAS_CONFIGMAP}`]);
    expect(prereqs[0]!.rotation).toMatch(/revoke the old token/);
  });

  it('GIVEN an adopted cluster next to Cluster API ones WHEN its auth is configured THEN its API-server URL comes from the declared ConfigMap, not from a guess', () => {
    const [staging] = loadEnvironments(['staging']);
    const legacy = { name: 'legacy', mode: 'existing', nodeCidr: '10.21.0.0/22', controlPlaneCidr: '10.21.0.8/29', kubeconfig: { path: '~/.kube/config', context: 'moit-legacy' } };
    const clusters = authClusters({ ...staging!, clusters: [...staging!.clusters, legacy] } as typeof staging & object, []);
    expect(clusters.map((c) => [c.name, c.apiServer?.port])).toEqual([['core', 6443], ['legacy', undefined]]);
    const { script } = openBaoConfiguration({ environment: 'staging', clusters, domains: [], address: 'https://a:8200', caFile: '/ca', configDir: '/c', clusterCaDir: '/cas' });
    expect(script).toContain(`bao write 'auth/k8s-staging-legacy/config' kubernetes_host="$(cat '/cas/legacy.url')" kubernetes_ca_cert=@'/cas/legacy.crt' disable_local_ca_jwt=true`);
  });

  it('GIVEN a fake bao WHEN the script runs on an empty and then on a configured OpenBao THEN it enables only what is missing and removes only roles no store uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baocfg-'));
    const log = join(dir, 'calls');
    // The fake: `read` succeeds (with a KV v2 mount) only when STATE=configured; `list` returns one stale role.
    writeFileSync(
      join(dir, 'bao'),
      [
        '#!/bin/sh',
        `echo "$*" >> ${log}`,
        'case "$1" in',
        '  read) [ "$STATE" = configured ] || exit 2; echo \'{"options": {"version": "2"}}\' ;;',
        '  list) [ "$STATE" = configured ] && echo \'["eso-platform", "eso-domain-gone"]\' ;;',
        'esac',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(join(dir, 'bao'), 0o755);
    const script = join(dir, 'configure.sh');
    writeFileSync(script, configData('prod')['configure.sh']!);
    const run = (state: string) => {
      writeFileSync(log, '');
      execFileSync('/bin/sh', [script], { env: { PATH: `${dir}:/usr/bin:/bin`, STATE: state } });
      return readFileSync(log, 'utf8').trim().split('\n');
    };
    const first = run('empty');
    expect(first.filter((c) => c.startsWith('secrets enable')).length).toBe(readAppliedConfiguration(configData('prod')).mounts.size);
    expect(first).toContain('auth enable -path=k8s-prod-core -description=service accounts of cluster core kubernetes');
    expect(first.some((c) => c.startsWith('delete'))).toBe(false);
    const second = run('configured');
    expect(second.some((c) => c.startsWith('secrets enable') || c.startsWith('auth enable'))).toBe(false);
    // The fake lists the same roles on every auth mount: on the management cluster's own mount only the snapshot job's role is kept.
    expect(second.filter((c) => c.startsWith('delete'))).toEqual(['delete auth/k8s-prod-core/role/eso-domain-gone', 'delete auth/k8s-prod-mgmt/role/eso-platform', 'delete auth/k8s-prod-mgmt/role/eso-domain-gone']);
    // The snapshot job's role (openbao-backup.ts) on the management cluster's own mount, with its own policy only.
    const snapshotRole = first.find((c) => c.startsWith('write auth/k8s-prod-mgmt/role/raft-snapshot'));
    expect(snapshotRole).toMatch(/bound_service_account_names=openbao-snapshot bound_service_account_namespaces=openbao token_policies=k8s-prod-mgmt-raft-snapshot token_no_default_policy=true/);
    // Policies and roles are written on every run: writing the same content again changes nothing.
    expect(second.filter((c) => c.startsWith('policy write')).length).toBe(first.filter((c) => c.startsWith('policy write')).length);
  });
});
