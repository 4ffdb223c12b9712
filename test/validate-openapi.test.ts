/**
 * The Kubernetes OpenAPI dialect, keyword by keyword, on small schemas: what the converter
 * gives ajv, and the message a user gets.
 */
import { createAjv } from '../tools/validate/crd-registry';
import { convertCrdSchema, convertSchema, hoistRepeatedSubschemas, type OpenApiSchema } from '../tools/validate/openapi';
import { describeErrors } from '../tools/validate/validator';

/** The problems of `data` against a schema node, as the validator reports them. */
function problems(schema: OpenApiSchema, data: unknown): Array<[string, string]> {
  const validate = createAjv().compile(convertSchema(schema).schema);
  return validate(data) ? [] : describeErrors(validate.errors ?? [], data).map((p) => [p.path, p.message]);
}

describe('the Kubernetes OpenAPI dialect', () => {
  it('x-kubernetes-int-or-string: integer or string, keeping a string pattern', () => {
    const schema = { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^\\d+%?$', 'x-kubernetes-int-or-string': true };
    expect(problems(schema, 1)).toEqual([]);
    expect(problems(schema, '25%')).toEqual([]);
    expect(problems(schema, 'many')).toEqual([['', 'must match the pattern ^\\d+%?$, got "many"']]);
    expect(problems(schema, 1.5)).toEqual([['', 'must be integer or string, got 1.5']]);
  });

  it('nullable: null is accepted, also by an enum', () => {
    expect(problems({ type: 'string', enum: ['a'], nullable: true }, null)).toEqual([]);
    expect(problems({ type: 'string', enum: ['a'] }, null)).toEqual([['', 'must be string, got null']]);
  });

  it('structural objects reject unknown fields unless preserve-unknown-fields or additionalProperties allow them', () => {
    const known = { type: 'object', properties: { a: { type: 'string' } } };
    expect(problems(known, { a: 'x', b: 1 })).toEqual([['b', 'unknown field "b"; allowed: a']]);
    expect(problems({ ...known, 'x-kubernetes-preserve-unknown-fields': true }, { a: 'x', b: 1 })).toEqual([]);
    expect(problems({ ...known, 'x-kubernetes-preserve-unknown-fields': true }, { a: 1 })).toEqual([['a', 'must be string, got 1']]);
    expect(problems({ type: 'object', additionalProperties: { type: 'integer' } }, { x: 1, y: 'two' })).toEqual([['y', 'must be integer, got "two"']]);
  });

  it('an embedded resource knows apiVersion, kind and metadata', () => {
    const schema = { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
    expect(problems(schema, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, spec: {} })).toEqual([]);
  });

  it("OpenAPI 3.0's boolean exclusiveMinimum, and the other bounds", () => {
    expect(problems({ type: 'integer', minimum: 0, exclusiveMinimum: true }, 0)).toEqual([['', 'must be > 0, got 0']]);
    expect(problems({ type: 'integer', maximum: 5 }, 6)).toEqual([['', 'must be <= 5, got 6']]);
    expect(problems({ type: 'string', maxLength: 3 }, 'abcd')).toEqual([['', 'must be at most 3 characters long, got "abcd"']]);
    expect(problems({ type: 'array', items: { type: 'string' }, minItems: 1 }, [])).toEqual([['', 'must have at least 1 item, got 0']]);
    expect(problems({ type: 'object', minProperties: 1, additionalProperties: { type: 'string' } }, {})).toEqual([['', 'must have at least 1 field, got 0']]);
  });

  it('x-kubernetes-list-type set: no duplicates', () => {
    expect(problems({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' }, ['a', 'b', 'a'])).toEqual([['', 'must not repeat an item: items 0 and 2 are equal']]);
  });

  it('formats Kubernetes checks the same way: int32, date-time', () => {
    expect(problems({ type: 'integer', format: 'int32' }, 2 ** 31)).toEqual([['', 'must be a valid int32, got 2147483648']]);
    expect(problems({ type: 'string', format: 'date-time' }, 'yesterday')).toEqual([['', 'must be a valid date-time, got "yesterday"']]);
    expect(problems({ type: 'string', format: 'quantity-not-checked' }, 'anything')).toEqual([]);
  });

  it('oneOf of required fields: "exactly one of", whether none or several are set', () => {
    const schema = {
      type: 'object',
      properties: { value: { type: 'string' }, valueFrom: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      oneOf: [{ required: ['value'] }, { required: ['valueFrom'] }],
    };
    expect(problems(schema, { value: 'x' })).toEqual([]);
    expect(problems(schema, {})).toEqual([['', 'must set exactly one of: value, valueFrom; none is set']]);
    expect(problems(schema, { value: 'x', valueFrom: {} })).toEqual([['', 'must set exactly one of: value, valueFrom; got value and valueFrom']]);
  });

  it('Terraform interpolations pass for scalars: a whole ${...} for numbers and booleans, any ${...} in a string; $${ is an escape', () => {
    expect(problems({ type: 'integer', minimum: 1 }, '${var.n}')).toEqual([]);
    expect(problems({ type: 'boolean' }, '${var.flag}')).toEqual([]);
    expect(problems({ type: 'string', enum: ['a', 'b'] }, 'x-${var.y}')).toEqual([]);
    expect(problems({ type: 'string', enum: ['a', 'b'] }, '$${literal}')).toEqual([['', 'must be one of: a, b; got "$${literal}"']]);
    expect(problems({ type: 'object', properties: {} }, '${var.o}')).toEqual([['', 'must be object, got "${var.o}"']]);
  });

  it('never prints the value of a credential-named field, only its length', () => {
    const schema = { type: 'object', properties: { password: { type: 'integer' }, bootstrapToken: { type: 'string', maxLength: 4 }, name: { type: 'integer' } } };
    expect(problems(schema, { password: 'hunter22', bootstrapToken: 'abcdef.0123456789abcdef', name: 'db' })).toEqual([
      ['password', 'must be integer, got "<redacted: 8 characters>"'],
      ['bootstrapToken', 'must be at most 4 characters long, got "<redacted: 23 characters>"'],
      ['name', 'must be integer, got "db"'],
    ]);
  });

  it('records what it cannot check: CEL rules, patterns JavaScript cannot compile, unknown keywords', () => {
    const { notes, schema } = convertSchema({
      type: 'object',
      properties: {
        a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 1' }] },
        b: { type: 'string', pattern: '(?i)^abc$' },
        c: { type: 'string', 'x-new-keyword': true },
      },
    });
    expect(notes).toEqual({ celRules: ['.a'], droppedPatterns: ['.b: (?i)^abc$'], unknownKeywords: ['.c: x-new-keyword'] });
    expect(JSON.stringify(schema)).not.toContain('(?i)');
  });

  it('the root of a CRD always allows apiVersion, kind and metadata, and requires a name', () => {
    const { schema } = convertCrdSchema({ type: 'object', properties: { spec: { type: 'object', properties: {} } } });
    const validate = createAjv().compile(schema);
    expect(validate({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' }, spec: {} })).toBe(true);
    expect(describeErrors((validate({ apiVersion: 'x/v1', kind: 'X', metadata: {} }), validate.errors ?? []), {})).toEqual([
      { path: 'metadata.name', message: 'required field "name" is missing' },
    ]);
  });

  it('moves repeated subschemas into definitions, and validation is unchanged', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 10 }])) };
    const { schema } = convertSchema({ type: 'object', properties: { a: big, b: big } });
    const hoisted = hoistRepeatedSubschemas(schema);
    expect(Object.keys(hoisted.definitions as object)).toHaveLength(1);
    expect((hoisted.properties as any).a).toEqual({ $ref: '#/definitions/s0' });
    const validate = createAjv().compile(hoisted);
    expect(validate({ a: { field1: 'x' }, b: { field2: 'much too long' } })).toBe(false);
    expect(describeErrors(validate.errors ?? [], { a: { field1: 'x' }, b: { field2: 'much too long' } })).toEqual([
      { path: 'b.field2', message: 'must be at most 10 characters long, got "much too long"' },
    ]);
    expect(validate({ a: { fieldX: 'x' } })).toBe(false);
    expect(describeErrors(validate.errors ?? [], { a: { fieldX: 'x' } })[0]!.message).toMatch(/^unknown field "fieldX"; allowed: field0, field1, /);
  });
});
