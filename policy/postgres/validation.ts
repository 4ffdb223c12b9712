/**
 * Pure checks of Postgres settings, shared by the environment schema (which reports them with
 * the file and path) and the constructs (which report them with the construct path). No cdktf
 * import here: loading an environment file must stay cheap.
 *
 * Each check returns undefined when the value is fine, or a message saying what is allowed and
 * how to fix it (the caller adds where and what was received).
 */

/** The retention of backups as Barman reads it: a positive number of days, weeks or months ("30d"). */
export const RETENTION_PATTERN = /^[1-9][0-9]*[dwm]$/;

export function checkRetention(retention: string): string | undefined {
  return RETENTION_PATTERN.test(retention) ? undefined : 'must be a positive whole number of days, weeks or months, such as "30d", "6w" or "3m"';
}

/** A storage size: "200Gi", "1Ti". */
export function checkStorageSize(size: string): string | undefined {
  return /^[1-9][0-9]*(Mi|Gi|Ti)$/.test(size) ? undefined : 'must be a storage size in Mi, Gi or Ti, such as "50Gi"';
}

/** A memory amount: "8Gi", "512Mi". */
export function checkMemory(memory: string): string | undefined {
  return /^[1-9][0-9]*(Mi|Gi)$/.test(memory) ? undefined : 'must be a memory amount in Mi or Gi, such as "8Gi"';
}

/** A CPU amount: "2", "0.5", "500m". */
export function checkCpu(cpu: string): string | undefined {
  if (/^[1-9][0-9]*m$/.test(cpu)) return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(cpu) && Number(cpu) > 0) return undefined;
  return 'must be a positive CPU amount such as "2", "0.5" or "500m"';
}

/**
 * A point in time for recovery. It must carry its time zone: a bare "2026-09-01 10:00:00" is
 * read in the server's zone, and a restore to the wrong hour loses or replays data.
 */
export function checkRecoveryTime(time: string): string | undefined {
  const shape = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
  if (!shape.test(time) || Number.isNaN(Date.parse(time.replace(' ', 'T')))) {
    return 'must be an RFC 3339 timestamp with its time zone, such as "2026-09-01T10:00:00+07:00" or "2026-09-01T03:00:00Z"';
  }
  return undefined;
}

/** An object-store endpoint: only https, so backups never travel in clear. */
export function checkHttpsEndpoint(url: string): string | undefined {
  if (!/^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(\/.*)?$/i.test(url)) {
    return 'must be an https:// URL such as "https://rook-ceph-rgw-dc-objectstore.rook-ceph.svc": backups and WAL never travel in clear';
  }
  return undefined;
}

/** An S3 bucket name (3-63 characters, lower-case letters, digits, '-' and '.'). */
export function checkBucketName(bucket: string): string | undefined {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !bucket.includes('..')
    ? undefined
    : 'must be an S3 bucket name: 3-63 lower-case letters, digits, "-" and "."';
}

/** A Kubernetes object name (DNS-1123 label, as Secrets and CRs here are named). */
export function checkObjectName(name: string, max = 63): string | undefined {
  if (name.length > max) return `must be at most ${max} characters`;
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ? undefined : 'must be a lower-case DNS label: letters, digits and "-"';
}

/** A Secret name: a DNS-1123 subdomain (labels joined by "."), at most 253 characters. */
export function checkSecretName(name: string): string | undefined {
  if (name.length > 253) return 'must be at most 253 characters';
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name)
    ? undefined
    : 'must be a Secret name: lower-case letters, digits, "-" and "."';
}

/** Role names the operator or PostgreSQL keep for themselves. */
export const RESERVED_ROLES: readonly string[] = ['postgres', 'streaming_replica', 'app', 'public'];

/** A PostgreSQL role or database name as this project writes them: lower-case SQL identifiers. */
export function checkSqlIdentifier(name: string, what: 'role' | 'database' | 'schema'): string | undefined {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    return `must be a lower-case SQL identifier of at most 63 characters (letters, digits and "_", not starting with a digit), such as "energy_stats"`;
  }
  if (/^(pg_|cnpg_)/.test(name)) return `must not start with "pg_" or "cnpg_": PostgreSQL and the operator reserve those ${what} names`;
  if (what === 'role' && RESERVED_ROLES.includes(name)) return `is reserved (${RESERVED_ROLES.join(', ')} belong to PostgreSQL or the operator)`;
  if (what === 'database' && ['postgres', 'template0', 'template1'].includes(name)) return 'is reserved by PostgreSQL (postgres, template0, template1)';
  return undefined;
}

/** A CloudNativePG Cluster name: a DNS label short enough for the names derived from it. */
export function checkClusterName(name: string): string | undefined {
  return checkObjectName(name, 30);
}

/** A container image with an explicit tag or digest (never an implicit "latest"). */
export function checkImage(image: string): string | undefined {
  const tagged = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/;
  if (!tagged.test(image) || !(/:[A-Za-z0-9._-]+(@|$)/.test(image.split('/').pop()!) || image.includes('@sha256:'))) {
    return 'must be a registry image with a tag or digest, such as "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie"';
  }
  if (/:latest(@|$)/.test(image)) return 'must not use the "latest" tag: pin the PostgreSQL version';
  return undefined;
}

/**
 * postgresql.conf parameters this project sets itself for security (or that CloudNativePG
 * fixes); an environment or construct may not override them.
 */
export const PROTECTED_PARAMETERS: readonly string[] = ['password_encryption', 'ssl', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'ssl_ciphers', 'log_connections', 'log_disconnections'];

export function checkParameterName(name: string): string | undefined {
  if (PROTECTED_PARAMETERS.includes(name) || name.startsWith('ssl_')) {
    return `is set by PostgresCluster for security and cannot be overridden (protected: ${PROTECTED_PARAMETERS.join(', ')}, ssl_*)`;
  }
  if (!/^[a-z_][a-z0-9_.]*$/.test(name)) return 'must be a postgresql.conf parameter name such as "max_connections"';
  return undefined;
}
