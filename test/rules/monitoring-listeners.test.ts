/**
 * MON-003: the web listeners of kube-prometheus-stack (Prometheus, Alertmanager, Grafana) without
 * TLS or authentication are a finding. It fires on the values the monitoring construct writes
 * today (the accepted gap, docs/monitoring.md), is silent once TLS and client authentication are
 * set, and the estate carries the one suppression that accepts the gap, reported with its reason.
 */
import { auditStackJson, suppressionEntries } from '../../policy/audit/engine';
import { runAudit } from '../../scripts/audit';
import { MONITORING_LISTENERS_WITHOUT_TLS } from '../../environments/audit-exceptions';
import { synthEstate } from '../helpers';
import { TODAY, expectFires, expectOutcomes, expectSilent, failed, ruleOf, run, stack, type Json } from './fixture';

const PLATFORM = { name: 'prod', class: 'production', securityLevel: 4, ephemeral: false, site: 'hanoi-1', cluster: 'core', layer: 'platform', namespaces: { monitoring: 'mgmt' } };
const platform = (resources: Record<string, Record<string, Json>>): Json => stack(resources, {}, { environment: PLATFORM });

/** A kube-prometheus-stack release whose values are these documents (later ones win), with optional `set` blocks. */
const release = (docs: Json[], extra: Json = {}): Record<string, Record<string, Json>> => ({
  helm_release: { kps: { '//': { metadata: { path: 'prod-core-platform/monitoring/chart/release' } }, chart: 'kube-prometheus-stack', name: 'kube-prometheus-stack', namespace: 'monitoring', values: docs.map((d) => JSON.stringify(d)), ...extra } },
});

const TLS = { cert: { secret: { name: 'prometheus-web-tls', key: 'tls.crt' } }, keySecret: { name: 'prometheus-web-tls', key: 'tls.key' } };
const MTLS = { ...TLS, clientAuthType: 'RequireAndVerifyClientCert', client_ca: { secret: { name: 'prometheus-web-tls', key: 'ca.crt' } } };
const GRAFANA_HTTPS = { 'grafana.ini': { server: { protocol: 'https', cert_file: '/etc/grafana/tls/tls.crt', cert_key: '/etc/grafana/tls/tls.key' } } };
/** TLS and client authentication on all three listeners: what closing the gap looks like. */
const secured: Json = { prometheus: { prometheusSpec: { web: { tlsConfig: MTLS } } }, alertmanager: { alertmanagerSpec: { web: { tlsConfig: MTLS } } }, grafana: GRAFANA_HTTPS };

const R = 'of release kube-prometheus-stack';
const PLAIN = (name: string, key: string) => `${name} ${R} serves plain HTTP: ${key}.web.tlsConfig has no certificate (cert or certFile) and key (keySecret or keyFile); set them from a cert-manager Certificate's Secret`;
const OPEN = (name: string, key: string, what: string, missing = 'TLS is off; clientAuthType is unset; no client CA (client_ca or clientCAFile)') =>
  `${name} ${R} does not authenticate its clients (${missing}): anyone who reaches its port can ${what}. Set ${key}.web.tlsConfig.clientAuthType RequireAndVerifyClientCert with a client CA, or put an authenticating proxy in front`;
const PROM = 'prometheus.prometheusSpec';
const AM = 'alertmanager.alertmanagerSpec';
const GRAFANA_PLAIN = `Grafana ${R} serves plain HTTP: grafana.ini server.protocol is unset (Grafana's default, http); set protocol https with cert_file and cert_key from a mounted certificate`;
const GRAFANA_LOGIN = `Grafana ${R} requires a login (anonymous access is off)`;

// The estate as synthesized (shared with the other suites), and its kube-prometheus-stack releases.
const estate = synthEstate();
const monitored = estate.stackNames.filter((s) => Object.values(estate.stack(s).resource?.helm_release ?? {}).some((r: any) => r.chart === 'kube-prometheus-stack'));
const kpsOf = (json: Json): Json => Object.values(json.resource.helm_release as Record<string, Json>).find((r) => r.chart === 'kube-prometheus-stack')!;

