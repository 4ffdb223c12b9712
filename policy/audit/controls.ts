/**
 * The control catalogue the rules evidence: ISO/IEC 27001:2022 Annex A, NIST SP 800-53 Rev. 5,
 * the CIS Kubernetes Benchmark (v1.12, as encoded in kube-bench), and the Vietnamese
 * security-level requirements (TCVN 14423:2026 and the decrees, as consolidated in
 * ../shared/reference/governance.md section 4, IDs S*, E*, B*, A*, L*, SH*).
 *
 * Every control carries its source and how sure we are of it: the Vietnamese thresholds are
 * known only from an unofficial paraphrase of TCVN 14423:2026 (governance.md [R]); re-check them
 * against the standard before an audit relies on a number.
 */

export type Framework = 'ISO/IEC 27001:2022' | 'NIST SP 800-53 Rev. 5' | 'CIS Kubernetes Benchmark' | 'Vietnam (TCVN 14423 / decrees)';

export interface Control {
  /** e.g. `ISO-8.22`, `NIST-SC-7`, `CIS-5.3.2`, `VN-S6`. */
  readonly id: string;
  readonly framework: Framework;
  /** The reference as auditors write it: `A.8.22`, `SC-7(5)`, `5.3.2`, `TCVN 14423 5.12.2.2 b`. */
  readonly ref: string;
  readonly title: string;
  /** Where the control's wording comes from, and its confidence (H, M, L as in governance.md). */
  readonly source: string;
}

const ISO = 'ISO/IEC 27001:2022' as const;
const NIST = 'NIST SP 800-53 Rev. 5' as const;
const CIS = 'CIS Kubernetes Benchmark' as const;
const VN = 'Vietnam (TCVN 14423 / decrees)' as const;
const GOV = '../shared/reference/governance.md';
const TOOLS = '../shared/reference/review-and-audit-tools.md';

