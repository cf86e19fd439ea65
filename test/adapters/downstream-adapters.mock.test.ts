/**
 * The downstream AWS adapters against mocked SDK clients (aws-sdk-client-mock): the EventBridge
 * publisher, the SQS fine-tuning queue, the Bedrock model customization launcher and the Secrets
 * Manager secret reader - what each sends, and how each turns a refusal into an error.
 */
import { BedrockClient, CreateModelCustomizationJobCommand } from '@aws-sdk/client-bedrock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockFineTuningLauncher } from '../../lambdas/adapters/bedrock-fine-tuning-launcher.js';
import { EventBridgeEventPublisher } from '../../lambdas/adapters/eventbridge-event-publisher.js';
import { secretsManagerSecret } from '../../lambdas/adapters/secrets-manager-secret.js';
import { SqsFineTuningQueue } from '../../lambdas/adapters/sqs-fine-tuning-queue.js';
import type { FineTuningJobRequest } from '../../lambdas/core/downstream/ports.js';
import type { UploadEvent } from '../../lambdas/core/downstream/upload-events.js';

const region = { region: 'eu-west-1' };
const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const bedrock = mockClient(BedrockClient);
const secrets = mockClient(SecretsManagerClient);
const mocks = [eventBridge, sqs, bedrock, secrets];

beforeEach(() => {
  for (const mock of mocks) mock.reset();
});
afterAll(() => {
  for (const mock of mocks) mock.restore();
});

const uploadId = '6f1c2a7e-0b7d-4c1e-9d0a-2b3c4d5e6f70';

const event: UploadEvent = {
  detailType: 'Upload Completed',
  detail: {
    version: '1',
    eventId: `${uploadId}:completed`,
    uploadId,
    owner: 'local',
    state: 'completed',
    occurredAt: '2030-01-02T03:04:05.000Z',
    filename: 'train.jsonl',
    originalFilename: 'train.jsonl',
    bucket: 'files',
    key: `completed/${uploadId}/train.jsonl`,
    size: 42,
    sha256: 'ab'.repeat(32),
    fileType: 'dataset',
    schemaFamily: 'chat',
    recordCount: 12,
    purpose: null,
    findings: null,
    reportLocation: `s3://files/completed/${uploadId}/.analysis.json`,
    code: null,
    message: 'ok',
    downstreamJobId: 'job-1',
    notifications: [],
  },
};

const request: FineTuningJobRequest = {
  idempotencyKey: `${uploadId}:fine-tuning`,
  uploadId,
  owner: 'local',
  bucket: 'files',
  key: `completed/${uploadId}/train.jsonl`,
  s3Uri: `s3://files/completed/${uploadId}/train.jsonl`,
  sha256: 'ab'.repeat(32),
  size: 42,
  schemaFamily: 'chat',
  recordCount: 12,
  purpose: null,
  reportLocation: null,
};

describe('EventBridgeEventPublisher', () => {
  const publisher = new EventBridgeEventPublisher(new EventBridgeClient(region), 'upload-events');

  it('puts one entry on the bus with the source, detail-type, JSON detail and the time of the state', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    await publisher.publish(event);

    const [call] = eventBridge.commandCalls(PutEventsCommand);
    expect(call?.args[0].input.Entries).toEqual([
      {
        EventBusName: 'upload-events',
        Source: 'resumable-upload',
        DetailType: 'Upload Completed',
        Detail: JSON.stringify(event.detail),
        Time: new Date('2030-01-02T03:04:05.000Z'),
      },
    ]);
  });

  it('throws when PutEvents answers 200 but FailedEntryCount says the entry was refused', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    await expect(publisher.publish(event)).rejects.toThrow(
      expect.objectContaining({
        name: 'EventPublishError',
        message: expect.stringMatching(/InternalFailure/),
      }),
    );
  });
});

describe('SqsFineTuningQueue', () => {
  it('sends the job as a message and answers its MessageId as the job id', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'msg-1' });
    const queue = new SqsFineTuningQueue(new SQSClient(region), 'https://sqs.eu-west-1.amazonaws.com/1/jobs');

    expect(await queue.start(request)).toBe('msg-1');

    const input = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(input?.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/1/jobs');
    expect(JSON.parse(input?.MessageBody ?? '{}')).toEqual({ version: '1', ...request });
    expect(input?.MessageAttributes?.idempotencyKey).toEqual({
      DataType: 'String',
      StringValue: `${uploadId}:fine-tuning`,
    });
  });

  it('throws when SQS answers no MessageId', async () => {
    sqs.on(SendMessageCommand).resolves({});
    const queue = new SqsFineTuningQueue(new SQSClient(region), 'https://sqs.eu-west-1.amazonaws.com/1/jobs');
    await expect(queue.start(request)).rejects.toThrow(/MessageId/);
  });
});

describe('BedrockFineTuningLauncher', () => {
  it('starts a model customization job on the published dataset, idempotent per upload, and answers its ARN', async () => {
    const jobArn = 'arn:aws:bedrock:eu-west-1:123456789012:model-customization-job/abc';
    bedrock.on(CreateModelCustomizationJobCommand).resolves({ jobArn });
    const launcher = new BedrockFineTuningLauncher(new BedrockClient(region), {
      baseModelIdentifier: 'amazon.titan-text-express-v1',
      roleArn: 'arn:aws:iam::123456789012:role/bedrock-ft',
      outputS3Uri: 's3://out/ft/',
      hyperParameters: { epochCount: '2' },
      customModelNamePrefix: 'team',
    });

    expect(await launcher.start(request)).toBe(jobArn);

    expect(bedrock.commandCalls(CreateModelCustomizationJobCommand)[0]?.args[0].input).toEqual({
      jobName: `upload-${uploadId}`,
      customModelName: `team-${uploadId}`,
      clientRequestToken: uploadId,
      roleArn: 'arn:aws:iam::123456789012:role/bedrock-ft',
      baseModelIdentifier: 'amazon.titan-text-express-v1',
      customizationType: 'FINE_TUNING',
      trainingDataConfig: { s3Uri: request.s3Uri },
      outputDataConfig: { s3Uri: 's3://out/ft/' },
      hyperParameters: { epochCount: '2' },
    });
  });
});

describe('secretsManagerSecret', () => {
  it('reads the secret once and keeps it, but reads again after a failed read', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: 's3cr3t' });
    const secret = secretsManagerSecret(new SecretsManagerClient(region), 'arn:aws:secretsmanager:x');

    await expect(secret()).rejects.toThrow('throttled');
    expect(await secret()).toBe('s3cr3t');
    expect(await secret()).toBe('s3cr3t');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
