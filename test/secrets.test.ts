/**
 * The one secret classifier (lib/secrets.ts), which the review's masking, the schema
 * validator's redaction and audit rule SEC-001 all use.
 */
import { describesSecret, isKeyMaterial, isSecretKey, secretValueKind } from '../lib/secrets';

describe('isSecretKey', () => {
  it.each([
    // held by all three before they were one
    'password', 'adminPassword', 'client_secret', 'token', 'bootstrapToken', 'privateKey', 'secretAccessKey', 'apiKey', 'clientSecret',
    // the review's qualified keys, certificate data and connection strings
    'tls.key', 'access_key', 'credentials', 'creds', 'pwd', 'client_certificate_data', 'certData', 'conn_str', 'connectionString', 'dsn',
    // SEC-001's access key ids and run-together names
    'accessKeyId', 'AWS_ACCESS_KEY_ID', 'adminpassword', 'bootstraptoken',
  ])('treats %s as holding a secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each([
    'secretName', 'caSecretName', 'key', 'keyRef', 'secretKeyRef', 'passwordFile', 'tokenTtl', 'name', 'retentionPolicy', 'tls', 'authentication', 'enableSuperuserAccess',
    // fields that take a Secret's name, and settings about secrets
    'existingSecret', 'existingSecretPasswordKey', 'passwordKey', 'useSecret', 'serverTLSSecret', 'serverCASecret', 'clientCASecret', 'replicationTLSSecret', 'password_encryption', 'skip_credentials_validation', '',
  ])('does not treat %s as holding a secret (it names or describes one)', (key) => expect(isSecretKey(key)).toBe(false));

  it('lets a describing key under a secret one stay readable, but not an access key id', () => {
    expect(describesSecret('algorithm')).toBe(true);
    expect(describesSecret('existingSecret')).toBe(true);
    expect(describesSecret('accessKeyId')).toBe(false);
    expect(describesSecret('password')).toBe(false);
  });
});

describe('secret values', () => {
  it('names private keys and JSON web tokens, not certificates', () => {
    expect(secretValueKind('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE')).toBe('a PEM private key');
    expect(secretValueKind('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl')).toBe('a JSON web token');
    expect(secretValueKind('-----BEGIN CERTIFICATE-----\nMIIB')).toBeUndefined();
    expect(secretValueKind('hunter2')).toBeUndefined();
  });
  it('treats any PEM block or token as key material to mask', () => {
    expect(isKeyMaterial('-----BEGIN CERTIFICATE-----\nMIIB')).toBe(true);
    expect(isKeyMaterial('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl')).toBe(true);
    expect(isKeyMaterial('plain')).toBe(false);
  });
});