export const CONTROLS: readonly Control[] = [
  { id: 'ISO-8.13', framework: ISO, ref: 'A.8.13', title: 'Information backup: copies maintained and regularly tested', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-8.15', framework: ISO, ref: 'A.8.15', title: 'Logging: logs produced, stored, protected and analysed', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-8.16', framework: ISO, ref: 'A.8.16', title: 'Monitoring activities: networks, systems and applications monitored for anomalous behaviour', source: 'ISO/IEC 27001:2022 Annex A (M)' },
  { id: 'ISO-8.2', framework: ISO, ref: 'A.8.2', title: 'Privileged access rights restricted and managed', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-8.3', framework: ISO, ref: 'A.8.3', title: 'Information access restriction', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-8.5', framework: ISO, ref: 'A.8.5', title: 'Secure authentication', source: 'ISO/IEC 27001:2022 Annex A (M)' },
  { id: 'ISO-8.9', framework: ISO, ref: 'A.8.9', title: 'Configuration management: secure configurations enforced', source: 'ISO/IEC 27001:2022 Annex A (M)' },
  { id: 'ISO-8.20', framework: ISO, ref: 'A.8.20', title: 'Networks security: networks secured, managed and controlled', source: 'ISO/IEC 27001:2022 Annex A (M)' },
  { id: 'ISO-8.21', framework: ISO, ref: 'A.8.21', title: 'Security of network services', source: 'ISO/IEC 27001:2022 Annex A (M)' },
  { id: 'ISO-8.22', framework: ISO, ref: 'A.8.22', title: 'Segregation of networks', source: `${GOV} 2.1, 3.1 (M)` },
  { id: 'ISO-8.24', framework: ISO, ref: 'A.8.24', title: 'Use of cryptography, incl. key management', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-5.14', framework: ISO, ref: 'A.5.14', title: 'Information transfer: rules and agreements', source: `${GOV} 3.1 (M)` },
  { id: 'ISO-5.17', framework: ISO, ref: 'A.5.17', title: 'Authentication information (secrets) managed', source: 'ISO/IEC 27001:2022 Annex A (M)' },

  { id: 'NIST-SC-7', framework: NIST, ref: 'SC-7, SC-7(5)', title: 'Boundary protection; deny by default, allow by exception', source: `${GOV} 3.2 (M; enhancement titles from the catalogue)` },
  { id: 'NIST-SC-8', framework: NIST, ref: 'SC-8(1)', title: 'Transmission confidentiality and integrity (cryptographic)', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-SC-12', framework: NIST, ref: 'SC-12', title: 'Cryptographic key establishment and management', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-SC-28', framework: NIST, ref: 'SC-28(1)', title: 'Protection of information at rest', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-CP-9', framework: NIST, ref: 'CP-9, CP-9(1)', title: 'System backup; testing for reliability and integrity', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-CP-6', framework: NIST, ref: 'CP-6', title: 'Alternate storage site', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-AU-11', framework: NIST, ref: 'AU-11', title: 'Audit record retention', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-AU-9', framework: NIST, ref: 'AU-9(4)', title: 'Protection of audit information', source: `${GOV} 3.2 (M)` },
  { id: 'NIST-SI-4', framework: NIST, ref: 'SI-4', title: 'System monitoring', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-AC-3', framework: NIST, ref: 'AC-3', title: 'Access enforcement', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-AC-4', framework: NIST, ref: 'AC-4', title: 'Information flow enforcement', source: `${GOV} 2.1 (M)` },
  { id: 'NIST-AC-6', framework: NIST, ref: 'AC-6', title: 'Least privilege', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-IA-2', framework: NIST, ref: 'IA-2, IA-3', title: 'Identification and authentication of users and devices', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-IA-5', framework: NIST, ref: 'IA-5(1)(c)', title: 'Authenticators stored and transmitted protected', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-CM-6', framework: NIST, ref: 'CM-6', title: 'Configuration settings', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },
  { id: 'NIST-SI-12', framework: NIST, ref: 'SI-12', title: 'Information management and retention', source: 'NIST SP 800-53 Rev. 5 catalogue (M)' },

  { id: 'CIS-5.3.2', framework: CIS, ref: '5.3.2', title: 'All namespaces have NetworkPolicies defined', source: `${TOOLS} C.1 (kube-bench cis-1.12)` },
  { id: 'CIS-5.2', framework: CIS, ref: '5.2.1-5.2.12', title: 'Pod Security: an admission control policy restricts privileged, host and root containers', source: `${TOOLS} C.5` },
  { id: 'CIS-5.1.1', framework: CIS, ref: '5.1.1', title: 'cluster-admin role used only where required', source: `${TOOLS} C.4` },
  { id: 'CIS-5.1.3', framework: CIS, ref: '5.1.3', title: 'Minimise wildcard use in Roles and ClusterRoles', source: `${TOOLS} C.4` },
  { id: 'CIS-5.4.1', framework: CIS, ref: '5.4.1-5.4.2', title: 'Secrets kept out of plain configuration; external secret storage', source: `${TOOLS} C.6` },
  { id: 'CIS-1.2.audit', framework: CIS, ref: '1.2.16-1.2.19', title: 'API server audit logging: policy, path, maxage, maxbackup, maxsize', source: `${TOOLS} C.7` },
  { id: 'CIS-5.7.exposure', framework: CIS, ref: '5.7 / NSA network separation', title: 'Workloads not exposed outside the cluster without need', source: `${TOOLS} C.1 (NET-8), NSA/CISA hardening guidance` },

  { id: 'VN-S2', framework: VN, ref: 'TCVN 14423 5.12 / 6.12 (S2)', title: 'Inter-zone traffic deny by default; egress control per function', source: `${GOV} 4 S2 (M, [R])` },
  { id: 'VN-S5', framework: VN, ref: 'Decree 331/2026 Art. 30.8 (S5)', title: 'Logical separation of system, network zones and storage (levels 3-4)', source: `${GOV} 4 S5 (M, [R])` },
  { id: 'VN-S6', framework: VN, ref: 'S6', title: 'Every namespace has default-deny ingress and egress; API server not reachable from untrusted networks', source: `${GOV} 4 S6 (M)` },
  { id: 'VN-E1', framework: VN, ref: 'TCVN 14423 5.4.2.8 (E1)', title: 'Important data encrypted at rest and in transit', source: `${GOV} 4 E1 (M, [R])` },
  { id: 'VN-E5', framework: VN, ref: 'TCVN 14423 5.11, 6.11.2.3 b (E5)', title: 'Backups of important data encrypted and protected', source: `${GOV} 4 E5 (M, [R])` },
  { id: 'VN-B1', framework: VN, ref: 'TCVN 14423 5.11 (B1)', title: '3-2-1 rule; automated central backup (level 3)', source: `${GOV} 4 B1 (M, [R])` },
  { id: 'VN-B2', framework: VN, ref: 'TCVN 14423 6.11.2.4-6.11.2.5 (B2)', title: 'Level 4: backups on independent infrastructure; restore test every 6 months (level 5: quarterly)', source: `${GOV} 4 B2 (M, [R])` },
  { id: 'VN-A3', framework: VN, ref: 'TCVN 14423 level 4 (A3)', title: 'Privileged access managed; tokens and secrets managed', source: `${GOV} 4 A3 (M, [R])` },
  { id: 'VN-L1', framework: VN, ref: 'TCVN 14423 5.8 / 6.8 (L1)', title: 'Log retention: >= 3 months (level 3), >= 6 months (level 4), >= 12 months (level 5)', source: `${GOV} 4 L1 (M, [R])` },
  { id: 'VN-L2', framework: VN, ref: 'TCVN 14423 level 4 (L2)', title: 'Logs from all assets; immutable logs on a separate system in a different zone', source: `${GOV} 4 L2 (M, [R])` },
  { id: 'VN-L3', framework: VN, ref: 'TCVN 14423 level 4 (L3)', title: '24/7 security monitoring', source: `${GOV} 4 L3 (M, [R])` },
  { id: 'VN-SH', framework: VN, ref: 'Decree 278/2025; Decree 194/2025 Art. 16; Decree 165/2025 Art. 15 (SH1-SH5)', title: 'Data shared only under a recorded, approved, current agreement', source: `${GOV} 1.5, 2.4, 4 SH (M)` },
  { id: 'VN-C4', framework: VN, ref: 'Decree 331/2026 Art. 8 (C4)', title: 'Security level determined per system and applied to its controls', source: `${GOV} 4 C4 (M, [R])` },
];

const BY_ID = new Map(CONTROLS.map((c) => [c.id, c]));

/** The control of an ID; an unknown ID is a programming error in a rule. */
export function control(id: string): Control {
  const c = BY_ID.get(id);
  if (!c) throw new Error(`policy/audit/controls.ts: unknown control "${id}"`);
  return c;
}
