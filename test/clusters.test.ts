import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLUSTER_API_PROVIDERS } from '../constructs/cluster/cluster-api-operator';
import { argValue, POD_SECURITY_EXEMPT_NAMESPACES, TLS_CIPHER_SUITES } from '../constructs/cluster/control-plane-hardening';
import { KubernetesCluster } from '../constructs/cluster/kubernetes-cluster';
import { versionedName } from '../constructs/cluster/names';
import { ZONE_LABEL } from '../constructs/network/peer';
import { placementFor } from '../constructs/network/placement';
import { ZONE_NAMES, checkEnvironment, parseEnvironment, type EnvironmentInput } from '../environments';
import { standardZones } from '../environments/zones';
import { ConstructPropsError } from '../lib/errors';
import { OPERATORS } from '../lib/versions';
import { App } from '../lib/tf';
import { formatFinding, validateManifest, validateSynthesized } from '../tools/validate';
import { describeWithSchemas } from './schemas';
import { ManagementClustersStack, ManagementPlatformStack } from '../stacks/management';
import { configOf, manifestsOf, resourcesOf, synthEstate, type Json } from './helpers';
import { MODE_CONTEXT } from '../stacks/deployability';

const estate = synthEstate();
const CAPI_KINDS = ['Cluster', 'VSphereCluster', 'VSphereClusterIdentity', 'VSphereMachineTemplate', 'KubeadmControlPlane', 'KubeadmConfigTemplate', 'MachineDeployment'];
const CAPI_ENVS = ['staging', 'prod', 'dr'] as const;

/**
 * Synthesizes only the management stacks of an environment built from a (mutated) config, so
 * these tests do not depend on what other layers require of the same config.
 */
