import { z } from 'zod';
import { ConfigError, formatProblem } from '../lib/errors';
import { ENVIRONMENT_NAMES, SOURCES, checkEnvironment, formatPath, loadEnvironments, parseEnvironment, parseSelection, toProblems } from '../environments';
import { configOf } from './helpers';

type Mutation = (c: any) => void;

describe('environment files', () => {
  it.each(ENVIRONMENT_NAMES)('%s is valid', (name) => {
    const source = SOURCES.find((s) => s.config.name === name)!;
    const result = checkEnvironment(source.config, source.file);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('declares dev, staging, prod and dr; dev is one existing cluster with local state', () => {
    expect(ENVIRONMENT_NAMES).toEqual(['dev', 'staging', 'prod', 'dr']);
    const dev = parseEnvironment(configOf('dev'));
    expect(dev.clusters).toHaveLength(1);
    expect(dev.clusters[0]!.mode).toBe('existing');
    expect(dev.state.type).toBe('local');
    expect(dev.management).toBeUndefined();
  });

  it('applies documented defaults: not ephemeral, local state folder, API port 6443', () => {
    const staging = configOf('staging') as any;
    delete staging.clusters[0].controlPlane.endpoint.port;
    const env = parseEnvironment(staging);
    expect(env.ephemeral).toBe(false);
    const cp = env.clusters[0]!.mode === 'clusterApi' ? env.clusters[0]!.controlPlane : undefined;
    expect(cp?.endpoint.port).toBe(6443);
    expect(parseEnvironment(configOf('dev')).state).toEqual({ type: 'local', directory: 'terraform-state' });
  });
});

describe('invalid environments are rejected with the path, the value and what is allowed', () => {
  const cases: Array<[string, string, Mutation, string]> = [
    ['wrong type for the security level', 'prod', (c) => (c.securityLevel = 'four'), 'securityLevel: must be a number, got "four"'],
    ['security level out of range', 'prod', (c) => (c.securityLevel = 7), 'securityLevel: must be <= 5, got 7'],
    ['fractional replicas', 'prod', (c) => (c.clusters[0].nodePools[0].replicas = 1.5), 'clusters[0].nodePools[0].replicas: must be a whole number, got 1.5'],
    ['zero node-pool replicas', 'staging', (c) => (c.clusters[0].nodePools[1].replicas = 0), 'clusters[0].nodePools[1].replicas: must be >= 1, got 0'],
    ['a tiny machine', 'prod', (c) => (c.clusters[0].controlPlane.machine.memoryMiB = 512), 'clusters[0].controlPlane.machine.memoryMiB: must be >= 2048, got 512'],
    ['an even control plane', 'prod', (c) => (c.clusters[0].controlPlane.replicas = 4), 'clusters[0].controlPlane.replicas: must be odd so etcd keeps a quorum (1, 3, 5 ...), got 4'],
    ['a single control-plane node outside dev', 'staging', (c) => (c.clusters[0].controlPlane.replicas = 1), 'clusters[0].controlPlane.replicas: must be >= 3 outside development (class "staging"), got 1'],
    ['duplicate cluster names', 'prod', (c) => c.clusters.push(structuredClone(c.clusters[0])), 'clusters[1].name: duplicate cluster name; cluster names are unique in an environment, got "core"'],
    ['duplicate node pools', 'prod', (c) => c.clusters[0].nodePools.push(structuredClone(c.clusters[0].nodePools[0])), 'clusters[0].nodePools[5].name: duplicate node pool name in cluster "core", got "edge"'],
    ['a node pool in an unknown zone', 'prod', (c) => (c.clusters[0].nodePools[0].zone = 'internet'), 'clusters[0].nodePools[0].zone: must be one of: "dmz", "app", "data", "mgmt", "exchange", got "internet"'],
    ['a node pool in an undeclared zone', 'staging', (c) => (c.zones = c.zones.filter((z: any) => z.name !== 'data')), 'clusters[0].nodePools[1].zone: refers to a zone this environment does not declare; declared: dmz, app, mgmt, exchange, got "data"'],
    ['a missing zone', 'dev', (c) => (c.zones = c.zones.filter((z: any) => z.name !== 'exchange')), 'zones: zone "exchange" is missing'],
    ['a zone weaker than its environment', 'prod', (c) => (c.zones[0].securityLevel = 2), 'zones[0].securityLevel: must be >= the environment\'s securityLevel (4); a zone can only be stricter, got 2'],
    ['a prod zone without a node pool', 'prod', (c) => c.clusters[0].nodePools.pop(), 'clusters[0].nodePools: zone "exchange" has no node pool'],
    ['a Cluster API cluster without a management cluster', 'prod', (c) => delete c.management, 'clusters[0].mode: a "clusterApi" cluster needs a management cluster'],
    ['an unknown cluster mode', 'dev', (c) => (c.clusters[0].mode = 'eks'), 'clusters[0].mode: must be one of: "existing", "clusterApi", got "eks"'],
    ['a misspelt field', 'dev', (c) => (c.clusters[0].kubeConfig = c.clusters[0].kubeconfig), 'clusters[0].kubeConfig: unknown field'],
    ['a missing kubeconfig context', 'dev', (c) => delete c.clusters[0].kubeconfig.context, 'clusters[0].kubeconfig.context: must be a string, got nothing (the field is missing)'],
    ['an invalid cluster name', 'dev', (c) => (c.clusters[0].name = 'Core_1'), 'clusters[0].name: a cluster name must be a lower-case DNS label'],
    ['local state in prod', 'prod', (c) => (c.state = { type: 'local' }), 'state.type: local state is for development only'],
    ['plain-http state endpoint', 'staging', (c) => (c.state.endpoint = 'http://s3.local'), 'state.endpoint: must be an https:// URL'],
    ['an unknown state backend', 'prod', (c) => (c.state = { type: 'consul' }), 'state.type: must be one of: "local", "s3", "pg", got "consul"'],
    ['an ephemeral production', 'prod', (c) => (c.ephemeral = true), 'ephemeral: only a development environment may be ephemeral'],
    // Ephemeral drops prevent_destroy: staging and the recovery site keep their data too.
    ['an ephemeral staging', 'staging', (c) => (c.ephemeral = true), 'ephemeral: only a development environment may be ephemeral (class is "staging")'],
    ['an ephemeral recovery site', 'dr', (c) => (c.ephemeral = true), 'ephemeral: only a development environment may be ephemeral (class is "recovery")'],
    ['two zones with one name', 'prod', (c) => (c.zones[1].name = c.zones[0].name), 'zones[1].name: duplicate zone name; each zone is declared once'],
    ['an unknown class', 'prod', (c) => (c.class = 'live'), 'class: must be one of: "development", "staging", "production", "recovery", got "live"'],
    ['a malformed pod CIDR', 'prod', (c) => (c.clusters[0].network.pods = '10.244.0.0'), 'clusters[0].network.pods: must be an IPv4 CIDR block'],
    ['a malformed Kubernetes version', 'prod', (c) => (c.clusters[0].kubernetesVersion = '1.35'), 'clusters[0].kubernetesVersion: must be a Kubernetes version such as "v1.35.2", got "1.35"'],
    ['no clusters', 'dev', (c) => (c.clusters = []), 'clusters: an environment needs at least one cluster'],
    ['a lower-case vCenter thumbprint', 'prod', (c) => (c.clusters[0].vsphere.thumbprint = 'ab:cd'), 'clusters[0].vsphere.thumbprint: must be a certificate thumbprint'],
  ];

  it.each(cases)('%s', (_title, env, mutate, expected) => {
    const config = configOf(env);
    mutate(config);
    const result = checkEnvironment(config, `environments/${env}.ts`);
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}${'received' in p ? `, got ${JSON.stringify(p.received) ?? 'nothing (the field is missing)'}` : ''}`);
    const rendered = result.ok ? '' : new ConfigError(result.problems).message;
    expect(rendered).toContain(`environments/${env}.ts: ${expected}`);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('reports every problem of a file at once, in one error', () => {
    const config = configOf('prod') as any;
    config.securityLevel = 9;
    config.clusters[0].controlPlane.replicas = 2;
    config.clusters[0].nodePools[2].zone = 'nowhere';
    config.bogus = true;
    let error: unknown;
    try {
      parseEnvironment(config, 'environments/prod.ts');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(['securityLevel', 'clusters[0].nodePools[2].zone', 'bogus']));
    expect((error as ConfigError).message).toMatch(/^Invalid configuration: \d+ problems found/);
  });

  it('collects problems across several environment files', () => {
    const broken = SOURCES.map((s) => ({ file: s.file, config: structuredClone(s.config) as any }));
    broken[0]!.config.securityLevel = 0;
    broken[2]!.config.clusters[0].controlPlane.replicas = 1;
    expect(() => loadEnvironments(ENVIRONMENT_NAMES, broken)).toThrow(
      /environments\/dev\.ts: securityLevel: must be >= 1, got 0[\s\S]*environments\/prod\.ts: clusters\[0\]\.controlPlane\.replicas/,
    );
  });
});

describe('the schema, field by field (mutation review)', () => {
  /** Every problem of `env` after `mutate`, as `path: message`. */
  const problems = (env: string, mutate: Mutation): string[] => {
    const config = configOf(env) as any;
    mutate(config);
    const result = checkEnvironment(config, `environments/${env}.ts`);
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}${'received' in p ? ` (got ${JSON.stringify(p.received)})` : ''}`);
  };
  const valid = (env: string, mutate: Mutation) => expect(problems(env, mutate)).toEqual([]);

  it('accepts DNS labels and nothing else, with the field in the message', () => {
    for (const name of ['a', 'ab', 'a-b-1', 'a'.repeat(40)]) {
      expect([name, problems('dev', (c) => (c.clusters[0].name = name)).filter((p) => p.startsWith('clusters[0].name'))]).toEqual([name, []]);
    }
    for (const name of ['1ab', 'ab-', 'Ab', 'a_b', '-ab', 'a b']) {
      expect([name, problems('dev', (c) => (c.clusters[0].name = name)).filter((p) => p.startsWith('clusters[0].name'))]).toEqual([name, [`clusters[0].name: a cluster name must be a lower-case DNS label: letters, digits and '-', starting with a letter (for example "core" or "prod-a") (got ${JSON.stringify(name)})`]]);
    }
    expect(problems('dev', (c) => (c.name = 'a'.repeat(41)))).toContainEqual(
      `name: an environment name must be at most 40 characters (it becomes part of Kubernetes and Terraform names) (got "${'a'.repeat(41)}")`,
    );
    expect(problems('prod', (c) => (c.site.name = 'Hanoi'))).toEqual([expect.stringMatching(/^site\.name: a site name must be a lower-case DNS label/)]);
    expect(problems('prod', (c) => (c.management.namespace = 'Capi'))).toEqual([expect.stringMatching(/^management\.namespace: a namespace must be a lower-case DNS label/)]);
    expect(problems('prod', (c) => (c.clusters[0].nodePools[0].name = 'Edge'))).toEqual([expect.stringMatching(/^clusters\[0\]\.nodePools\[0\]\.name: a node pool name must be/)]);
    expect(problems('prod', (c) => (c.clusters[0].vsphere.identity.name = 'Id'))).toEqual([expect.stringMatching(/^clusters\[0\]\.vsphere\.identity\.name: an identity name must be/)]);
    expect(problems('prod', (c) => (c.clusters[0].vsphere.identity.secretName = 'S'))).toEqual([expect.stringMatching(/^clusters\[0\]\.vsphere\.identity\.secretName: a secret name must be/)]);
  });

  it('checks thumbprints, Kubernetes versions, state endpoints and schema prefixes by their full pattern', () => {
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => (i % 16).toString(16).toUpperCase().repeat(2)).join(':');
    for (const ok of [pairs(20), pairs(32)]) valid('prod', (c) => (c.clusters[0].vsphere.thumbprint = ok));
    for (const bad of [pairs(19), pairs(33), pairs(20).toLowerCase(), `x${pairs(20)}`, `${pairs(20)}x`, pairs(20).replace('00', 'G0'), pairs(20).replace(':', '-')]) {
      expect([bad, problems('prod', (c) => (c.clusters[0].vsphere.thumbprint = bad))]).toEqual([bad, [`clusters[0].vsphere.thumbprint: must be a certificate thumbprint like "AB:CD:...", upper-case hex pairs (got ${JSON.stringify(bad)})`]]);
    }
    valid('prod', (c) => (c.clusters[0].kubernetesVersion = 'v1.35.22'));
    for (const bad of ['xv1.35.2', 'v1.35.2x', 'v1.a.2', 'v1.35.', 'v2.35.2']) {
      expect([bad, problems('prod', (c) => (c.clusters[0].kubernetesVersion = bad))]).toEqual([bad, [`clusters[0].kubernetesVersion: must be a Kubernetes version such as "v1.35.2" (got ${JSON.stringify(bad)})`]]);
    }
    expect(problems('staging', (c) => (c.state.endpoint = 'http://s3.local/https://'))).toEqual(['state.endpoint: must be an https:// URL: state holds sensitive values and never travels in clear (got "http://s3.local/https://")']);
    expect(problems('staging', (c) => (c.state.bucket = 'ab'))).toEqual(['state.bucket: must be at least 3 characters (got "ab")']);
    expect(problems('staging', (c) => (c.state.keyPrefix = ''))).toEqual(['state.keyPrefix: must not be empty (got "")']);
    for (const prefix of ['moit_state', 'm', 'm1']) valid('prod', (c) => (c.state = { type: 'pg', schemaPrefix: prefix }));
    for (const bad of ['Moit', '1m', 'm-s', '_m', 'm s']) {
      expect([bad, problems('prod', (c) => (c.state = { type: 'pg', schemaPrefix: bad }))]).toEqual([bad, [`state.schemaPrefix: must be a lower-case Postgres identifier prefix (got ${JSON.stringify(bad)})`]]);
    }
  });

  it('fills the documented defaults of kubeconfig paths, state folders and regions', () => {
    const dev = configOf('dev') as any;
    delete dev.clusters[0].kubeconfig.path;
    expect(parseEnvironment(dev).clusters[0]!.kubeconfig.path).toBe('~/.kube/config');
    const staging = configOf('staging') as any;
    delete staging.state.region;
    expect(parseEnvironment(staging).state).toMatchObject({ type: 's3', region: 'dc-1' });
    expect(problems('dev', (c) => (c.clusters[0].kubeconfig.context = ''))).toEqual(['clusters[0].kubeconfig.context: context must name a kubeconfig context (got "")']);
  });

  it('says exactly what is wrong with zones, classes, state and control planes', () => {
    expect(problems('dev', (c) => (c.zones = c.zones.filter((z: any) => z.name !== 'exchange')))).toEqual([
      'zones: zone "exchange" is missing; every environment declares all of dmz, app, data, mgmt, exchange (got ["dmz","app","data","mgmt"])',
    ]);
    expect(problems('dev', (c) => (c.zones = []))).toEqual(expect.arrayContaining(['zones: must have at least 1 item (got [])']));
    valid('prod', (c) => c.zones.forEach((z: any) => (z.securityLevel = c.securityLevel)));
    valid('dev', (c) => (c.ephemeral = true));
    expect(problems('prod', (c) => (c.state = { type: 'local' }))).toEqual(['state.type: local state is for development only; use "s3" (the data centre\'s object store) or "pg" for class "production" (got "local")']);
    expect(problems('prod', (c) => (c.ephemeral = true))).toEqual(['ephemeral: only a development environment may be ephemeral (class is "production"); stateful resources elsewhere are always retained (got true)']);
    expect(problems('prod', (c) => delete c.management)).toEqual(expect.arrayContaining(['clusters[0].mode: a "clusterApi" cluster needs a management cluster: add `management` to the environment, or use mode "existing" (got "clusterApi")']));
    expect(problems('prod', (c) => (c.clusters[0].controlPlane.replicas = 1))).toEqual(['clusters[0].controlPlane.replicas: must be >= 3 outside development (class "production") (got 1)']);
    // Only production and the recovery site keep each zone on its own machines.
    expect(problems('dr', (c) => (c.clusters[0].nodePools = c.clusters[0].nodePools.filter((p: any) => p.zone !== 'exchange')))).toEqual([
      'clusters[0].nodePools: zone "exchange" has no node pool; class "recovery" keeps each zone on its own machines (got ["dmz","app","data","mgmt"])',
    ]);
    const stagingZones = (configOf('staging') as any).clusters[0].nodePools.map((p: any) => p.zone);
    expect(stagingZones).not.toContain('exchange'); // staging shares machines between zones, and may (it is valid: 'staging is valid')
  });

  it('renders problems the way users write paths and values', () => {
    expect(formatPath([0, 'a', 1, 'b'])).toBe('[0].a[1].b');
    expect(problems('dev', (c) => Object.assign(c.clusters[0], { kubeConfig: 1, nodecidr: 2 }))).toEqual([
      'clusters[0].kubeConfig: unknown field; remove it or check its spelling against environments/schema.ts',
      'clusters[0].nodecidr: unknown field; remove it or check its spelling against environments/schema.ts',
    ]);
    expect(problems('dev', (c) => (c.site = 'hanoi'))).toEqual(['site: must be an object (got "hanoi")']);
    expect(problems('dev', (c) => (c.zones = 'all'))).toEqual(['zones: must be a list (got "all")']);
    expect(problems('dev', (c) => (c.ephemeral = 'yes'))).toEqual(['ephemeral: must be true or false (got "yes")']);
    expect(problems('dev', (c) => (c.description = 3))).toEqual(['description: must be a string (got 3)']);
    expect(problems('dev', (c) => (c.description = ''))).toEqual(['description: must not be empty (got "")']);
    expect(problems('dev', (c) => (c.securityLevel = 2.5))).toEqual(expect.arrayContaining(['securityLevel: must be a whole number (got 2.5)']));
    expect(problems('dev', (c) => (c.site.distanceFromPrimaryKm = -1))).toEqual(['site.distanceFromPrimaryKm: must be >= 0 (got -1)']);
    expect(problems('prod', (c) => (c.zones[0].securityLevel = 6))).toEqual(['zones[0].securityLevel: must be <= 5 (got 6)']);
    expect(problems('prod', (c) => (c.clusters[0].mode = 'eks'))).toEqual(['clusters[0].mode: must be one of: "existing", "clusterApi" (got "eks")']);
  });
  // Killing the survivors of the mutation run (docs/mutation.md, environments/schema.ts).
  it('allows a Cluster API control plane of one node in development, and only there', () => {
    const devWithClusterApi = (replicas: number) => (c: any) => {
      const prod = configOf('prod') as any;
      c.management = prod.management;
      c.clusters = [{ ...prod.clusters[0], controlPlane: { ...prod.clusters[0].controlPlane, replicas } }];
    };
    valid('dev', devWithClusterApi(1));
    valid('dev', devWithClusterApi(3));
    expect(problems('dev', devWithClusterApi(2))).toEqual(['clusters[0].controlPlane.replicas: must be odd so etcd keeps a quorum (1, 3, 5 ...) (got 2)']);
    expect(problems('staging', (c) => (c.clusters[0].controlPlane.replicas = 1))).toEqual(['clusters[0].controlPlane.replicas: must be >= 3 outside development (class "staging") (got 1)']);
  });

  it('names the field and what is allowed in the messages of Cluster API clusters and local state', () => {
    expect(problems('prod', (c) => (c.clusters[0].name = 'Core'))).toContainEqual(
      `clusters[0].name: a cluster name must be a lower-case DNS label: letters, digits and '-', starting with a letter (for example "core" or "prod-a") (got "Core")`,
    );
    expect(problems('prod', (c) => (c.clusters[0].nodePools = []))).toContainEqual('clusters[0].nodePools: a Cluster API cluster needs at least one node pool (got [])');
    expect(problems('prod', (c) => (c.clusters[0].network.pods = '10.244.0.0'))).toEqual([
      'clusters[0].network.pods: must be an IPv4 CIDR block such as "10.244.0.0/16" (four numbers 0-255, then /0-32) (got "10.244.0.0")',
    ]);
    const dev = configOf('dev') as any;
    dev.state = { type: 'local', directory: 'state/dev' };
    expect(parseEnvironment(dev).state).toEqual({ type: 'local', directory: 'state/dev' });
    expect(problems('dev', (c) => (c.state = { type: 'local', directory: '' }))).toEqual(['state.directory: must not be empty (got "")']);
    // A string where a discriminated union expects an object: zod reports the type, not the union.
    expect(problems('dev', (c) => (c.clusters[0] = 'core'))).toEqual(['clusters[0]: must be an object (got "core")']);
    expect(problems('dev', (c) => (c.state = 'local'))).toEqual(['state: must be an object (got "local")']);
  });

  it('says how long a string may be when the schema gave no message of its own', () => {
    const group = (length: number) => (c: any) => (c.clusterBaseline.access.auditors = `oidc:${'a'.repeat(length - 5)}`);
    valid('prod', group(256));
    expect(problems('prod', group(257))).toEqual([`clusterBaseline.access.auditors: must be at most 256 characters (got "oidc:${'a'.repeat(252)}")`]);
  });

  it('says that a record is expected, and what a key of one must be, not only that it is invalid', () => {
    expect(problems('prod', (c) => (c.backup.assign = 'gold'))).toEqual(['backup.assign: must be a record (got "gold")']);
    expect(problems('prod', (c) => (c.backup.assign = { ...c.backup.assign, core: 'gold' }))).toEqual([
      'backup.assign.core: the key must name a service as the coverage table does: "<cluster>/<namespace>" for a namespace, "<cluster>/<namespace>/<name>" for a database, broker cluster or bucket (e.g. "core/postgres/main") (got "core")',
    ]);
  });

  it('names the source "environment" unless told the file', () => {
    const config = { ...configOf('dev'), securityLevel: 0 };
    expect(checkEnvironment(config)).toEqual({ ok: false, problems: [{ source: 'environment', path: 'securityLevel', message: 'must be >= 1', received: 0 }] });
    let error: unknown;
    try {
      parseEnvironment(config);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([{ source: 'environment', path: 'securityLevel', message: 'must be >= 1', received: 0 }]);
  });
});

describe('toProblems, for any zod schema (the catalogue uses it too)', () => {
  const problems = (schema: z.ZodType, value: unknown, reportInput = true): string[] => {
    const result = schema.safeParse(value, { reportInput });
    return result.success ? [] : toProblems('f.ts', result.error.issues).map(formatProblem);
  };

  it('says what is allowed for lists, unions and records the environment schema does not declare', () => {
    expect(problems(z.array(z.number()).min(2), [1])).toEqual(['f.ts: must have at least 2 items, got [1]']);
    expect(problems(z.array(z.number()).min(1), [])).toEqual(['f.ts: must have at least 1 item, got []']);
    expect(problems(z.array(z.number()).max(2), [1, 2, 3])).toEqual(['f.ts: must have at most 2 items, got [1,2,3]']);
    expect(problems(z.union([z.string(), z.number()]), true)).toEqual(['f.ts: matches none of the allowed shapes, got true']);
    expect(problems(z.record(z.string().min(3).regex(/^a/, { message: 'must start with "a"' }), z.number()), { b: 1 })).toEqual([
      'f.ts: b: the key must be at least 3 characters; must start with "a", got "b"',
    ]);
    // An issue without a case of its own keeps zod's message.
    expect(problems(z.number().multipleOf(5), 7)).toEqual(['f.ts: Invalid number: must be a multiple of 5, got 7']);
  });

  it("keeps the schema's own message, even one that mentions zod's words", () => {
    expect(problems(z.string().min(3, { message: 'an ID; Invalid ones are refused' }), 'a')).toEqual(['f.ts: an ID; Invalid ones are refused, got "a"']);
  });

  it('prints no received value when zod was not asked to report it', () => {
    expect(problems(z.strictObject({ n: z.number() }), { n: 'x' }, false)).toEqual(['f.ts: n: must be a number']);
    expect(problems(z.strictObject({ n: z.number() }), { n: 'x' })).toEqual(['f.ts: n: must be a number, got "x"']);
  });
});

describe('environment selection', () => {
  it('defaults to every environment and accepts a comma-separated subset', () => {
    expect(parseSelection(undefined)).toEqual(['dev', 'staging', 'prod', 'dr']);
    expect(parseSelection('prod, dr')).toEqual(['prod', 'dr']);
  });

  it('rejects an unknown environment, naming the known ones', () => {
    expect(() => parseSelection('prod,qa')).toThrow('--env: unknown environment "qa"; known: dev, staging, prod, dr');
    expect(() => parseSelection('prdo')).toThrow('--env: unknown environment "prdo"; known: dev, staging, prod, dr. Did you mean "prod"?');
    expect(() => parseSelection(' , ')).toThrow('--env: unknown environment ","; known: dev, staging, prod, dr');
    expect(parseSelection('all')).toEqual(['dev', 'staging', 'prod', 'dr']);
  });
});
