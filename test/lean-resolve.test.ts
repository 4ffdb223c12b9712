/**
 * The lean token walk (lib/fast-resolve.ts) gives exactly what cdktf's own resolve gives: on
 * values mixing plain data with every kind of token, and on the whole real estate, byte for byte.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironments } from '../environments';
import { installLeanResolve } from '../lib/fast-resolve';
import { createApp, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformResource, TerraformStack, Token, Tokenization, LEAN_RESOLVE } from '../lib/tf';
import { buildEstate } from '../stacks/estate';

/** Runs `f` with cdktf's own resolve, then restores the lean one. */
function withCdktfResolve<T>(f: () => T): T {
  const reinstall = installLeanResolve();
  reinstall();
  try {
    return f();
  } finally {
    installLeanResolve();
  }
}

/** Resolves `value` in `scope` as a stack's synth does. */
const resolveIn = (scope: TerraformStack, value: unknown) => Tokenization.resolve(value, { scope, resolver: new DefaultTokenResolver(new StringConcat()) });

function sample() {
  const app = createApp({ outdir: mkdtempSync(join(tmpdir(), 'moit-lean-')) });
  const stack = new TerraformStack(app, 'dev-lean');
  const r = new TerraformResource(stack, 'thing', { terraformResourceType: 'terraform_data' });
  const list = Token.asList(Lazy.anyValue({ produce: () => ['a', 'b'] }));
  const value = {
    plain: { deep: { deeper: [1, 'two', true, null, { three: 3 }], empty: {}, none: [] }, skipped: undefined },
    literalExpression: '${var.not_a_token}',
    numberish: ['1e5', '-1.5e+10', 'e-mail', 'app-e-commerce', 1e21, -0],
    'app-e-commerce': { 'ns-e-2': `${Lazy.stringValue({ produce: () => 'x' })}-e-1` },
    lazyString: `prefix-${Lazy.stringValue({ produce: () => 'made-late' })}-suffix`,
    lazyNumber: Token.asNumber(Lazy.numberValue({ produce: () => 42 })),
    numberInString: `port:${Token.asNumber(Lazy.numberValue({ produce: () => 8080 }))}`,
    inPlainArray: ['x', r.getStringAttribute('id'), { nested: r.getNumberAttribute('n') }],
    listToken: list,
    mapToken: Token.asStringMap(Lazy.anyValue({ produce: () => ({ k: 'v' }) })),
    keyed: { [`key-${Lazy.stringValue({ produce: () => 'from-token' })}`]: 'token in a key' },
    fn: Fn.join('-', ['a', r.getStringAttribute('id')]),
    resolvable: Lazy.anyValue({ produce: () => ({ big: { plain: ['body'], undef: undefined, ref: r.getStringAttribute('x') } }) }),
    date: new Date(0),
    arrayWithUndefined: [undefined, 'kept', undefined],
  };
  return { stack, value };
}

describe('the lean token walk', () => {
  it('is installed by lib/tf.ts (MOIT_LEAN_RESOLVE=0 turns it off)', () => {
    expect(LEAN_RESOLVE).toBe(true);
  });

  it('resolves plain data and every kind of token exactly as cdktf does', () => {
    const lean = (() => {
      const { stack, value } = sample();
      return resolveIn(stack, value);
    })();
    const cdktf = withCdktfResolve(() => {
      const { stack, value } = sample();
      return resolveIn(stack, value);
    });
    expect(lean).toStrictEqual(cdktf);
    expect(JSON.stringify(lean)).toBe(JSON.stringify(cdktf));
    // And the tokens really were resolved (not passed through as markers).
    expect(JSON.stringify(lean)).not.toContain('TfToken');
    expect(lean.lazyString).toBe('prefix-made-late-suffix');
    expect(lean.numberInString).toBe('port:8080');
    expect(lean.keyed).toEqual({ 'key-from-token': 'token in a key' });
    expect(lean.plain).toEqual({ deep: { deeper: [1, 'two', true, null, { three: 3 }], empty: {}, none: [] } });
  });

  it('raises the errors cdktf raises (a function, a map-token sentinel)', () => {
    const { stack } = sample();
    expect(() => resolveIn(stack, { a: { b: () => 1 } })).toThrow("(e.g., a function) at '/a/b'");
    expect(() => resolveIn(stack, { a: [Token.STRING_MAP_TOKEN_VALUE] })).toThrow(/map token/i);
  });

  it('writes the real estate byte for byte as cdktf resolve does', () => {
    const synth = () => {
      const outdir = mkdtempSync(join(tmpdir(), 'moit-lean-estate-'));
      const app = createApp({ outdir });
      buildEstate(app, loadEnvironments());
      app.synth();
      return outdir;
    };
    const lean = synth();
    const cdktf = withCdktfResolve(synth);
    const names = readdirSync(join(cdktf, 'stacks')).sort();
    expect(readdirSync(join(lean, 'stacks')).sort()).toEqual(names);
    for (const name of names) {
      const file = (root: string) => readFileSync(join(root, 'stacks', name, 'cdk.tf.json'), 'utf8');
      expect({ name, same: file(lean) === file(cdktf) }).toEqual({ name, same: true });
    }
  });
});