function synthConfig(config: EnvironmentInput): { stack: (name: string) => Json; management: { platform: ManagementPlatformStack; clusters: ManagementClustersStack } } {
  // Only the management stacks: the workload clusters' bootstrap (CNI, CPI, snapshots) is in stacks
  // not built here, so the deployability check reports instead of stopping (test/deployability.test.ts enforces it).
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-clusters-')), context: { [MODE_CONTEXT]: 'report' } });
  const environment = parseEnvironment(config);
  const kubeconfig = environment.management!.kubeconfig;
  const platform = new ManagementPlatformStack(app, `${environment.name}-mgmt-platform`, { environment, kubeconfig });
  const clusters = new ManagementClustersStack(app, `${environment.name}-mgmt-clusters`, { environment, kubeconfig, platform });
  app.synth();
  const stack = (name: string): Json => JSON.parse(readFileSync(join(app.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  return { stack, management: { platform, clusters } };
}

/** The manifests of a stack with their Terraform bodies. */
function bodiesOf(stackJson: Json, kind: string): Json[] {
  return resourcesOf(stackJson)
    .filter(([type, , body]) => type === 'kubernetes_manifest' && body.manifest.kind === kind)
    .map(([, , body]) => body);
}

function kcpOf(stackJson: Json): Json {
  const [kcp] = manifestsOf(stackJson, 'KubeadmControlPlane');
  return kcp!;
}

function problemsOf(config: EnvironmentInput): string[] {
  const result = checkEnvironment(config, 'environments/test.ts');
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('cluster settings in environment files', () => {
  it('requires an https issuer without query or fragment, at least one audience, and claim names', () => {
    const config = configOf('prod') as any;
    config.clusterBaseline.identityProvider = { issuerUrl: 'http://sso.moit.gov.vn/realms/dc?x=1', audiences: [], usernameClaim: 'user name' };
    const problems = problemsOf(config);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/clusterBaseline\.identityProvider\.issuerUrl.*https/),
        expect.stringMatching(/clusterBaseline\.identityProvider\.issuerUrl.*query or fragment/),
        expect.stringMatching(/clusterBaseline\.identityProvider\.audiences.*at least one audience/),
        expect.stringMatching(/clusterBaseline\.identityProvider\.usernameClaim.*claim name/),
      ]),
    );
    delete config.clusterBaseline.identityProvider;
    expect(problemsOf(config)).toEqual(expect.arrayContaining([expect.stringMatching(/clusterBaseline\.identityProvider/)]));
  });

  it('refuses access groups without the oidc: prefix the API server gives every identity-provider group', () => {
    const config = configOf('prod') as any;
    config.clusterBaseline.access.auditors = 'dc-auditors';
    expect(problemsOf(config)).toEqual([expect.stringMatching(/clusterBaseline\.access\.auditors: must start with "oidc:".*match nobody.*"oidc:dc-auditors"/)]);
    expect(problemsOf(configOf('prod'))).toEqual([]);
  });

  const cases: Array<[string, string, (c: any) => void, string]> = [
    ['an even control plane', 'prod', (c) => (c.clusters[0].controlPlane.replicas = 4), 'clusters[0].controlPlane.replicas: must be odd'],
    ['a single control-plane node in staging', 'staging', (c) => (c.clusters[0].controlPlane.replicas = 1), 'clusters[0].controlPlane.replicas: must be >= 3 outside development'],
    ['audit logs kept less than level 4 requires', 'prod', (c) => (c.clusterBaseline.auditLog = { maxAgeDays: 90 }), 'clusterBaseline.auditLog.maxAgeDays: must be >= 180 days for security level 4'],
    ['audit logs kept less than level 3 requires', 'staging', (c) => (c.clusterBaseline.auditLog = { maxAgeDays: 30 }), 'clusterBaseline.auditLog.maxAgeDays: must be >= 90 days for security level 3'],
    ['the same group administering and auditing', 'prod', (c) => (c.clusterBaseline.access.auditors = c.clusterBaseline.access.platformAdmins), 'clusterBaseline.access.auditors: must differ from platformAdmins'],
    ['a built-in Kubernetes group as administrators', 'prod', (c) => (c.clusterBaseline.access.platformAdmins = 'system:authenticated'), 'clusterBaseline.access.platformAdmins: must be a group of your identity provider'],
    ['audit logs that could fill the control-plane disk', 'staging', (c) => (c.clusterBaseline.auditLog = { maxBackups: 1000, maxSizeMiB: 100 }), 'exceeds a quarter of cluster "core"\'s control-plane disk'],
    ['a control-plane VIP given as a host name', 'prod', (c) => (c.clusters[0].controlPlane.endpoint.host = 'api.prod.dc.moit.gov.vn'), 'clusters[0].controlPlane.endpoint.host: must be the IPv4 address of the control-plane VIP'],
    ['a control-plane VIP outside the node network', 'prod', (c) => (c.clusters[0].controlPlane.endpoint.host = '10.99.0.10'), "clusters[0].controlPlane.endpoint.host: must be inside the cluster's nodeCidr (10.10.0.0/22)"],
    ['vCenter declared as a wide block', 'prod', (c) => (c.clusters[0].vsphere.serverCidr = '10.0.0.0/16'), 'clusters[0].vsphere.serverCidr: must be /24 or narrower'],
    ['the registry as the whole Internet', 'dr', (c) => (c.management.registry.cidr = '0.0.0.0/0'), 'management.registry.cidr: must be /24 or narrower'],
    ['a registry given as a URL', 'dr', (c) => (c.management.registry.repository = 'https://registry.example/capi'), 'management.registry.repository: must be a registry host and path without scheme'],
    ['a management cluster without its node network', 'staging', (c) => delete c.management.nodeCidr, 'management.nodeCidr'],
    ['a cluster without vCenter\'s address', 'staging', (c) => delete c.clusters[0].vsphere.serverCidr, 'clusters[0].vsphere.serverCidr'],
    ['no access groups', 'dev', (c) => delete c.clusterBaseline.access, 'clusterBaseline.access'],
  ];

  it.each(cases)('rejects %s', (_title, env, mutate, expected) => {
    const config = configOf(env);
    mutate(config);
    expect(problemsOf(config).join('\n')).toContain(expected);
  });

  it('accepts a single control-plane node in a development environment, and odd counts of 3 or more elsewhere', () => {
    const dev = configOf('staging') as any;
    dev.class = 'development';
    dev.clusters[0].controlPlane.replicas = 1;
    expect(problemsOf(dev)).toEqual([]);
    for (const replicas of [3, 5]) {
      const prod = configOf('prod') as any;
      prod.clusters[0].controlPlane.replicas = replicas;
      expect(problemsOf(prod)).toEqual([]);
    }
  });

  it('accepts audit retention at or above the level minimum, and defaults it when omitted', () => {
    const prod = configOf('prod') as any;
    prod.clusterBaseline.auditLog = { maxAgeDays: 180 };
    expect(problemsOf(prod)).toEqual([]);
    prod.clusterBaseline.auditLog = { maxAgeDays: 400 };
    expect(problemsOf(prod)).toEqual([]);
    delete prod.clusterBaseline.auditLog;
    expect(parseEnvironment(prod).clusterBaseline.auditLog).toEqual({ maxBackups: 100, maxSizeMiB: 100 });
  });

  it('gives every environment its own management cluster, so none installs into another\'s', () => {
    const contexts = ['staging', 'prod', 'dr'].map((e) => (configOf(e) as any).management.kubeconfig.context);
    expect(new Set(contexts).size).toBe(contexts.length);
  });
});

describe('dev adopts an existing cluster', () => {
  it('has no management stacks and declares no Cluster API object anywhere', () => {
    expect(estate.stackNames.filter((s) => s.startsWith('dev-'))).toEqual(['dev-core-platform', 'dev-core-services']);
    for (const name of ['dev-core-platform', 'dev-core-services']) {
      expect(manifestsOf(estate.stack(name)).filter((m) => m.apiVersion.includes('cluster.x-k8s.io'))).toEqual([]);
    }
  });

  it('places workloads nowhere in particular: an adopted cluster has no zone pools', () => {
    const dev = estate.estate.find((e) => e.environment.name === 'dev')!;
    expect(placementFor(dev.clusters[0]!.services, 'data')).toEqual({});
  });

  it('declares nothing for an existing cluster even in an environment with a management cluster', () => {
    const config = configOf('staging') as any;
    config.clusters.push({ name: 'legacy', mode: 'existing', kubeconfig: { path: '~/.kube/config', context: 'moit-legacy' }, nodeCidr: '10.21.0.0/22', controlPlaneCidr: '10.21.0.8/29' });
    const { stack, management } = synthConfig(config);
    const names = manifestsOf(stack('staging-mgmt-clusters')).map((m) => m.metadata.name);
    expect(names.some((n) => n.startsWith('legacy'))).toBe(false);
    const legacy = management.clusters.clusters.find((c) => c.name === 'legacy')!;
    expect(legacy.mode).toBe('existing');
    expect(legacy.clusterApi).toBeUndefined();
    expect(legacy.kubeconfig.context).toBe('moit-legacy');
  });
});

