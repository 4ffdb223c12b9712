import { Construct } from 'constructs';
import { Segmentation } from '../constructs/network/segmentation';
import { prepareBackups } from '../constructs/backup/coverage';
import type { Environment, ZoneName } from '../environments';
import { NamespacePlan, zoneOf } from '../policy/layout';
import { HelmProvider, KubernetesProvider } from '../lib/providers';
import { Aspects, type ITerraformDependable, LocalBackend, PgBackend, S3Backend, TerraformStack } from '../lib/tf';
import { SecurityAudit } from './audit/aspect';
import { stackProduced } from './deployability';
import { suppress } from './audit/suppressions';
import { today } from '../environments/catalogue';
import { recordEnvironment } from '../lib/markers';
import type { Layer } from '../policy/names';
import { ClusterContext, type CreatedNamespace } from '../constructs/context';
import type { ZonedNamespace } from '../constructs/network/zoned-namespace';

export interface Kubeconfig {
  readonly path: string;
  readonly context: string;
}

export interface EnvironmentStackProps {
  readonly environment: Environment;
  /** The cluster this stack targets (`mgmt` for the Cluster API management cluster). */
  readonly cluster: string;
  readonly layer: Layer;
  /** How the providers reach the cluster. Credentials stay in the kubeconfig. */
  readonly kubeconfig: Kubeconfig;
  /** The cluster's namespaces and their zones (policy/layout.ts). @default [] */
  readonly namespaces?: readonly NamespacePlan[];
}

/**
 * A stack of one environment, cluster and layer: its state backend comes from the environment,
 * and its kubernetes and helm providers reach exactly one cluster through a kubeconfig context.
 */
export class EnvironmentStack extends TerraformStack implements ClusterContext {
  readonly environment: Environment;
  readonly cluster: string;
  readonly layer: Layer;
  readonly kubernetes: KubernetesProvider;
  /** The cluster's namespaces and their zones. */
  readonly namespaces: readonly NamespacePlan[];
  private helmProvider?: HelmProvider;
  private readonly kubeconfig: Kubeconfig;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    this.environment = props.environment;
    this.cluster = props.cluster;
    this.layer = props.layer;
    this.kubeconfig = props.kubeconfig;
    this.namespaces = props.namespaces ?? [];
    ClusterContext.brand(this);
    configureBackend(this, id, props.environment);
    // What the standalone audit needs to know about this stack, and the rule pack at synth (audit/).
    const env = props.environment;
    recordEnvironment(this, { name: env.name, class: env.class, securityLevel: env.securityLevel, ephemeral: env.ephemeral, site: env.site.name, cluster: props.cluster, layer: props.layer, namespaces: Object.fromEntries(this.namespaces.map((n) => [n.name, n.zone])) });
    // Findings at error level stop the synth; `today` (agreements, suppressions, drills) is the
    // same day the catalogue uses, so MOIT_TODAY reproduces a build.
    Aspects.of(this).add(new SecurityAudit({ today: today() }));
    this.kubernetes = new KubernetesProvider(this, 'kubernetes', {
      configPath: props.kubeconfig.path,
      configContext: props.kubeconfig.context,
    });
  }

  /** The helm provider, created on first use so stacks without charts do not require it. */
  get helm(): HelmProvider {
    if (!this.helmProvider) {
      this.helmProvider = new HelmProvider(this, 'helm', {
        kubernetes: { configPath: this.kubeconfig.path, configContext: this.kubeconfig.context },
      });
    }
    return this.helmProvider;
  }

  /**
   * Renders what is declared lazily (network flows) and checks its rules before cdktf
   * resolves the stack, so flows declared after a construct was built still take effect.
   */
  prepareStack(): void {
    this.applyAuditSuppressions();
    // Backups first: their late wiring may declare flows; every stateful resource needs a tier.
    prepareBackups(this);
    const segmentation = this.node.tryFindChild('segmentation');
    if (segmentation instanceof Segmentation) segmentation.render();
    // cdktf's own prepareStack ensures a backend, then resolves every element once more only to
    // discover cross-stack references, which this project never uses: stacks share plain values
    // (names from the layout and the environment), never tokens. That resolve cost ~0.7 s of a
    // 2.5 s synth; toTerraform() below proves no cross-stack reference slipped in.
    (this as unknown as { ensureBackendExists(): void }).ensureBackendExists();
  }

  /**
   * The stack's Terraform JSON, refused if it refers to a resource it does not declare; the last
   * stack of an environment also runs the deployability check over all of them.
   */
  toTerraform(): any {
    const tf = super.toTerraform();
    const dangling = danglingReferences(tf);
    if (dangling.length > 0) {
      throw new Error(
        `${this.node.id}: refers to resources it does not declare: ${dangling.join(', ')}. Stacks must not share tokens (a cross-stack reference); pass plain values from the environment or the layout instead.`,
      );
    }
    // Once the environment's last stack is produced, its stacks are checked together (deployability.ts).
    stackProduced(this, tf);
    return tf;
  }

  /**
   * The environment's accepted audit findings (`auditSuppressions`), declared on this stack or
   * on the construct at `path` inside it, before the rule pack runs. Done here rather than where
   * stacks are assembled, so a stack built on its own (in a test, by a tool) is judged the same.
   */
  private applyAuditSuppressions(): void {
    if (this.suppressionsApplied) return;
    this.suppressionsApplied = true;
    for (const s of this.environment.auditSuppressions) {
      const target = s.path ? s.path.split('/').reduce<Construct | undefined>((node, id) => node?.node.tryFindChild(id) as Construct | undefined, this) : this;
      if (target) suppress(target, { rule: s.rule, reason: s.reason, owner: s.owner, expires: s.expires });
    }
  }

  private suppressionsApplied = false;

  /** The namespaces this stack creates (stacks/platform.ts createNamespaces), by name. */
  private readonly createdNamespaces = new Map<string, ZonedNamespace>();

  /** Records the namespaces this stack creates, so what lands in them can wait for their baseline. */
  adoptNamespaces(namespaces: ReadonlyMap<string, ZonedNamespace>): void {
    for (const [name, ns] of namespaces) this.createdNamespaces.set(name, ns);
  }

  createdNamespace(name: string): CreatedNamespace | undefined {
    return this.createdNamespaces.get(name);
  }

  private readonly bootstrapDeps: ITerraformDependable[] = [];

  get bootstrapDependencies(): readonly ITerraformDependable[] {
    return [...this.bootstrapDeps];
  }

  addBootstrapDependency(dependency: ITerraformDependable): void {
    this.bootstrapDeps.push(dependency);
  }

  /** The zone of one of this cluster's namespaces; an unknown namespace is an error. */
  zoneOf(namespace: string): ZoneName {
    return zoneOf(this.namespaces, namespace);
  }

  /** True when stateful resources of this stack may be destroyed by a plan. */
  get ephemeral(): boolean {
    return this.environment.ephemeral;
  }
}

