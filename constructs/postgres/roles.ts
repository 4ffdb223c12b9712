import { ConstructPropsError, propsError, type PropsProblem } from '../../lib/errors';
import { checkSqlIdentifier } from '../../policy/postgres/validation';
import { readRoleOf, roleSecretName, type SchemaRef } from './names';

export interface AddUserOptions {
  /** The role name, a SQL identifier. */
  readonly name: string;
  /** The data domain it acts for, recorded in its comment. */
  readonly domain?: string;
  /** @default "login role" (plus the domain) */
  readonly comment?: string;
  /** @default -1 (no limit) */
  readonly connectionLimit?: number;
  /**
   * The kubernetes.io/basic-auth Secret (username, password) in the cluster's namespace that
   * holds its password, when someone outside the estate supplies it (declared a prerequisite).
   * Until it exists the operator leaves the role without a password, so nobody can log in with it.
   * @default `<cluster>-<role>-credentials`, generated once and kept in OpenBao (GeneratedSecret:
   *   a Password generator pushed with IfNotExists, read back by an ExternalSecret)
   */
  readonly passwordSecret?: string;
}

export interface GrantReadOptions {
  /** The sharing agreements this access derives from; they are marked on the Cluster for the audit. @default [] */
  readonly agreements?: readonly string[];
  /** Only this schema of the domain (its read role is `<database>_<schema>_read`). @default the whole domain */
  readonly schema?: SchemaRef;
}

/** A role in `spec.managed.roles`, before rendering. */
interface RoleState {
  readonly name: string;
  readonly login: boolean;
  /** Only a domain owner in `owner-creates` mode, to create its declared databases. */
  createdb?: boolean;
  readonly comment: string;
  readonly passwordSecret?: string;
  readonly connectionLimit?: number;
  readonly inRoles: Map<string, Set<string>>;
}

/** What the role model needs to know about its cluster. */
export interface PostgresRolesProps {
  /** The cluster's construct path, which errors start with. */
  readonly path: string;
  /** The cluster's name, for messages and the default password Secret names. */
  readonly cluster: string;
  /** The domain of a declared database, to check a schema-scoped read role against. */
  readonly domainOfDatabase: (database: string) => string | undefined;
}

export function domainProblem(domain: string): string | undefined {
  return /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(domain) && domain.length <= 40
    ? undefined
    : 'must be a data domain name: a lower-case DNS label of at most 40 characters, such as "energy-statistics"';
}

/**
 * The roles of one Postgres cluster: login roles (one per application or domain owner), the
 * NOLOGIN read roles of domains and schemas, and the memberships that sharing agreements grant.
 * It renders CloudNativePG's `spec.managed.roles` when the stack is written ({@link render},
 * through a Lazy value on the Cluster), so roles and grants added after the cluster's
 * construction take effect, as Kafka's users and ACLs do.
 */
export class PostgresRoles {
  private readonly roles = new Map<string, RoleState>();
  private readonly agreementIds = new Set<string>();

  constructor(private readonly props: PostgresRolesProps) {}

  /** The names of the roles, sorted. */
  get names(): string[] {
    return [...this.roles.keys()].sort();
  }

  /** The sharing agreements grants derive from, sorted. */
  get agreements(): string[] {
    return [...this.agreementIds].sort();
  }

  has(name: string): boolean {
    return this.roles.has(name);
  }

  /** True when `name` is a login role. */
  isLogin(name: string): boolean {
    return this.roles.get(name)?.login === true;
  }

  /** Lets a login role create databases (a domain owner in `owner-creates` mode). */
  allowCreateDatabases(name: string): void {
    this.roles.get(name)!.createdb = true;
  }

  /**
   * A login role (`login: true`, no other privilege attribute). Its password is a Secret
   * reference (see AddUserOptions.passwordSecret); no password ever appears in code or state.
   * Returns the role name.
   */
  addUser(options: AddUserOptions): string {
    const problems: PropsProblem[] = [];
    const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
    check('name', checkSqlIdentifier(options.name, 'role'), options.name);
    if (options.domain !== undefined) check('domain', domainProblem(options.domain), options.domain);
    if (options.connectionLimit !== undefined && (!Number.isInteger(options.connectionLimit) || options.connectionLimit < -1)) {
      check('connectionLimit', 'must be a whole number >= -1 (-1 means no limit)', options.connectionLimit);
    }
    if (this.roles.has(options.name)) check('name', `role "${options.name}" is already declared on cluster "${this.props.cluster}"`, options.name);
    if (problems.length > 0) throw propsError(`${this.props.path}.addUser`, problems);
    this.roles.set(options.name, {
      name: options.name,
      login: true,
      comment: options.comment ?? `login role${options.domain ? ` of domain ${options.domain}` : ''}`,
      passwordSecret: options.passwordSecret ?? roleSecretName(this.props.cluster, options.name),
      connectionLimit: options.connectionLimit,
      inRoles: new Map(),
    });
    return options.name;
  }

