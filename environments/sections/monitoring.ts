/**
 * The `monitoring` section of an environment file: how long Prometheus keeps metrics and on how
 * much storage, who Alertmanager notifies (receivers, with every credential a Secret reference,
 * never a value), which receiver each severity goes to, and where the API servers' audit logs
 * are shipped (constructs/monitoring).
 *
 * The alerts themselves are not configured here: they are compiled from the backup tiers and the
 * services (policy/monitoring/alerts.ts). Whether a non-development environment names receivers
 * at all is an audit rule (MON-003), so a development environment may leave them out.
 */
import { z } from 'zod';
import { ipv4CidrSchema } from '../../lib/net';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const label = (what: string) => z.string().max(63).regex(DNS_LABEL, { message: `${what} must be a lower-case DNS label: letters, digits and '-', starting with a letter` });

/** A key of a Secret in the monitoring namespace, delivered by the secret-management process. */
const secretKey = z.strictObject({ name: label('a Secret name'), key: z.string().min(1).regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key: letters, digits, ".", "_" and "-"' }) });

const cidr = ipv4CidrSchema('10.1.0.25/32');

const receiver = z.discriminatedUnion('type', [
  z.strictObject({
    name: label('a receiver name'),
    type: z.literal('webhook'),
    /** The Secret key holding the URL (it often carries a token): never written in this file. */
    urlSecret: secretKey,
    /** The addresses the URL resolves to: Alertmanager's only egress for this receiver (port 443). */
    cidr,
  }),
  z.strictObject({
    name: label('a receiver name'),
    type: z.literal('email'),
    to: z.array(z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: 'must be an e-mail address' })).min(1),
    from: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: 'must be an e-mail address' }),
    /** `host:port` of the mail relay; Alertmanager requires STARTTLS to it. */
    smarthost: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}$/, { message: 'must be "host:port", such as "smtp.moit.gov.vn:587"' }),
    /** The Secret key holding the relay password. */
    passwordSecret: secretKey,
    /** The addresses the relay resolves to: Alertmanager's only egress for this receiver (the smarthost's port). */
    cidr,
  }),
]);

const retention = z.string().regex(/^[1-9][0-9]*(d|w|y)$/, { message: 'must be a Prometheus retention in days, weeks or years, such as "30d"' });
const quantity = z.string().regex(/^[1-9][0-9]*(Gi|Ti)$/, { message: 'must be a size in Gi or Ti, such as "100Gi"' });

export const monitoringSection = z
  .strictObject({
    prometheus: z
      .strictObject({
        /** How long metrics are kept. @default "15d" */
        retention: retention.default('15d'),
        /** The volume of each Prometheus replica. @default "50Gi" */
        storage: quantity.default('50Gi'),
        /** Prometheus replicas (each scrapes everything). @default 1 */
        replicas: z.number().int().min(1).max(3).default(1),
      })
      .default({ retention: '15d', storage: '50Gi', replicas: 1 }),
    /** Who Alertmanager notifies. @default [] (alerts are only visible in Alertmanager and Grafana) */
    receivers: z.array(receiver).default([]),
    /** The receiver of each severity; each must be one of `receivers`. @default none */
    route: z.strictObject({ critical: label('a receiver name'), warning: label('a receiver name') }).optional(),
  })
  .default({ prometheus: { retention: '15d', storage: '50Gi', replicas: 1 }, receivers: [] });

export type MonitoringSection = z.output<typeof monitoringSection>;
export type AlertReceiverConfig = MonitoringSection['receivers'][number];

type Report = (path: (string | number)[], message: string, input: unknown) => void;

/** Cross-field checks: receiver names are unique and the route names receivers that exist. */
export function checkMonitoring(env: { readonly monitoring: MonitoringSection }, report: Report): void {
  const m = env.monitoring;
  const names = m.receivers.map((r) => r.name);
  m.receivers.forEach((r, i) => {
    if (names.indexOf(r.name) !== i) report(['monitoring', 'receivers', i, 'name'], 'is used by an earlier receiver; receiver names must be unique', r.name);
  });
  if (m.route) {
    for (const severity of ['critical', 'warning'] as const) {
      const target = m.route[severity];
      if (!names.includes(target)) report(['monitoring', 'route', severity], `must name one of monitoring.receivers (${names.join(', ') || 'none declared'})`, target);
    }
  } else if (m.receivers.length > 0) {
    report(['monitoring', 'route'], 'receivers are declared but no route says which severity goes to which; add route: { critical: "<receiver>", warning: "<receiver>" }', undefined);
  }
}
