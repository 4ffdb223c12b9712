/** Renders the prerequisites of an environment as Markdown (for people) or JSON (for tools). */
import { describeProvider, type PrerequisiteReport } from './model';
import { PROVIDERS, type Provider } from '../../policy/prerequisites';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderJson(report: PrerequisiteReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderMarkdown(report: PrerequisiteReport): string {
  const out: string[] = [`# Operational prerequisites: ${report.environment}`, ''];
  out.push('Made outside this repository, by the teams named; everything else the estate creates itself (`npm run synth`). Secrets are listed by name and keys, never by value.', '');
  const providers = (Object.keys(PROVIDERS) as Provider[]).filter((p) => report.entries.some((e) => e.providedBy === p));
  for (const p of providers) {
    out.push(`## ${p}`, '', `${describeProvider(p)}.`, '');
    out.push('| kind | name | where | keys | purpose | rotation | used by |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const e of report.entries.filter((x) => x.providedBy === p)) {
      const where = e.namespace ? `${e.cluster ?? ''} / ${e.namespace}` : (e.cluster ?? '');
      const users = e.consumers.map((c) => `${c.stack}: ${c.path ?? c.address}`).join('<br>');
      out.push(`| ${e.kind} | ${cell(e.name)} | ${cell(where)} | ${cell(e.keys.join(', '))} | ${cell(e.purpose)} | ${cell(e.rotation ?? '')} | ${cell(users)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}
