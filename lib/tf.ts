/**
 * The one place that imports the cdktf framework. Everything else imports from here, so a
 * move to the community fork (CDK Terrain, package `cdktn`) is a change to this file only.
 */
import { join } from 'node:path';
import { App, type AppConfig, type ISynthesisSession, type TerraformResource, type TerraformStack } from 'cdktf';
import tokenStackTrace = require('cdktf/lib/tokens/private/stack-trace');
import { installLeanResolve } from './fast-resolve';

/**
 * cdktf captures a full stack trace (with Error.stackTraceLimit raised to infinity) for every
 * token, lazy value and complex attribute it creates, and constructs does the same for every
 * element's metadata. The traces only decorate error messages about unresolvable tokens, yet
 * on this estate they cost about a second of every synth (profiled: ComplexResolvable and
 * Intrinsic constructors). They are off unless CDKTF_STACK_TRACES=1, for debugging; the
 * synthesized output is the same either way.
 */
export const STACK_TRACES = process.env.CDKTF_STACK_TRACES === '1';
if (!STACK_TRACES) (tokenStackTrace as { captureStackTrace: () => string[] }).captureStackTrace = () => [];

/**
 * cdktf's token resolution with the plain parts of each body walked by lib/fast-resolve.ts:
 * the same output, about a third of the synth less on this estate. MOIT_LEAN_RESOLVE=0 keeps
 * cdktf's own walk (to compare, or to rule it out when debugging).
 */
export const LEAN_RESOLVE = process.env.MOIT_LEAN_RESOLVE !== '0';
if (LEAN_RESOLVE) installLeanResolve();

/** A cdktf App with this project's settings (see STACK_TRACES). */
export function createApp(config: AppConfig = {}): App {
  return new App({ stackTraces: STACK_TRACES, ...config });
}

/**
 * Makes Terraform apply `resource` after `others`, added to what it already waits for. Written
 * as the plain addresses Terraform reads (`kubernetes_manifest.<id>`), the form cdktf writes for
 * a `dependsOn` given at construction, so a dependency known only later (a grant adds a user a
 * claim must wait for) renders the same; setting `fqn` instead would write a `${...}` token,
 * which renders differently on the two synth paths. For Kubernetes objects this only saves the
 * operators a round of errors while a Secret or ObjectStore does not exist yet.
 */
export function dependOn(resource: TerraformResource, ...others: TerraformResource[]): void {
  const addresses = others.map((o) => `${o.terraformResourceType}.${o.friendlyUniqueId}`);
  resource.dependsOn = [...new Set([...(resource.dependsOn ?? []), ...addresses])];
}

/**
 * Calls `written` with the path of `stack`'s Terraform JSON right after cdktf wrote it during
 * `app.synth()` (the stack's synthesizer, wrapped; what it writes is unchanged).
 */
export function onStackWritten(stack: TerraformStack, written: (file: string) => void): void {
  const synthesizer = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession): void {
      synthesizer.synthesize(session);
      written(join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath));
    },
  };
}

export {
  App,
  Annotations,
  Aspects,
  Fn,
  LocalBackend,
  Lazy,
  PgBackend,
  S3Backend,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
  Tokenization,
  DefaultTokenResolver,
  StringConcat,
} from 'cdktf';
export type { IAspect, IResolvable, ITerraformDependable, TerraformResourceLifecycle } from 'cdktf';
