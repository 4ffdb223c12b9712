import type { EnvironmentInput } from './schema';

/**
 * The five zones of the data centre, with the minimum security level each holds. An
 * environment passes its own level; zones holding data or facing outside go one higher.
 */
export function standardZones(level: number): EnvironmentInput['zones'] {
  const up = Math.min(level + 1, 5);
  return [
    { name: 'dmz', securityLevel: level, description: 'The only entry from outside: ingress gateways and public APIs.' },
    { name: 'app', securityLevel: level, description: 'Application services of the ministry units.' },
    { name: 'data', securityLevel: up, description: 'Databases, brokers and object storage; never reached from dmz directly.' },
    { name: 'mgmt', securityLevel: up, description: 'Operators, monitoring and administration.' },
    { name: 'exchange', securityLevel: up, description: 'Gateway for inter-agency data sharing (NDOP / other ministries).' },
  ];
}