describe.each(CAPI_ENVS)('%s: Cluster API objects on the management cluster', (env) => {
  const json = estate.stack(`${env}-mgmt-clusters`);
  const config = parseEnvironment(configOf(env));
  const cluster = config.clusters[0]!;
  if (cluster.mode !== 'clusterApi') throw new Error('expected a Cluster API cluster');
  const namespace = config.management!.namespace;

  it('writes every object in v1beta2, in the environment\'s management namespace', () => {
    // Besides Cluster API, this stack holds only the secret store's certificate and its issuer (constructs/secrets/openbao.ts),
    // and the management cluster's monitors and alerts (constructs/monitoring/management.ts).
    const all = manifestsOf(json);
    expect(all.filter((m) => !String(m.apiVersion).includes('cluster.x-k8s.io') && m.apiVersion !== 'monitoring.coreos.com/v1').map((m) => `${m.kind} ${m.metadata.name}`).sort()).toEqual(['Certificate openbao-tls', 'ClusterIssuer dc-internal-ca']);
    const manifests = all.filter((m) => String(m.apiVersion).includes('cluster.x-k8s.io'));
    expect(manifests.map((m) => m.kind).sort()).toEqual(expect.arrayContaining(CAPI_KINDS));
    for (const m of manifests) {
      expect(m.apiVersion).toMatch(/^(cluster|controlplane\.cluster|bootstrap\.cluster|infrastructure\.cluster|addons\.cluster)\.x-k8s\.io\/v1beta2$/);
      if (m.kind !== 'VSphereClusterIdentity') expect(m.metadata.namespace).toBe(namespace);
    }
  });

  it('declares the Cluster with v1beta2 references, and retains it and its control plane', () => {
    const [body] = bodiesOf(json, 'Cluster');
    expect(body!.manifest.spec).toEqual({
      clusterNetwork: { pods: { cidrBlocks: [cluster.network.pods] }, services: { cidrBlocks: [cluster.network.services] } },
      controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name: 'core-control-plane' },
      infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'VSphereCluster', name: 'core' },
    });
    for (const kind of ['Cluster', 'KubeadmControlPlane']) {
      const [retained] = bodiesOf(json, kind);
      expect(retained!.lifecycle).toEqual({ prevent_destroy: true });
      expect(retained!['//'].stateful).toBe('cluster');
    }
  });

  it('reaches vCenter with its certificate pinned and credentials only through an identity whose Secret lives outside Terraform', () => {
    const [vsphereCluster] = manifestsOf(json, 'VSphereCluster');
    expect(vsphereCluster!.spec).toMatchObject({
      server: cluster.vsphere.server,
      thumbprint: cluster.vsphere.thumbprint,
      controlPlaneEndpoint: { host: cluster.controlPlane.endpoint.host, port: cluster.controlPlane.endpoint.port },
      identityRef: { kind: 'VSphereClusterIdentity', name: cluster.vsphere.identity.name },
    });
    const [identity] = manifestsOf(json, 'VSphereClusterIdentity');
    expect(identity).toEqual({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'VSphereClusterIdentity',
      metadata: { name: cluster.vsphere.identity.name },
      spec: { secretName: cluster.vsphere.identity.secretName, allowedNamespaces: { selector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } } },
    });
    // The JWT authenticator's claim mapping names a `username` claim, which is no credential.
    const text = JSON.stringify(json).replace(/\\n\s*username:\\n\s*claim:/g, '');
    expect(text).not.toMatch(/\bpassword\b|\busername\b|sshAuthorizedKeys|PRIVATE KEY/i);
  });

  it('runs the control plane on its own network with the configured replicas and Kubernetes version', () => {
    const kcp = kcpOf(json);
    expect(kcp.spec.replicas).toBe(cluster.controlPlane.replicas);
    expect(kcp.spec.version).toBe(cluster.kubernetesVersion);
    const templateName = kcp.spec.machineTemplate.spec.infrastructureRef.name;
    const template = manifestsOf(json, 'VSphereMachineTemplate').find((t) => t.metadata.name === templateName)!;
    expect(template.spec.template.spec).toMatchObject({
      numCPUs: cluster.controlPlane.machine.cpus,
      memoryMiB: cluster.controlPlane.machine.memoryMiB,
      diskGiB: cluster.controlPlane.machine.diskGiB,
      network: { devices: [{ networkName: cluster.vsphere.controlPlaneNetwork, dhcp4: true }] },
    });
  });

  it('gives each node pool its own zone network, and a label and taint that keep other zones\' workloads off it', () => {
    const deployments = manifestsOf(json, 'MachineDeployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(cluster.nodePools.map((p) => `core-${p.name}`).sort());
    for (const pool of cluster.nodePools) {
      const md = deployments.find((d) => d.metadata.name === `core-${pool.name}`)!;
      expect(md.spec.replicas).toBe(pool.replicas);
      expect(md.spec.template.metadata.labels[ZONE_LABEL]).toBe(pool.zone);
      const machine = manifestsOf(json, 'VSphereMachineTemplate').find((t) => t.metadata.name === md.spec.template.spec.infrastructureRef.name)!;
      expect(machine.spec.template.spec.network.devices).toEqual([{ networkName: pool.network, dhcp4: true }]);
      const bootstrap = manifestsOf(json, 'KubeadmConfigTemplate').find((t) => t.metadata.name === md.spec.template.spec.bootstrap.configRef.name)!;
      const registration = bootstrap.spec.template.spec.joinConfiguration.nodeRegistration;
      expect(registration.taints).toEqual([{ key: ZONE_LABEL, value: pool.zone, effect: 'NoSchedule' }]);
      expect(argValue(registration.kubeletExtraArgs, 'node-labels')).toBe(`${ZONE_LABEL}=${pool.zone}`);
    }
  });

  it('matches what placementFor tells workloads: the selector is the pools\' label, the toleration their taint', () => {
    const services = estate.estate.find((e) => e.environment.name === env)!.clusters[0]!.services;
    for (const pool of cluster.nodePools) {
      const placement = placementFor(services, pool.zone);
      expect(placement.nodeSelector).toEqual({ [ZONE_LABEL]: pool.zone });
      expect(placement.tolerations).toEqual([{ key: ZONE_LABEL, operator: 'Equal', value: pool.zone, effect: 'NoSchedule' }]);
    }
  });

  it('rolls templates by replacement: versioned names, created before the old ones are destroyed', () => {
    for (const kind of ['VSphereMachineTemplate', 'KubeadmConfigTemplate']) {
      for (const body of bodiesOf(json, kind)) {
        expect(body.manifest.metadata.name).toMatch(/^core-[a-z-]+-[0-9a-f]{8}$/);
        expect(body.lifecycle).toEqual({ create_before_destroy: true });
      }
    }
  });
});

