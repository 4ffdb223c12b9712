/** lib/tf.ts dependOn: the one helper constructs use to order resources after later-known ones. */
import { dependOn, Testing, TerraformResource, TerraformStack } from '../lib/tf';

describe('dependOn', () => {
  it('adds plain addresses to depends_on, after the existing ones, without repeating any', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const data = (id: string) => new TerraformResource(stack, id, { terraformResourceType: 'terraform_data' });
    const [a, b, c] = [data('a'), data('b'), data('c')];
    a.dependsOn = ['terraform_data.c'];
    dependOn(a, b, c);
    dependOn(a, b);
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.terraform_data.a.depends_on).toEqual(['terraform_data.c', 'terraform_data.b']);
    expect(json.resource.terraform_data.b.depends_on).toBeUndefined();
  });
});