describe('MON-003 monitoring listeners without TLS or authentication', () => {
  it('fires for each listener on the values the monitoring construct writes today (without the accepted exception)', () => {
    const json = estate.stack('prod-core-platform');
    delete kpsOf(json)['//'].suppressions;
    expectOutcomes('MON-003', json, [
      ['fail', PLAIN('Prometheus', PROM)],
      ['fail', OPEN('Prometheus', PROM, 'read every series, rule and target')],
      ['fail', PLAIN('Alertmanager', AM)],
      ['fail', OPEN('Alertmanager', AM, 'read, silence and send alerts')],
      ['fail', GRAFANA_PLAIN],
      ['pass', GRAFANA_LOGIN],
    ]);
  });

  it('is silent once the construct values also set TLS and client authentication on all three', () => {
    const real = kpsOf(estate.stack('prod-core-platform'));
    const json = platform({ helm_release: { kps: { ...real, '//': { metadata: real['//'].metadata }, values: [...real.values, JSON.stringify(secured)] } } });
    expectOutcomes('MON-003', json, [
      ['pass', `Prometheus ${R} serves HTTPS (${PROM}.web.tlsConfig has a certificate and a key)`],
      ['pass', `Prometheus ${R} admits only clients with a certificate signed by its client CA (${PROM}.web.tlsConfig.clientAuthType RequireAndVerifyClientCert)`],
      ['pass', `Alertmanager ${R} serves HTTPS (${AM}.web.tlsConfig has a certificate and a key)`],
      ['pass', `Alertmanager ${R} admits only clients with a certificate signed by its client CA (${AM}.web.tlsConfig.clientAuthType RequireAndVerifyClientCert)`],
      ['pass', `Grafana ${R} serves https (grafana.ini server.protocol, with cert_file and cert_key)`],
      ['pass', GRAFANA_LOGIN],
    ]);
  });

  it('fires for TLS without client authentication, or a client certificate that is not verified', () => {
    const tlsOnly = { ...secured, prometheus: { prometheusSpec: { web: { tlsConfig: TLS } } } };
    expectFires('MON-003', platform(release([tlsOnly])), new RegExp(escape(OPEN('Prometheus', PROM, 'read every series, rule and target', 'clientAuthType is unset; no client CA (client_ca or clientCAFile)'))));
    const unverified = { ...secured, alertmanager: { alertmanagerSpec: { web: { tlsConfig: { ...MTLS, clientAuthType: 'RequireAnyClientCert' } } } } };
    expectFires('MON-003', platform(release([unverified])), /Alertmanager of release kube-prometheus-stack does not authenticate its clients \(clientAuthType is "RequireAnyClientCert"\)/);
    const noCa = { ...secured, alertmanager: { alertmanagerSpec: { web: { tlsConfig: { ...TLS, clientAuthType: 'RequireAndVerifyClientCert' } } } } };
    expectFires('MON-003', platform(release([noCa])), /Alertmanager of release kube-prometheus-stack does not authenticate its clients \(no client CA \(client_ca or clientCAFile\)\)/);
  });

  it('needs both a certificate and a key, from a Secret, a ConfigMap or a file', () => {
    const web = (tlsConfig: Json) => ({ ...secured, prometheus: { prometheusSpec: { web: { tlsConfig } } } });
    expectFires('MON-003', platform(release([web({ ...MTLS, keySecret: undefined })])), new RegExp(escape(PLAIN('Prometheus', PROM))));
    expectFires('MON-003', platform(release([web({ ...MTLS, cert: {} })])), new RegExp(escape(PLAIN('Prometheus', PROM))));
    expectFires('MON-003', platform(release([web({ ...MTLS, cert: { secret: {} } })])), new RegExp(escape(PLAIN('Prometheus', PROM))));
    expectFires('MON-003', platform(release([web({ ...MTLS, cert: undefined, certFile: '  ' })])), new RegExp(escape(PLAIN('Prometheus', PROM))));
    expectSilent('MON-003', platform(release([web({ certFile: '/etc/tls/tls.crt', keyFile: '/etc/tls/tls.key', clientAuthType: 'RequireAndVerifyClientCert', clientCAFile: '/etc/tls/ca.crt' })])));
    expectSilent('MON-003', platform(release([web({ ...MTLS, cert: { configMap: { name: 'web-cert', key: 'tls.crt' } }, client_ca: { configMap: { name: 'web-ca', key: 'ca.crt' } } })])));
  });

  it('reads values written with set as Helm does', () => {
    const sets = Object.entries({ certFile: '/etc/tls/tls.crt', keyFile: '/etc/tls/tls.key', clientAuthType: 'RequireAndVerifyClientCert', clientCAFile: '/etc/tls/ca.crt' }).map(([k, v]) => ({ name: `prometheus.prometheusSpec.web.tlsConfig.${k}`, value: v }));
    const json = platform(release([{ ...secured, prometheus: {} }], { set: sets }));
    expectSilent('MON-003', json);
  });

  it("fires for Grafana on http, on https without a certificate, and when anonymous users are let in; Grafana's GF_ variables win over grafana.ini", () => {
    const grafana = (g: Json) => platform(release([{ ...secured, grafana: g }]));
    expectFires('MON-003', grafana({ 'grafana.ini': { server: { protocol: 'http' } } }), /^Grafana of release kube-prometheus-stack serves plain HTTP: grafana.ini server.protocol is "http"; set protocol https/);
    expectFires('MON-003', grafana({ 'grafana.ini': { server: { protocol: 'https' } } }), /serves plain HTTP: grafana.ini server.protocol is "https" without cert_file and cert_key/);
    expectFires('MON-003', grafana({ ...GRAFANA_HTTPS, env: { GF_SERVER_PROTOCOL: 'http' } }), /server.protocol is "http"/);
    expectFires('MON-003', grafana({ 'grafana.ini': { server: { protocol: 'https', cert_file: '/c' } } }), /without cert_file and cert_key/);
    expectFires('MON-003', grafana({ 'grafana.ini': { server: { protocol: 'https', cert_file: '/c', cert_key: ' ' } } }), /without cert_file and cert_key/);
    expectSilent('MON-003', grafana({ 'grafana.ini': { server: { protocol: 'h2', cert_file: '/c', cert_key: '/k' } } }));
    expectSilent('MON-003', grafana({ env: { GF_SERVER_PROTOCOL: 'https', GF_SERVER_CERT_FILE: '/c', GF_SERVER_CERT_KEY: '/k' } }));
    const anonymous = `Grafana ${R} lets anyone in without logging in (auth.anonymous enabled); turn it off`;
    expectFires('MON-003', grafana({ 'grafana.ini': { ...GRAFANA_HTTPS['grafana.ini'], 'auth.anonymous': { enabled: true } } }), new RegExp(`^${escape(anonymous)}$`));
    expectFires('MON-003', grafana({ ...GRAFANA_HTTPS, env: { GF_AUTH_ANONYMOUS_ENABLED: 'True' } }), /lets anyone in/);
    expectFires('MON-003', grafana({ ...GRAFANA_HTTPS, env: { GF_AUTH_ANONYMOUS_ENABLED: ' TRUE ' } }), /lets anyone in/);
    expectSilent('MON-003', grafana({ ...GRAFANA_HTTPS, env: { GF_AUTH_ANONYMOUS_ENABLED: 'false' } }));
    expectSilent('MON-003', grafana({ 'grafana.ini': { ...GRAFANA_HTTPS['grafana.ini'], 'auth.anonymous': { enabled: false } } }));
  });

  it('judges only the components the release installs, and only kube-prometheus-stack releases', () => {
    const disabled = { prometheus: { enabled: false }, alertmanager: { enabled: 'false' }, grafana: GRAFANA_HTTPS };
    expect(run('MON-003', platform(release([disabled]))).map((o) => o.message)).toEqual([`Grafana ${R} serves https (grafana.ini server.protocol, with cert_file and cert_key)`, GRAFANA_LOGIN]);
    const noGrafana = { ...secured, grafana: { enabled: false, 'grafana.ini': { server: { protocol: 'http' } } } };
    expect(run('MON-003', platform(release([noGrafana]))).map((o) => o.message).filter((m) => m.startsWith('Grafana'))).toEqual([]);
    expect(run('MON-003', platform({}))).toEqual([]);
    expect(run('MON-003', platform({ helm_release: { other: { ...release([{}]).helm_release!.kps, chart: 'grafana' } } }))).toEqual([]);
  });

  it('names the controls an auditor looks for: encryption in transit and authentication', () => {
    expect(ruleOf('MON-003')).toMatchObject({ severity: 'error', suppressible: true, controls: expect.arrayContaining(['ISO-8.24', 'NIST-SC-8', 'VN-E1', 'ISO-8.5', 'NIST-IA-2']) });
  });
});

