import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lambdas/adapters/aws-clients.js';

describe('createAwsClients', () => {
  it('configures S3 to compute checksums only when required (s3rver stores aws-chunked framing otherwise)', async () => {
    const { s3 } = createAwsClients({});

    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(s3.config.forcePathStyle).toBe(false);
    s3.destroy();
  });

  it('points every client at the local endpoints with static credentials and path-style S3', async () => {
    const clients = createAwsClients({
      dynamodbEndpoint: 'http://127.0.0.1:4567',
      s3Endpoint: 'http://127.0.0.1:4568',
    });

    expect(clients.s3.config.forcePathStyle).toBe(true);
    expect(await clients.s3.config.credentials()).toMatchObject({
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    expect(await clients.dynamodb.config.credentials()).toMatchObject({ accessKeyId: 'S3RVER' });
    expect(await clients.sfn.config.region()).toBeTypeOf('string');
    expect((await clients.dynamodb.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    expect(clients.documentClient.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
    for (const client of [clients.dynamodb, clients.s3, clients.sfn]) client.destroy();
  });
});