/**
 * The state backend from the environment file. Local state lives in `terraform-state/` at the
 * project root (paths are relative to `cdktf.out/stacks/<stack>/`, where Terraform runs). No
 * credential is ever written: S3 keys come from AWS_* variables, the pg connection string from
 * PG_CONN_STR.
 */
function configureBackend(stack: TerraformStack, stackId: string, env: Environment): void {
  const state = env.state;
  switch (state.type) {
    case 'local':
      new LocalBackend(stack, { path: `../../../${state.directory}/${stackId}.tfstate` });
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: state.bucket,
        key: `${state.keyPrefix}/${stackId}.tfstate`,
        region: state.region,
        usePathStyle: true,
        skipCredentialsValidation: true,
        skipRegionValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipS3Checksum: true,
      });
      // Not yet typed in cdktf 0.21: the endpoints map, and S3-native locking (Terraform >= 1.10).
      stack.addOverride('terraform.backend.s3.endpoints', { s3: state.endpoint });
      stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    case 'pg':
      // cdktf's PgBackend requires conn_str in code; we drop it so Terraform reads PG_CONN_STR.
      new PgBackend(stack, { connStr: '', schemaName: `${state.schemaPrefix}_${stackId.replace(/-/g, '_')}` });
      stack.addOverride('terraform.backend.pg.conn_str', undefined);
      return;
  }
}

/**
 * Addresses a synthesized stack refers to (in `${...}` expressions and `depends_on`) without
 * declaring them. Types are resource or data-source types (they contain an underscore).
 */
export function danglingReferences(tf: any): string[] {
  const declared = new Set<string>();
  for (const [type, byId] of Object.entries(tf.resource ?? {})) for (const id of Object.keys(byId as object)) declared.add(`${type}.${id}`);
  for (const [type, byId] of Object.entries(tf.data ?? {})) for (const id of Object.keys(byId as object)) declared.add(`data.${type}.${id}`);
  const missing = new Set<string>();
  const check = (address: string) => {
    if (!declared.has(address)) missing.add(address);
  };
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === 'string') {
      if (key === 'depends_on') return check(value.replace(/^\$\{(.*)\}$/, '$1'));
      for (const expr of value.match(/\$\{[^}]*\}/g) ?? []) {
        for (const m of expr.matchAll(/(data\.)?\b([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) check(`${m[1] ?? ''}${m[2]}.${m[3]}`);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, key);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== '//') visit(v, k);
    }
  };
  visit(tf.resource);
  visit(tf.data);
  visit(tf.output);
  return [...missing].sort();
}
