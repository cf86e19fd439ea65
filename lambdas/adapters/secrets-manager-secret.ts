/**
 * A secret string from AWS Secrets Manager, read once per process and kept: the curation
 * webhook's signing secret. A rotated secret is picked up by new Lambda environments.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export function secretsManagerSecret(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then(({ SecretString }) => {
      if (!SecretString) throw new Error(`Secret ${secretId} has no SecretString`);
      return SecretString;
    });
    // A failed read is not kept: the next delivery reads again.
    value.catch(() => {
      value = undefined;
    });
    return value;
  };
}
