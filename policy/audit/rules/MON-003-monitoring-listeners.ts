import { fail, pass } from '../checks';
import { asString, chartValues, isObject, type Json, type Resource } from '../model';
import { defineRule } from '../rule';
import type { Evaluation } from '../types';

/**
 * The web listeners of kube-prometheus-stack, read from the release's values (chart 88.5.3).
 *
 * Prometheus (`prometheus.prometheusSpec.web`) and Alertmanager (`alertmanager.alertmanagerSpec.web`)
 * take the operator's WebConfigFileFields (prometheus-operator v0.93, `--web.config.file`): HTTPS
 * needs `tlsConfig` with a certificate (`cert` or `certFile`) and a key (`keySecret` or `keyFile`).
 * Their web servers have no user authentication of their own in that API; the one they offer is a
 * client certificate every request must present, verified against a CA (`clientAuthType:
 * RequireAndVerifyClientCert` with `client_ca` or `clientCAFile`).
 *
 * Grafana (subchart `grafana`) serves what `grafana.ini` says: `server.protocol` https or h2 with
 * `cert_file` and `cert_key` (Grafana's default is http), and lets anyone in when
 * `auth.anonymous.enabled` is on. Grafana reads `GF_<SECTION>_<KEY>` variables over the file,
 * so `grafana.env` is read too.
 */
const CHART = 'kube-prometheus-stack';
/** The Go crypto/tls ClientAuthType that rejects a request without a client certificate signed by the CA. */
const VERIFIED_CLIENT_CERT = 'RequireAndVerifyClientCert';
const GRAFANA_TLS_PROTOCOLS = ['https', 'h2'];

const nonEmpty = (value: unknown): boolean => (typeof value === 'string' ? value.trim() !== '' : isObject(value) && Object.keys(value).length > 0);
const map = (value: unknown): Json => (isObject(value) ? value : {});
/** A SecretOrConfigMap with a secret or configMap key selector, or a file path. */
const hasSource = (object: unknown, file: unknown): boolean => (isObject(object) && (nonEmpty(object.secret) || nonEmpty(object.configMap))) || nonEmpty(file);

/** The Helm release name (`kube-prometheus-stack`), as operators know it. */
const releaseName = (r: Resource): string => asString(r.body.name) ?? r.name;

/** Whether a component is installed: the chart's `<key>.enabled`, true unless set false. */
const enabled = (values: Json, key: string): boolean => map(values[key]).enabled !== false && map(values[key]).enabled !== 'false';

/** Prometheus or Alertmanager: TLS, then authentication, as two evaluations. */
function operatorWeb(r: Resource, name: string, key: string, web: unknown): Evaluation[] {
  const release = releaseName(r);
  const tls = map(map(web).tlsConfig);
  const where = `${key}.web.tlsConfig`;
  const serves = hasSource(tls.cert, tls.certFile) && (nonEmpty(tls.keySecret) || nonEmpty(tls.keyFile));
  const tlsOutcome = serves
    ? pass(undefined, `${name} of release ${release} serves HTTPS (${where} has a certificate and a key)`, undefined, r)
    : fail(undefined, `${name} of release ${release} serves plain HTTP: ${where} has no certificate (cert or certFile) and key (keySecret or keyFile); set them from a cert-manager Certificate's Secret`, r);
  const clientCa = hasSource(tls.client_ca, tls.clientCAFile);
  const clientAuth = asString(tls.clientAuthType);
  const missing = [
    ...(serves ? [] : ['TLS is off']),
    ...(clientAuth === VERIFIED_CLIENT_CERT ? [] : [`clientAuthType is ${clientAuth === undefined ? 'unset' : JSON.stringify(tls.clientAuthType)}`]),
    ...(clientCa ? [] : ['no client CA (client_ca or clientCAFile)']),
  ];
  const exposed = name === 'Alertmanager' ? 'read, silence and send alerts' : 'read every series, rule and target';
  const authOutcome =
    missing.length === 0
      ? pass(undefined, `${name} of release ${release} admits only clients with a certificate signed by its client CA (${where}.clientAuthType ${VERIFIED_CLIENT_CERT})`, undefined, r)
      : fail(undefined, `${name} of release ${release} does not authenticate its clients (${missing.join('; ')}): anyone who reaches its port can ${exposed}. Set ${where}.clientAuthType ${VERIFIED_CLIENT_CERT} with a client CA, or put an authenticating proxy in front`, r);
  return [tlsOutcome, authOutcome];
}

