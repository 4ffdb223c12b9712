/**
 * The rule pack, in report order. Every file in this folder named <ID>-<slug>.ts is one rule;
 * test/audit-rules.test.ts checks that each is listed here exactly once.
 */
import type { Rule } from '../types';
import AUD001 from './AUD-001-suppression-valid';
import AUD002 from './AUD-002-environment-recorded';
import BAK001 from './BAK-001-backup-tier-coverage';
import BAK002 from './BAK-002-retention-meets-tier';
import BAK003 from './BAK-003-offsite-copy';
import BAK004 from './BAK-004-restore-drill';
import KAF001 from './KAF-001-listener-tls';
import KAF002 from './KAF-002-listener-authentication';
import KAF003 from './KAF-003-authorization';
import LOG001 from './LOG-001-audit-log-retention';
import LOG002 from './LOG-002-audit-logs-off-node';
import MON001 from './MON-001-rpo-alerts';
import MON002 from './MON-002-alert-receivers';
import MON003 from './MON-003-monitoring-listeners';
import NET001 from './NET-001-default-deny';
import NET002 from './NET-002-exposure';
import NET003 from './NET-003-wildcard-peers';
import OBJ001 from './OBJ-001-bucket-versioning';
import OBJ002 from './OBJ-002-bucket-tls-only-policy';
import OBJ003 from './OBJ-003-backup-bucket-object-lock';
import PG001 from './PG-001-superuser-disabled';
import PG002 from './PG-002-tls-only-hba';
import PG003 from './PG-003-wal-archiving-plugin';
import PG004 from './PG-004-scheduled-backup-plugin';
import PSS001 from './PSS-001-pod-security-restricted';
import RBAC001 from './RBAC-001-least-privilege';
import RET001 from './RET-001-stateful-retained';
import RET002 from './RET-002-operator-delete-protection';
import RET003 from './RET-003-data-claims-retained';
import SEC001 from './SEC-001-no-literal-secrets';
import SEC002 from './SEC-002-store-scoped';
import SEC003 from './SEC-003-secrets-from-model';
import SEC004 from './SEC-004-secret-store-backed-up';
import SEC005 from './SEC-005-secret-store-audit-shipped';
import SHR001 from './SHR-001-sharing-agreement-in-force';

export const RULES: readonly Rule[] = [
  NET001, NET002, NET003, PSS001, SEC001, SEC002, SEC003, SEC004, SEC005, RBAC001,
  KAF001, KAF002, KAF003, PG001, PG002, PG003, PG004, OBJ001, OBJ002, OBJ003,
  RET001, RET002, RET003, BAK001, BAK002, BAK003, BAK004, LOG001, LOG002, MON001, MON002, MON003, SHR001, AUD001, AUD002,
];

/** The IDs of every rule in the pack. */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));