  /**
   * The NOLOGIN role that reads a domain's data (`<domain>_read`), or only one schema of it
   * (`<database>_<schema>_read`), created once. The domain's schema migrations grant it USAGE
   * and SELECT (CloudNativePG manages role membership, not table privileges). Returns its name.
   */
  addReadRole(domain: string, schema?: SchemaRef): string {
    const problems: PropsProblem[] = [];
    const check = (field: string, message: string | undefined, value: unknown) => message && problems.push([field, message, value]);
    check('domain', domainProblem(domain), domain);
    if (schema) {
      check('schema.database', checkSqlIdentifier(schema.database, 'database'), schema.database);
      check('schema.schema', checkSqlIdentifier(schema.schema, 'schema'), schema.schema);
      const known = this.props.domainOfDatabase(schema.database);
      if (!problems.length && known !== undefined && known !== domain) check('schema.database', `belongs to domain "${known}", not "${domain}"`, schema.database);
    }
    const name = readRoleOf(domain, schema);
    if (!problems.length) check(schema ? 'schema' : 'domain', checkSqlIdentifier(name, 'role'), name);
    if (problems.length > 0) throw propsError(`${this.props.path}.addReadRole`, problems);
    const existing = this.roles.get(name);
    if (existing?.login) throw new ConstructPropsError(`${this.props.path}.addReadRole`, 'domain', `would create read role "${name}", but a login role has that name`, domain);
    if (!existing) {
      const what = schema ? `schema ${schema.schema} of database ${schema.database} (domain ${domain})` : `the data of domain ${domain}`;
      this.roles.set(name, { name, login: false, comment: `read access to ${what}; granted only by sharing agreements`, inRoles: new Map() });
    }
    return name;
  }

  /**
   * Lets `consumerRole` (a login role) read `domain`'s data, or one schema of it, by making it
   * a member of the read role. The agreements it derives from are recorded in the consumer's
   * role comment and in {@link agreements}. Returns the read role's name.
   */
  grantRead(consumerRole: string, domain: string, options: GrantReadOptions = {}): string {
    const path = `${this.props.path}.grantRead`;
    const consumer = this.roles.get(consumerRole);
    if (!consumer || !consumer.login) {
      const known = [...this.roles.values()].filter((r) => r.login).map((r) => r.name);
      throw new ConstructPropsError(
        path,
        'consumerRole',
        `must be a login role declared on cluster "${this.props.cluster}" (addUser or addDatabase); known: ${known.length > 0 ? known.join(', ') : 'none'}`,
        consumerRole,
      );
    }
    for (const id of options.agreements ?? []) {
      if (!/^SA-\d{4}-\d{3}$/.test(id)) throw new ConstructPropsError(path, 'agreements', 'each must be a sharing agreement reference like "SA-2026-004"', id);
    }
    const readRole = this.addReadRole(domain, options.schema);
    if (readRole === consumerRole) throw new ConstructPropsError(path, 'consumerRole', 'a read role cannot be granted to itself', consumerRole);
    const because = consumer.inRoles.get(readRole) ?? new Set<string>();
    for (const id of options.agreements ?? []) because.add(id);
    consumer.inRoles.set(readRole, because);
    for (const id of options.agreements ?? []) this.agreementIds.add(id);
    return readRole;
  }

  /** The Secret holding a login role's password (undefined for a NOLOGIN role or an unknown name). */
  passwordSecretOf(name: string): string | undefined {
    return this.roles.get(name)?.passwordSecret;
  }

  /** CloudNativePG's `spec.managed` for the roles, sorted so the output is stable; undefined when there are none. */
  render(): { roles: Array<Record<string, unknown>> } | undefined {
    if (this.roles.size === 0) return undefined;
    const roles = [...this.roles.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => {
        const memberships = [...r.inRoles.keys()].sort();
        const reasons = memberships.flatMap((m) => [...r.inRoles.get(m)!].sort().map((id) => `${m} (${id})`));
        return {
          name: r.name,
          ensure: 'present',
          comment: reasons.length > 0 ? `${r.comment}; grants: ${reasons.join(', ')}` : r.comment,
          login: r.login,
          superuser: false,
          createdb: r.createdb ?? false,
          createrole: false,
          replication: false,
          bypassrls: false,
          inherit: true,
          ...(r.connectionLimit !== undefined ? { connectionLimit: r.connectionLimit } : {}),
          ...(r.login ? { passwordSecret: { name: r.passwordSecret! } } : { disablePassword: true }),
          ...(memberships.length > 0 ? { inRoles: memberships } : {}),
        };
      });
    return { roles };
  }
}