/** A Grafana setting: `GF_<SECTION>_<KEY>` in `grafana.env` wins over `grafana.ini`. */
function grafanaSetting(grafana: Json, section: string, key: string): unknown {
  const variable = `GF_${section.replace(/\./g, '_')}_${key}`.toUpperCase();
  const env = map(grafana.env);
  if (env[variable] !== undefined) return env[variable];
  return map(map(grafana['grafana.ini'])[section])[key];
}

function grafanaWeb(r: Resource, grafana: Json): Evaluation[] {
  const release = releaseName(r);
  const protocol = grafanaSetting(grafana, 'server', 'protocol');
  const https = typeof protocol === 'string' && GRAFANA_TLS_PROTOCOLS.includes(protocol.toLowerCase());
  const certified = nonEmpty(grafanaSetting(grafana, 'server', 'cert_file')) && nonEmpty(grafanaSetting(grafana, 'server', 'cert_key'));
  const out: Evaluation[] = [
    https && certified
      ? pass(undefined, `Grafana of release ${release} serves ${String(protocol)} (grafana.ini server.protocol, with cert_file and cert_key)`, undefined, r)
      : fail(
          undefined,
          `Grafana of release ${release} serves plain HTTP: grafana.ini server.protocol is ${protocol === undefined ? "unset (Grafana's default, http)" : JSON.stringify(protocol)}${https ? ' without cert_file and cert_key' : ''}; set protocol https with cert_file and cert_key from a mounted certificate`,
          r,
        ),
  ];
  const anonymous = grafanaSetting(grafana, 'auth.anonymous', 'enabled');
  if (anonymous === true || (typeof anonymous === 'string' && anonymous.trim().toLowerCase() === 'true')) {
    out.push(fail(undefined, `Grafana of release ${release} lets anyone in without logging in (auth.anonymous enabled); turn it off`, r));
  } else {
    out.push(pass(undefined, `Grafana of release ${release} requires a login (anonymous access is off)`, undefined, r));
  }
  return out;
}

export default defineRule(__filename, {
  severity: 'error',
  title: 'Prometheus, Alertmanager or Grafana of the monitoring stack serves its web listener without TLS, or Prometheus or Alertmanager serves it without authenticating clients (or Grafana admits anonymous users).',
  why: 'Whoever reaches these ports reads every metric and can silence or send alerts, so an attack goes unseen; without TLS, queries and Grafana sessions cross the network in clear.',
  controls: ['ISO-8.24', 'NIST-SC-8', 'VN-E1', 'ISO-8.5', 'NIST-IA-2', 'ISO-8.3'],
  check(stack) {
    const out: Evaluation[] = [];
    for (const r of stack.resources.filter((x) => x.type === 'helm_release' && x.body.chart === CHART)) {
      const values = chartValues(r);
      if (enabled(values, 'prometheus')) out.push(...operatorWeb(r, 'Prometheus', 'prometheus.prometheusSpec', map(map(values.prometheus).prometheusSpec).web));
      if (enabled(values, 'alertmanager')) out.push(...operatorWeb(r, 'Alertmanager', 'alertmanager.alertmanagerSpec', map(map(values.alertmanager).alertmanagerSpec).web));
      if (enabled(values, 'grafana')) out.push(...grafanaWeb(r, map(values.grafana)));
    }
    return out;
  },
});
