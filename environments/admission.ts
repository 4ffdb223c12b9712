import type { EnvironmentInput } from './schema';

/**
 * The rules whose admission policies refuse requests in staging, production and recovery. A
 * rule that gains an admission policy later is not listed here: it warns (Warn + Audit) in
 * every environment until it is added, after its warnings have been read.
 */
export const DENY_AT_ADMISSION: NonNullable<EnvironmentInput['admission']> = {
  deny: ['NET-002', 'NET-003', 'PSS-001', 'KAF-001', 'KAF-002', 'KAF-003', 'PG-001', 'PG-002', 'RET-001', 'RET-002', 'RET-003'],
};
