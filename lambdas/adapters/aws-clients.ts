/**
 * The SDK v3 clients, built once per process by the composition root (`runtime/deps.ts`).
 *
 * On AWS no endpoint is set: region and credentials come from the Lambda environment. In the
 * local stack the endpoints point at the embedded emulators (dynalite, s3rver); then the
 * clients get static credentials and a default region, so no credential chain lookup (files,
 * IMDS) ever runs on a laptop. The keys are s3rver's built-in account `S3RVER`/`S3RVER`: it
 * verifies SigV4 signatures against that pair; dynalite accepts any.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../runtime/config.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  s3: S3Client;
  sfn: SFNClient;
}

/** s3rver's hard-coded account; only ever sent to a local endpoint. */
const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const localDefaultRegion = 'us-east-1';

export function createAwsClients(config: Pick<Config, 'dynamodbEndpoint' | 's3Endpoint'>): AwsClients {
  const local = config.dynamodbEndpoint !== undefined || config.s3Endpoint !== undefined;
  const localSettings = local
    ? {
        credentials: localCredentials,
        region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? localDefaultRegion,
      }
    : {};

  const dynamodb = new DynamoDBClient({ ...localSettings, endpoint: config.dynamodbEndpoint });
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    // Optional attributes (checksum, executionId, ...) are absent, never stored as NULL.
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({
    ...localSettings,
    endpoint: config.s3Endpoint,
    // The emulator serves buckets by path, not by virtual host name.
    forcePathStyle: config.s3Endpoint !== undefined,
    // Checksums only where an operation requires them. In the default mode (WHEN_SUPPORTED) the
    // SDK sends stream bodies aws-chunked with a trailing CRC, which s3rver stores verbatim
    // (silently corrupting the object), and presigned URLs carry a CRC of the empty body, which
    // real S3 rejects. See LOCAL-STACK-NOTES.md.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sfn = new SFNClient(localSettings);
  return { dynamodb, documentClient, s3, sfn };
}