describe('prod and dr keep every zone on machines of its own', () => {
  it.each(['prod', 'dr'])('%s has a tainted pool for each of the five zones', (env) => {
    const zones = manifestsOf(estate.stack(`${env}-mgmt-clusters`), 'MachineDeployment').map((md) => md.spec.template.metadata.labels[ZONE_LABEL]);
    expect(zones.sort()).toEqual([...ZONE_NAMES].sort());
  });
});

describe('template versions', () => {
  it('change only for the pool whose machines changed, and repoint its MachineDeployment', () => {
    const before = manifestsOf(estate.stack('prod-mgmt-clusters'), 'MachineDeployment');
    const config = configOf('prod') as any;
    config.clusters[0].nodePools.find((p: any) => p.name === 'app').machine.cpus = 12;
    const after = manifestsOf(synthConfig(config).stack('prod-mgmt-clusters'), 'MachineDeployment');
    const infra = (mds: Json[], name: string) => mds.find((m) => m.metadata.name === name)!.spec.template.spec.infrastructureRef.name;
    expect(infra(after, 'core-app')).not.toBe(infra(before, 'core-app'));
    expect(infra(after, 'core-data')).toBe(infra(before, 'core-data'));
    expect(after.find((m) => m.metadata.name === 'core-app')!.spec.template.spec.bootstrap).toEqual(before.find((m) => m.metadata.name === 'core-app')!.spec.template.spec.bootstrap);
  });

  it('are the same for the same spec whatever the key order, and stay within 63 characters', () => {
    expect(versionedName('core-app', { a: 1, b: { c: 2, d: 3 } })).toBe(versionedName('core-app', { b: { d: 3, c: 2 }, a: 1 }));
    expect(versionedName('x'.repeat(80), {})).toHaveLength(63);
  });
});