describe('MON-003 in the estate: one accepted exception, reported', () => {
  it('every environment installs monitoring, and each of its releases carries the exception, only there', () => {
    expect(new Set(monitored.map((s) => s.split('-')[0]))).toEqual(new Set(['dev', 'staging', 'prod', 'dr']));
    for (const name of estate.stackNames) {
      const json = estate.stack(name);
      const carriers = Object.values(json.resource ?? {}).flatMap((byId: any) => Object.values(byId) as Json[]).filter((r) => (r['//']?.suppressions ?? []).some((s: Json) => s.rule === 'MON-003'));
      expect([name, carriers.map((r) => r.chart)]).toEqual([name, monitored.includes(name) ? ['kube-prometheus-stack'] : []]);
      expect([name, (json['//']?.suppressions ?? []).filter((s: Json) => s.rule === 'MON-003')]).toEqual([name, []]);
    }
  });

  it('the exception is explicit: owner, expiry no later than 2027-06-30, and a reason naming what is exposed, what limits it and the fix', () => {
    const s = MONITORING_LISTENERS_WITHOUT_TLS;
    expect(s).toMatchObject({ rule: 'MON-003', owner: 'platform/dc-platform-lead', path: 'monitoring/chart/release' });
    expect(s.expires <= '2027-06-30').toBe(true);
    for (const part of [/plain HTTP/, /no authentication/, /silence/, /default deny/, /port-forward/, /RBAC/, /cert-manager/, /docs\/monitoring.md/]) expect(s.reason).toMatch(part);
  });

  it('every MON-003 finding of the estate is suppressed by it, and the audit report lists it with its reason', () => {
    for (const name of monitored) {
      const audit = auditStackJson(name, estate.stack(name), { today: TODAY, rules: [ruleOf('MON-003')] });
      expect(failed(audit.outcomes)).toEqual([]);
      expect(audit.outcomes.filter((o) => o.status === 'suppressed').map((o) => o.suppression?.reason)).toEqual(Array(5).fill(MONITORING_LISTENERS_WITHOUT_TLS.reason));
      expect(suppressionEntries([audit], TODAY).filter((e) => e.record.rule === 'MON-003').map((e) => [e.where, e.state, e.used])).toEqual([[`${name}/monitoring/chart/release`, 'active', 5]]);
    }
    const { report, output } = runAudit({ dir: estate.outdir, today: TODAY });
    expect(report.environments.flatMap((e) => e.findings).filter((f) => f.rule.id === 'MON-003')).toEqual([]);
    expect(output).toContain(`| MON-003 | \`prod-core-platform/monitoring/chart/release\` | ${MONITORING_LISTENERS_WITHOUT_TLS.reason} | platform/dc-platform-lead | ${MONITORING_LISTENERS_WITHOUT_TLS.expires} | active | 5 |`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
