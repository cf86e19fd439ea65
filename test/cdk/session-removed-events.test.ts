/**
 * The AWS half of expiry events: the sessions table streams old images, and one function reads
 * that stream through a mapping filtered to TTL deletes of session items that still owe an event,
 * with bisection, retries and an on-failure queue; its role reads that one stream and puts events
 * on the stack's bus, nothing else.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRecordAgeHours, maxRetryAttempts } from '../../lib/session-removed-events.js';
import type { UploadStack } from '../../lib/upload-stack.js';
import { actionsOf, buildTemplate, logicalIdOf, statementsOfRole } from './fixture.js';

let stack: UploadStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = buildTemplate());
});

type Mapping = { Properties: Record<string, unknown> };

const mappingOf = (t: Template): Mapping => {
  const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')) as Mapping[];
  expect(mappings).toHaveLength(1);
  return mappings[0] as Mapping;
};

describe('sessions table stream', () => {
  it('streams old images of the sessions table, which keeps its TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'OLD_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });
});

describe('SessionRemovedEvents', () => {
  it('is built like every function: newest Node.js on arm64, X-Ray, its own log group and role', () => {
    const fn = stack.sessionRemovedEvents.handler;
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Role: { 'Fn::GetAtt': [logicalIdOf(fn.role), 'Arn'] },
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: logicalIdOf(fn.logGroup) } }),
    });
    expect(stack.functions.SessionRemovedEvents).toBe(fn.function);
  });

  it('reads the stream from the trim horizon with bisection, retries and the failure queue', () => {
    expect(mappingOf(template).Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.table), 'StreamArn'] },
      FunctionName: { Ref: logicalIdOf(stack.sessionRemovedEvents.handler.function) },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: maxRetryAttempts,
      MaximumRecordAgeInSeconds: maxRecordAgeHours * 3600,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.sessionRemovedEvents.failureQueue), 'Arn'] },
        },
      },
    });
  });

  it('is invoked only for TTL deletes of session items that still owe their event', () => {
    const { Filters } = mappingOf(template).Properties.FilterCriteria as { Filters: { Pattern: string }[] };
    expect(Filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      {
        eventName: ['REMOVE'],
        userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
        dynamodb: {
          Keys: { sk: { S: ['SESSION'] } },
          OldImage: {
            state: { S: ['uploading', 'expired', 'aborted'] },
            publishedEvents: { L: { S: [{ exists: false }] } },
          },
        },
      },
    ]);
  });

  it('keeps failed records 14 days in an encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(stack.sessionRemovedEvents.failureQueue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('may read this one stream, send to its failure queue and put events on the bus, nothing else', () => {
    const statements = statementsOfRole(template, logicalIdOf(stack.sessionRemovedEvents.handler.role));
    const byResource = statements.map((statement) => ({
      actions: actionsOf(statement).sort(),
      resource: statement.Resource,
    }));
    expect(byResource).toEqual(
      expect.arrayContaining([
        {
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resource: { 'Fn::GetAtt': [logicalIdOf(stack.table), 'StreamArn'] },
        },
        {
          actions: ['events:PutEvents'],
          resource: { 'Fn::GetAtt': [logicalIdOf(stack.eventBus), 'Arn'] },
        },
        {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resource: { 'Fn::GetAtt': [logicalIdOf(stack.sessionRemovedEvents.failureQueue), 'Arn'] },
        },
      ]),
    );
    const allActions = statements.flatMap(actionsOf);
    // No table data and no bucket: it publishes from the stream record alone.
    expect(
      allActions.filter((action) => /^dynamodb:(Get|Put|Update|Delete|Query|Scan|Batch)/.test(action)),
    ).toEqual(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
    expect(allActions.filter((action) => action.startsWith('s3:'))).toEqual([]);
    expect(new Set(allActions)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'dynamodb:ListStreams',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'events:PutEvents',
      ]),
    );
  });
});