describe('control-plane hardening', () => {
  const kcp = kcpOf(estate.stack('prod-mgmt-clusters'));
  const spec = kcp.spec.kubeadmConfigSpec;
  const apiArgs = spec.clusterConfiguration.apiServer.extraArgs;
  const file = (path: string) => spec.files.find((f: Json) => f.path === path);
  const fileYaml = (path: string) => parse(file(path).content);

  it('passes extraArgs as v1beta2 {name, value} lists, each name once', () => {
    for (const component of ['apiServer', 'controllerManager', 'scheduler']) {
      const args = spec.clusterConfiguration[component].extraArgs as Json[];
      expect(Array.isArray(args)).toBe(true);
      expect(new Set(args.map((a) => a.name)).size).toBe(args.length);
    }
    const kubeletArgLists = [
      spec.initConfiguration.nodeRegistration.kubeletExtraArgs,
      spec.joinConfiguration.nodeRegistration.kubeletExtraArgs,
      ...manifestsOf(estate.stack('prod-mgmt-clusters'), 'KubeadmConfigTemplate').map((t) => t.spec.template.spec.joinConfiguration.nodeRegistration.kubeletExtraArgs),
    ] as Json[][];
    for (const args of kubeletArgLists) expect(new Set(args.map((a) => a.name)).size).toBe(args.length);
  });

  it('authorizes with Node and RBAC, admits with NodeRestriction, and exposes no profiling', () => {
    expect(argValue(apiArgs, 'authorization-mode')).toBe('Node,RBAC');
    expect(argValue(apiArgs, 'enable-admission-plugins')!.split(',')).toContain('NodeRestriction');
    for (const component of ['apiServer', 'controllerManager', 'scheduler']) {
      expect(argValue(spec.clusterConfiguration[component].extraArgs, 'profiling')).toBe('false');
    }
  });

  it('speaks TLS 1.2 or newer with forward-secret AEAD suites only, on every component and kubelet', () => {
    const kubelet = spec.initConfiguration.nodeRegistration.kubeletExtraArgs;
    for (const args of [apiArgs, spec.clusterConfiguration.controllerManager.extraArgs, spec.clusterConfiguration.scheduler.extraArgs, kubelet]) {
      expect(argValue(args, 'tls-min-version')).toBe('VersionTLS12');
      const suites = argValue(args, 'tls-cipher-suites')!.split(',');
      expect(suites).toEqual([...TLS_CIPHER_SUITES]);
      for (const s of suites) expect(s).toMatch(/^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    }
  });

  it('refuses anonymous requests except the health probes and the cluster-info discovery joining nodes need', () => {
    expect(argValue(apiArgs, 'authentication-config')).toBe('/etc/kubernetes/apiserver/authentication.yaml');
    // --anonymous-auth cannot be combined with an anonymous section; the section is what applies.
    expect(argValue(apiArgs, 'anonymous-auth')).toBeUndefined();
    const config = fileYaml('/etc/kubernetes/apiserver/authentication.yaml');
    expect(config).toMatchObject({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration' });
    // kubeadm join (bootstrap-token discovery) reads exactly this ConfigMap anonymously; without it no node joins.
    expect(config.anonymous).toEqual({
      enabled: true,
      conditions: [{ path: '/livez' }, { path: '/readyz' }, { path: '/healthz' }, { path: '/api/v1/namespaces/kube-public/configmaps/cluster-info' }],
    });
  });

  it('trusts user tokens of the identity provider named in the environment file, mapping username and groups with the oidc: prefix', () => {
    const [jwt, ...more] = fileYaml('/etc/kubernetes/apiserver/authentication.yaml').jwt;
    expect(more).toEqual([]);
    expect(jwt).toEqual({
      issuer: { url: 'https://sso.moit.gov.vn/realms/dc', audiences: ['kubernetes'] },
      claimMappings: { username: { claim: 'preferred_username', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } },
    });
    // The flags would make the API server refuse to start next to an authentication config.
    expect(apiArgs.filter((a: Json) => a.name.startsWith('oidc-'))).toEqual([]);
    const staging = parse(kcpOf(estate.stack('staging-mgmt-clusters')).spec.kubeadmConfigSpec.files.find((f: Json) => f.path === '/etc/kubernetes/apiserver/authentication.yaml').content);
    expect(staging.jwt[0].issuer.url).toBe('https://sso.moit.gov.vn/realms/dc-staging');
  });

  it('matches several audiences with MatchAny, as the API server requires', () => {
    const config = configOf('prod') as any;
    config.clusterBaseline.identityProvider.audiences = ['kubernetes', 'kubectl'];
    const kcp = kcpOf(synthConfig(config).stack('prod-mgmt-clusters'));
    const jwt = parse(kcp.spec.kubeadmConfigSpec.files.find((f: Json) => f.path === '/etc/kubernetes/apiserver/authentication.yaml').content).jwt[0];
    expect(jwt.issuer).toEqual({ url: 'https://sso.moit.gov.vn/realms/dc', audiences: ['kubernetes', 'kubectl'], audienceMatchPolicy: 'MatchAny' });
  });

  it('encrypts Secrets at rest with a configuration read from a pre-provisioned Secret, never written in code', () => {
    expect(argValue(apiArgs, 'encryption-provider-config')).toBe('/etc/kubernetes/apiserver/encryption.yaml');
    expect(file('/etc/kubernetes/apiserver/encryption.yaml')).toEqual({
      path: '/etc/kubernetes/apiserver/encryption.yaml',
      owner: 'root:root',
      permissions: '0600',
      contentFrom: { secret: { name: 'core-apiserver-encryption', key: 'encryption.yaml' } },
    });
    expect(JSON.stringify(spec)).not.toMatch(/EncryptionConfiguration|aescbc|secretbox/);
  });

  it('defaults every unlabelled namespace to Pod Security restricted, exempting only kube-system', () => {
    expect(argValue(apiArgs, 'admission-control-config-file')).toBe('/etc/kubernetes/apiserver/admission.yaml');
    const [plugin] = fileYaml('/etc/kubernetes/apiserver/admission.yaml').plugins;
    expect(plugin.name).toBe('PodSecurity');
    expect(plugin.configuration.defaults).toMatchObject({ enforce: 'restricted', audit: 'restricted', warn: 'restricted' });
    expect(plugin.configuration.exemptions).toEqual({ usernames: [], runtimeClasses: [], namespaces: [...POD_SECURITY_EXEMPT_NAMESPACES] });
    expect(POD_SECURITY_EXEMPT_NAMESPACES).toEqual(['kube-system']);
  });

  it('mounts the configuration read-only and only the audit-log folder writable', () => {
    expect(spec.clusterConfiguration.apiServer.extraVolumes).toEqual([
      { name: 'apiserver-config', hostPath: '/etc/kubernetes/apiserver', mountPath: '/etc/kubernetes/apiserver', readOnly: true, pathType: 'DirectoryOrCreate' },
      { name: 'audit-log', hostPath: '/var/log/kubernetes/audit', mountPath: '/var/log/kubernetes/audit', readOnly: false, pathType: 'DirectoryOrCreate' },
    ]);
    // The API server's configuration is readable by root only; kube-vip's files hold no secret
    // and are written as CAPV writes them.
    for (const f of spec.files.filter((x: Json) => x.path.startsWith('/etc/kubernetes/apiserver/'))) expect(f.permissions).toBe('0600');
    for (const f of spec.files.filter((x: Json) => !x.path.startsWith('/etc/kubernetes/apiserver/'))) expect(f.path).toMatch(/kube-vip/);
  });
});

describe('the audit policy', () => {
  const spec = kcpOf(estate.stack('prod-mgmt-clusters')).spec.kubeadmConfigSpec;
  const policy = parse(spec.files.find((f: Json) => f.path === '/etc/kubernetes/apiserver/audit-policy.yaml').content);
  const rules = policy.rules as Json[];
  /** The level of the first rule matching a request, as the API server evaluates it. */
  const levelFor = (req: { user?: string; groups?: string[]; verb: string; group?: string; resource?: string; namespace?: string; path?: string }): string => {
    const rule = rules.find((r) => {
      if (r.users && !r.users.includes(req.user)) return false;
      if (r.userGroups && !r.userGroups.some((g: string) => req.groups?.includes(g))) return false;
      if (r.verbs && !r.verbs.includes(req.verb)) return false;
      if (r.namespaces && !r.namespaces.includes(req.namespace)) return false;
      if (r.nonResourceURLs) return !!req.path && r.nonResourceURLs.some((u: string) => (u.endsWith('*') ? req.path!.startsWith(u.slice(0, -1)) : u === req.path));
      if (req.path) return !r.resources;
      if (r.resources) return r.resources.some((g: Json) => g.group === req.group && (!g.resources || g.resources.includes(req.resource)));
      return true;
    });
    return rule?.level;
  };

  it('is an audit.k8s.io/v1 Policy that fits a kubeadm file (10 KiB)', () => {
    expect(policy).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'] });
    expect(spec.files.find((f: Json) => f.path === '/etc/kubernetes/apiserver/audit-policy.yaml').content.length).toBeLessThan(10240);
  });

  it('records who read or changed a Secret or ConfigMap, never the content', () => {
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'delete']) {
      expect(levelFor({ user: 'alice', verb, group: '', resource: 'secrets', namespace: 'postgres' })).toBe('Metadata');
      expect(levelFor({ user: 'alice', verb, group: '', resource: 'configmaps', namespace: 'postgres' })).toBe('Metadata');
    }
  });

  it('records RBAC and workload changes in full, request and response', () => {
    expect(levelFor({ user: 'alice', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })).toBe('RequestResponse');
    expect(levelFor({ user: 'alice', verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'app-trade' })).toBe('RequestResponse');
    expect(levelFor({ user: 'alice', verb: 'delete', group: '', resource: 'pods', namespace: 'app-trade' })).toBe('RequestResponse');
    expect(levelFor({ user: 'alice', verb: 'update', group: 'networking.k8s.io', resource: 'networkpolicies', namespace: 'postgres' })).toBe('RequestResponse');
    expect(levelFor({ user: 'alice', verb: 'delete', group: 'postgresql.cnpg.io', resource: 'clusters', namespace: 'postgres' })).toBe('RequestResponse');
  });

  it('skips read-only noise and health probes, but logs exec sessions', () => {
    expect(levelFor({ user: 'alice', verb: 'list', group: 'apps', resource: 'deployments' })).toBe('None');
    expect(levelFor({ user: 'alice', verb: 'get', path: '/livez' })).toBe('None');
    expect(levelFor({ user: 'system:node:n1', groups: ['system:nodes'], verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' })).toBe('None');
    expect(levelFor({ user: 'alice', verb: 'create', group: '', resource: 'pods/exec', namespace: 'app-trade' })).toBe('Metadata');
  });
});

describe('audit-log retention follows the security level', () => {
  const maxAge = (stackJson: Json) => argValue(kcpOf(stackJson).spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs, 'audit-log-maxage');

  it('keeps 90 days at level 3 (staging) and 180 at level 4 (prod, dr)', () => {
    expect(maxAge(estate.stack('staging-mgmt-clusters'))).toBe('90');
    expect(maxAge(estate.stack('prod-mgmt-clusters'))).toBe('180');
    expect(maxAge(estate.stack('dr-mgmt-clusters'))).toBe('180');
  });

  it('keeps 365 days at level 5', () => {
    const config = configOf('prod') as any;
    config.securityLevel = 5;
    config.zones = standardZones(5);
    expect(maxAge(synthConfig(config).stack('prod-mgmt-clusters'))).toBe('365');
  });

  it('takes a longer retention and the rotation sizes from the environment file', () => {
    const config = configOf('prod') as any;
    config.clusterBaseline.auditLog = { maxAgeDays: 400, maxBackups: 50, maxSizeMiB: 200 };
    const args = kcpOf(synthConfig(config).stack('prod-mgmt-clusters')).spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs;
    expect([argValue(args, 'audit-log-maxage'), argValue(args, 'audit-log-maxbackup'), argValue(args, 'audit-log-maxsize')]).toEqual(['400', '50', '200']);
  });
});

describe('KubernetesCluster validates what it is given, also outside the environment schema', () => {
  function buildWith(mutate: (env: any) => void) {
    const env = parseEnvironment(configOf('staging')) as any;
    mutate(env);
    return () => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moit-kc-')) });
      const kubeconfig = env.management.kubeconfig;
      const platform = new ManagementPlatformStack(app, 'staging-mgmt-platform', { environment: env, kubeconfig });
      return new ManagementClustersStack(app, 'staging-mgmt-clusters', { environment: env, kubeconfig, platform });
    };
  }

  it('refuses an even control plane and a single node outside development', () => {
    expect(buildWith((e) => (e.clusters[0].controlPlane.replicas = 2))).toThrow(ConstructPropsError);
    expect(buildWith((e) => (e.clusters[0].controlPlane.replicas = 2))).toThrow(/controlPlane\.replicas: must be odd so etcd keeps a quorum.*got 2/);
    expect(buildWith((e) => (e.clusters[0].controlPlane.replicas = 1))).toThrow(/must be >= 3 outside development \(class "staging"\), got 1/);
    expect(buildWith((e) => (e.clusters[0].controlPlane.replicas = 5))).not.toThrow();
  });

  it('refuses a pool whose MachineDeployment name would not fit a label value', () => {
    expect(buildWith((e) => (e.clusters[0].nodePools[0].name = 'a'.repeat(62)))).toThrow(/at most 63 characters/);
  });

  it('refuses two clusters sharing an identity name with different Secrets', () => {
    const second = (e: any, secretName: string) => {
      const copy = structuredClone(e.clusters[0]);
      copy.name = 'edge';
      copy.vsphere.identity.secretName = secretName;
      e.clusters.push(copy);
    };
    expect(buildWith((e) => second(e, 'other-secret'))).toThrow(/identity "hanoi-vcenter" is already declared with secret "hanoi-vcenter-credentials"/);
    expect(buildWith((e) => second(e, e.clusters[0].vsphere.identity.secretName))).not.toThrow();
  });

  it('is declared only in a management clusters stack', () => {
    const { management } = synthConfig(configOf('staging'));
    const config = management.platform.environment.clusters[0]!;
    expect(() => new KubernetesCluster(management.platform, 'misplaced', { cluster: config })).toThrow(/declared in the management cluster's clusters stack/);
  });
});

describe('the Cluster API operator on the management cluster', () => {
  const platform = estate.stack('prod-mgmt-platform');
  const release = (Object.values(platform.resource.helm_release) as Json[]).find((r) => r.chart === 'cluster-api-operator')!;
  const values = parse(release.values[0]);
  const policies = Object.values(platform.resource.kubernetes_network_policy_v1) as Json[];
  const flows = policies.filter((p) => p.metadata.labels['moit.gov.vn/policy'] === 'flow');

  it('installs the chart pinned in lib/versions.ts, after cert-manager', () => {
    expect(release).toMatchObject({ chart: 'cluster-api-operator', version: OPERATORS.clusterApiOperator.chartVersion, namespace: 'capi-operator-system', repository: OPERATORS.clusterApiOperator.repository });
    expect(release.depends_on.some((d: string) => d.includes('cert-manager_release'))).toBe(true);
  });

  it('pins the providers: CAPI v1.13.5 core, kubeadm bootstrap and control plane, CAPV v1.16.1, into namespaces it does not create', () => {
    const reg = 'registry.mgmt.dc.moit.gov.vn/capi';
    expect(values.core).toEqual({ 'cluster-api': { namespace: 'capi-system', version: 'v1.13.5', createNamespace: false, fetchConfig: { oci: `${reg}/cluster-api:v1.13.5` } } });
    expect(values.bootstrap).toEqual({ kubeadm: { namespace: 'capi-kubeadm-bootstrap-system', version: 'v1.13.5', createNamespace: false, fetchConfig: { oci: `${reg}/cluster-api:v1.13.5` } } });
    expect(values.controlPlane).toEqual({ kubeadm: { namespace: 'capi-kubeadm-control-plane-system', version: 'v1.13.5', createNamespace: false, fetchConfig: { oci: `${reg}/cluster-api:v1.13.5` } } });
    expect(values.infrastructure).toEqual({ vsphere: { namespace: 'capv-system', version: 'v1.16.1', createNamespace: false, fetchConfig: { oci: `${reg}/infrastructure-vsphere:v1.16.1` } } });
  });

  it('fetches every provider from the environment\'s internal registry through its own fetchConfig (chart 0.28.0), never the deprecated top-level map', () => {
    // The top-level map is deprecated in 0.28.0 and not read for core, bootstrap or control-plane providers.
    expect(values.fetchConfig).toBeUndefined();
    for (const section of ['core', 'bootstrap', 'controlPlane', 'infrastructure']) {
      for (const provider of Object.values(values[section]) as Json[]) {
        expect(provider.fetchConfig.oci.startsWith('registry.mgmt.dc.moit.gov.vn/capi/')).toBe(true);
        // The chart renders `spec:` only with a version set; fetchConfig alone would lose its parent.
        expect(provider.version).toMatch(/^v\d/);
      }
    }
    expect(values.image.manager.repository.startsWith('registry.mgmt.dc.moit.gov.vn/')).toBe(true);
    expect(release.values[0]).not.toMatch(/github\.com|registry\.k8s\.io|gcr\.io/);
    const dr = parse((Object.values(estate.stack('dr-mgmt-platform').resource.helm_release) as Json[]).find((r) => r.chart === 'cluster-api-operator')!.values[0]);
    expect(dr.infrastructure.vsphere.fetchConfig.oci).toBe('registry.mgmt.hcm-1.dc.moit.gov.vn/capi/infrastructure-vsphere:v1.16.1');
  });

  it('creates the management namespaces in the mgmt zone, restricted, with default deny', () => {
    const namespaces = (Object.values(platform.resource.kubernetes_namespace_v1) as Json[]).map((n) => n.metadata);
    const expected = ['cert-manager', 'capi-operator-system', 'capi-system', 'capi-kubeadm-bootstrap-system', 'capi-kubeadm-control-plane-system', 'capv-system', 'capi-prod', 'monitoring'];
    expect(namespaces.map((n) => n.name).sort()).toEqual([...expected].sort());
    for (const ns of namespaces) {
      expect(ns.labels[ZONE_LABEL]).toBe('mgmt');
      expect(ns.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(policies.some((p) => p.metadata.name === 'default-deny' && p.metadata.namespace === ns.name)).toBe(true);
    }
  });

  it('lets each controller reach the management API server, and only that API server call its webhooks on 9443 (and Prometheus scrape its metrics on 8443)', () => {
    for (const ns of ['capi-operator-system', ...CLUSTER_API_PROVIDERS.map((p) => p.namespace)]) {
      const ingress = flows.filter((p) => p.metadata.namespace === ns && p.spec.ingress);
      expect(ingress.map((p) => p.spec.ingress)).toEqual([
        [{ from: [{ ip_block: { cidr: '10.1.0.8/29' } }], ports: [{ port: '9443', protocol: 'TCP' }] }],
        [{ from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } }, pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } } }], ports: [{ port: '8443', protocol: 'TCP' }] }],
      ]);
      const toApi = flows.filter((p) => p.metadata.namespace === ns && p.spec.egress?.[0].to[0].ip_block?.cidr === '10.1.0.8/29');
      expect(toApi).toHaveLength(1);
    }
  });

  it('lets cert-manager, which issues the webhooks\' certificates, reach the API server and be called on its webhook port', () => {
    // Besides Prometheus's scrape of its controller (constructs/monitoring/management.ts).
    const ours = flows.filter((p) => p.metadata.namespace === 'cert-manager' && !p.metadata.name.startsWith('flow-prometheus-'));
    expect(ours.map((p) => p.spec.egress?.[0] ?? p.spec.ingress?.[0])).toEqual(
      expect.arrayContaining([
        { to: [{ ip_block: { cidr: '10.1.0.8/29' } }], ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] },
        { from: [{ ip_block: { cidr: '10.1.0.8/29' } }], ports: [{ port: '10250', protocol: 'TCP' }] },
      ]),
    );
    expect(ours).toHaveLength(2);
  });

  it('lets only the vSphere provider reach vCenter, on 443 at its configured address', () => {
    const toVcenter = flows.filter((p) => p.spec.egress?.[0].to[0].ip_block?.cidr === '10.0.1.10/32');
    expect(toVcenter.map((p) => [p.metadata.namespace, p.spec.egress[0].ports])).toEqual([['capv-system', [{ port: '443', protocol: 'TCP' }]]]);
  });

  it('lets the controllers reach the workload cluster\'s API server at its VIP only, and the operator the registry only', () => {
    const toVip = flows.filter((p) => p.spec.egress?.[0].to[0].ip_block?.cidr === '10.10.0.10/32').map((p) => p.metadata.namespace);
    expect(toVip.sort()).toEqual(['capi-kubeadm-bootstrap-system', 'capi-kubeadm-control-plane-system', 'capi-system', 'capv-system']);
    const toRegistry = flows.filter((p) => p.spec.egress?.[0].to[0].ip_block?.cidr === '10.1.0.50/32').map((p) => p.metadata.namespace);
    expect(toRegistry).toEqual(['capi-operator-system']);
    for (const p of flows) expect(JSON.stringify(p.spec)).not.toContain('0.0.0.0/0');
    for (const p of flows) expect(p.metadata.annotations['moit.gov.vn/purpose'].length).toBeGreaterThan(30);
  });
});

describeWithSchemas('schema validation against the pinned upstream CRDs', () => {
  const report = validateSynthesized(estate.outdir);

  it('finds every Cluster API and CAPV object valid against CAPI v1.13.5 and CAPV v1.16.1', () => {
    expect(report.kinds).toEqual(expect.arrayContaining(CAPI_KINDS.map((k) => expect.stringMatching(new RegExp(`^[a-z0-9.-]+/v1beta2 ${k}$`)))));
    const ours = report.findings.filter((f) => f.stack.includes('-mgmt-') || (f.apiVersion ?? '').includes('cluster.x-k8s.io'));
    expect(ours.map(formatFinding)).toEqual([]);
  });

  it('would catch a v1beta1-style control plane (extraArgs as a map)', () => {
    const kcp = structuredClone(kcpOf(estate.stack('prod-mgmt-clusters')));
    kcp.spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs = { 'audit-log-maxage': '180' };
    expect(validateManifest(kcp).map((p) => p.path)).toContain('spec.kubeadmConfigSpec.clusterConfiguration.apiServer.extraArgs');
  });
});
