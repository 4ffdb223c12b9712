/**
 * The one place that imports the cdktf framework. Everything else imports from here, so a
 * move to the community fork (CDK Terrain, package `cdktn`) is a change to this file only.
 */
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
} from 'cdktf';
export type { IAspect, IResolvable, ITerraformDependable, TerraformResourceLifecycle } from 'cdktf';
