/** The declared entry path into an exchange-zone gateway (Kafka's tlsroute listener, a receiving bucket). */
import { z } from 'zod';
import { ipv4CidrSchema } from '../../lib/net';

export const gatewayEntry = z.strictObject({
  /** A name for the outside peer, e.g. "dr-site" (a DNS label). */
  name: z.string().regex(/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/, { message: 'must be a short DNS label such as "dr-site"' }),
  /** Its address block: the other site's node network, which its pods leave through. */
  cidr: ipv4CidrSchema('10.40.0.0/22').refine((c) => Number(c.split('/')[1]) >= 16, {
    message: 'must be /16 or narrower: a gateway is entered from a known site, never from everywhere',
  }),
  /** The port the gateway pods listen on (TLS passthrough, routed by SNI). @default 443 */
  port: z.number().int().min(1).max(65535).default(443),
});
