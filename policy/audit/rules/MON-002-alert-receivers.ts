import { fail, pass } from '../checks';
import { asArray, chartValues, isObject } from '../model';
import { defineRule } from '../rule';

const CONFIGS = ['webhook_configs', 'email_configs', 'slack_configs', 'msteams_configs', 'pagerduty_configs', 'opsgenie_configs'];
/** Settings that would carry a credential in the values (the `*_file` forms read a mounted Secret). */
const LITERAL_SECRETS = ['url', 'auth_password', 'api_key', 'routing_key', 'service_key', 'webhook_url'];

export default defineRule(__filename, {
  severity: 'error',
  title: 'Outside development, Alertmanager has no receiver for critical alerts, or a receiver carries a credential in the chart values.',
  why: 'An alert nobody receives is the same as no alert; a webhook URL or password in the values ends up in the plan and the state.',
  controls: ['ISO-8.16', 'NIST-SI-4', 'VN-L3', 'CIS-5.4.1'],
  check(stack) {
    const env = stack.environment;
    if (!env || env.layer !== 'platform') return [];
    const releases = stack.resources.filter((r) => r.type === 'helm_release' && r.body.chart === 'kube-prometheus-stack');
    return releases.map((r) => {
      const values = chartValues(r);
      const am = isObject(values.alertmanager) && isObject(values.alertmanager.config) ? values.alertmanager.config : {};
      const receivers = asArray(am.receivers).filter(isObject);
      for (const rec of receivers) {
        for (const c of CONFIGS) {
          for (const cfg of asArray(rec[c]).filter(isObject)) {
            const literal = LITERAL_SECRETS.find((k) => typeof cfg[k] === 'string');
            if (literal) return fail(undefined, `Alertmanager receiver ${String(rec.name)} has a literal ${literal} in the chart values; use ${literal}_file with a Secret from alertmanagerSpec.secrets`, r);
          }
        }
      }
      const notifying = receivers.filter((rec) => CONFIGS.some((c) => asArray(rec[c]).length > 0)).map((rec) => String(rec.name));
      const route = isObject(am.route) ? am.route : {};
      const critical = asArray(route.routes).filter(isObject).find((x) => asArray(x.matchers).includes('severity="critical"'));
      const target = critical ? String(critical.receiver) : String(route.receiver ?? '');
      if (env.class === 'development') return pass(undefined, `development: Alertmanager notifies ${notifying.join(', ') || 'no one'} (receivers are optional here)`, undefined, r);
      if (!notifying.includes(target)) {
        return fail(undefined, `Alertmanager of ${env.name}/${env.cluster} sends critical alerts to ${target ? `"${target}", which notifies no one` : 'no receiver'}; declare monitoring.receivers and monitoring.route in environments/${env.name}.ts`, r);
      }
      return pass(undefined, `Alertmanager sends critical alerts to ${target} (receivers: ${notifying.join(', ')})`, undefined, r);
    });
  },
});
