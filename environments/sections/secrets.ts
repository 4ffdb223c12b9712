/**
 * Where an environment's secrets live and how its secret store is unsealed (issue #23): the
 * OpenBao API every cluster's External Secrets Operator reads through, and the seal the store
 * starts with. Facts: ../shared/reference/secrets.md (OpenBao 2.6 seals).
 */
import { z } from 'zod';
import { serviceCidr } from './clusters';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * How OpenBao unseals (`seal` stanza of its configuration). Shamir needs people with key shares
 * at every restart; the others unseal automatically from material held elsewhere.
 */
export const unsealSection = z.discriminatedUnion('method', [
  z.strictObject({
    /** Key shares held by named people; a restart waits for `threshold` of them. Development only. */
    method: z.literal('shamir'),
    shares: z.number().int().min(1).max(10),
    threshold: z.number().int().min(1).max(10),
  }),
  z.strictObject({
    /** Another OpenBao's transit engine holds the key (`seal "transit"`). */
    method: z.literal('transit'),
    /** The https address of the unsealing OpenBao. */
    address: z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, { message: 'must be an https URL such as "https://bao-unseal.dc.moit.gov.vn:8200"' }),
    keyName: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'must be a lower-case key name' }),
  }),
  z.strictObject({
    /** A hardware security module over PKCS#11 (openbao-hsm image, 2.6.x). */
    method: z.literal('pkcs11'),
    /** The HSM's slot and the label of the unseal key in it. */
    slot: z.number().int().min(0),
    keyLabel: z.string().min(1),
  }),
  z.strictObject({
    /** A 32-byte key file mounted from a Secret (OpenBao 2.4+): for non-production rehearsals. */
    method: z.literal('static'),
  }),
]);

export const secretsSection = z.strictObject({
  /** The OpenBao API of this environment, served on 8200 with a certificate from the internal CA. */
  store: z.strictObject({
    /** The name ESO connects to: a SAN of OpenBao's certificate. */
    host: z.string().regex(HOSTNAME, { message: 'must be a DNS name such as "openbao.prod.dc.moit.gov.vn"' }),
    /** The address block that name resolves into (the OpenBao VIP, usually a /32): ESO's egress rule. */
    cidr: serviceCidr,
  }),
  unseal: unsealSection,
});

export type SecretsConfig = z.output<typeof secretsSection>;
export type UnsealConfig = z.output<typeof unsealSection>;

/** Cross-field checks: the seal suits the environment's class. */
export function checkSecrets(
  env: { readonly class: string; readonly secrets: SecretsConfig },
  problem: (path: (string | number)[], message: string, input: unknown) => void,
): void {
  const u = env.secrets.unseal;
  if (u.method === 'shamir' && u.threshold > u.shares) problem(['secrets', 'unseal', 'threshold'], `must be <= shares (${u.shares})`, u.threshold);
  if ((env.class === 'production' || env.class === 'recovery') && (u.method === 'shamir' || u.method === 'static')) {
    problem(['secrets', 'unseal', 'method'], `a ${env.class} environment unseals automatically from material outside the cluster: use "transit" or "pkcs11"`, u.method);
  }
}
