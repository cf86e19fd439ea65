/**
 * The downstream resources and their IAM, from the synthesized template: the event bus and its
 * archive, the fine-tuning jobs queue and its dead-letter queue, who may publish, send, start
 * Bedrock jobs and read the webhook secret - and that the stack with every option stays cdk-nag
 * clean. Props are validated before any construct exists.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.js';
import { workflowTasks } from '../../lambdas/workflow/tasks.js';
import { resolveDownstreamSettings } from '../../lib/downstream-props.js';
import { addNagChecks } from '../../lib/nag-checks.js';
import type { UploadStack } from '../../lib/upload-stack.js';
import { UploadStackPropsError } from '../../lib/upload-stack-props.js';
import {
  actionsOf,
  buildApp,
  buildTemplate,
  logicalIdOf,
  type PolicyStatementJson,
  statementsOfRole,
} from './fixture.js';

const fullProps = {
  fineTuningTarget: 'bedrock' as const,
  bedrockFineTuning: {
    baseModelIdentifier: 'amazon.titan-text-express-v1',
    roleArn: 'arn:aws:iam::123456789012:role/bedrock-ft',
    outputS3Uri: 's3://ft-output/jobs/',
    hyperParameters: { epochCount: '2' },
  },
  curationWebhookUrl: 'https://curation.example.com/hooks/upload',
  curationWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:curation-AbCdEf',
};

let stack: UploadStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = buildTemplate());
});

/** Every function of the stack with the statements of its role. */
function functionsWithStatements(s: UploadStack, t: Template) {
  return Object.entries({ ...s.routeFunctions, ...s.taskFunctions }).map(([name, fn]) => ({
    name,
    fn,
    statements: statementsOfRole(t, logicalIdOf(fn.role)),
  }));
}

const withAction = (statements: PolicyStatementJson[], pattern: RegExp) =>
  statements.filter((statement) => actionsOf(statement).some((action) => pattern.test(action)));

describe('event bus', () => {
  it('is the stack’s own bus, exposed as eventBus, with a 30-day archive of upload events', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(logicalIdOf(stack.eventBus)).toBe(logicalIdOf(stack.downstream.eventBus));
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.eventBus), 'Arn'] },
      EventPattern: { source: ['resumable-upload'] },
      RetentionDays: 30,
    });
  });

  it('lets exactly the functions whose table entry publishes events put events, on this bus only', () => {
    const expected = [
      ...routes.filter((route) => route.access.publishesEvents).map((route) => route.id),
      ...Object.entries(workflowTasks)
        .filter(([, task]) => 'publishesEvents' in task && task.publishesEvents)
        .map(([name]) => name),
    ].sort();
    const publishers = functionsWithStatements(stack, template).filter(
      ({ statements }) => withAction(statements, /^events:/).length > 0,
    );
    expect(publishers.map(({ name }) => name).sort()).toEqual(expected);
    expect(expected).toEqual(
      [
        'AbortUpload',
        'CompleteUpload',
        'GetUploadStatus',
        'NotifyUpload',
        'QuarantineFile',
        'RecordCompletion',
        'RecordFailure',
        'RecordRejection',
        'UploadChunk',
      ].sort(),
    );
    for (const { statements } of publishers) {
      expect(withAction(statements, /^events:/)).toEqual([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [logicalIdOf(stack.eventBus), 'Arn'] },
        },
      ]);
    }
  });

  it('gives every function the bus name in EVENT_BUS_NAME', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const named = Object.values(functions).filter(
      (fn) => fn.Properties.Environment?.Variables?.EVENT_BUS_NAME !== undefined,
    );
    expect(named.length).toBe(Object.keys(stack.functions).length);
  });
});

describe('fine-tuning jobs queue', () => {
  it('has a dead-letter queue, SQS-managed encryption and TLS-only access', () => {
    const queue = stack.downstream.fineTuningQueue;
    const deadLetter = stack.downstream.fineTuningDeadLetterQueue;
    if (!queue || !deadLetter) throw new Error('the default stack has a fine-tuning queue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(deadLetter), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    // The jobs queue, its dead-letter queue, and the expiry stream's failure queue (session-removed-events.test.ts).
    template.resourceCountIs('AWS::SQS::Queue', 3);
    for (const q of [queue, deadLetter]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(q) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('lets only NotifyDownstream and NotifyUpload send jobs, to this queue only, and tells them its URL', () => {
    const queue = stack.downstream.fineTuningQueue;
    if (!queue) throw new Error('no queue');
    const senders = functionsWithStatements(stack, template).filter(
      ({ statements }) => withAction(statements, /^sqs:/).length > 0,
    );
    expect(senders.map(({ name }) => name).sort()).toEqual(['NotifyDownstream', 'NotifyUpload']);
    for (const { statements, fn } of senders) {
      const sqs = withAction(statements, /^sqs:/);
      expect(sqs.map((statement) => statement.Resource)).toEqual([
        { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
      ]);
      expect(actionsOf(sqs[0] as PolicyStatementJson).sort()).toEqual(
        ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort(),
      );
      const variables =
        template.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)]?.Properties.Environment
          .Variables;
      expect(variables).toMatchObject({
        FINE_TUNING_TARGET: 'sqs',
        FINE_TUNING_QUEUE_URL: { Ref: logicalIdOf(queue) },
      });
    }
  });
});

describe('with Bedrock and a curation webhook', () => {
  let full: { stack: UploadStack; template: Template };

  beforeAll(() => {
    const built = buildApp(fullProps);
    full = { stack: built.stack, template: Template.fromStack(built.stack) };
  });

  it('creates no jobs queue, and lets the notifiers start customization jobs and pass only the Bedrock role to Bedrock', () => {
    // Only the expiry stream's failure queue, which every stack has.
    full.template.resourceCountIs('AWS::SQS::Queue', 1);
    const notifiers = functionsWithStatements(full.stack, full.template).filter(
      ({ statements }) => withAction(statements, /^bedrock:|^iam:PassRole$/).length > 0,
    );
    expect(notifiers.map(({ name }) => name).sort()).toEqual(['NotifyDownstream', 'NotifyUpload']);
    for (const { statements } of notifiers) {
      expect(withAction(statements, /^bedrock:/)).toEqual([
        expect.objectContaining({ Action: 'bedrock:CreateModelCustomizationJob' }),
      ]);
      expect(withAction(statements, /^iam:PassRole$/)).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: fullProps.bedrockFineTuning.roleArn,
          Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        },
      ]);
    }
  });

  it('grants the Bedrock role s3:GetObject on published files only', () => {
    const policies = Object.values(full.template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as unknown[]).includes('bedrock-ft'),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as PolicyStatementJson[];
    expect(statements.map((statement) => statement.Action)).toEqual(['s3:GetObject']);
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(/\/completed\/\*"\]\]\}$/);
  });

  it('lets only the notifiers read the webhook secret, and configures its URL and ARN', () => {
    const readers = functionsWithStatements(full.stack, full.template).filter(
      ({ statements }) => withAction(statements, /^secretsmanager:/).length > 0,
    );
    expect(readers.map(({ name }) => name).sort()).toEqual(['NotifyDownstream', 'NotifyUpload']);
    for (const { statements, fn } of readers) {
      expect(withAction(statements, /^secretsmanager:/).map((statement) => statement.Resource)).toEqual([
        fullProps.curationWebhookSecretArn,
      ]);
      const variables =
        full.template.findResources('AWS::Lambda::Function')[logicalIdOf(fn.function)]?.Properties.Environment
          .Variables;
      expect(variables).toMatchObject({
        CURATION_WEBHOOK_URL: fullProps.curationWebhookUrl,
        CURATION_WEBHOOK_SECRET_ARN: fullProps.curationWebhookSecretArn,
        FINE_TUNING_TARGET: 'bedrock',
        BEDROCK_BASE_MODEL: 'amazon.titan-text-express-v1',
        BEDROCK_HYPERPARAMETERS: '{"epochCount":"2"}',
      });
    }
  });

  it('stays cdk-nag AwsSolutions clean, every acknowledgement with its reason', () => {
    const built = buildApp(fullProps);
    addNagChecks(built.app);
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(() => built.app.synth()).not.toThrow();
  });
});

describe('downstream props', () => {
  it.each([
    [{ fineTuningTarget: 'lambda' as never }, /fineTuningTarget must be sqs, bedrock or none/],
    [{ fineTuningTarget: 'bedrock' as const }, /bedrockFineTuning is required/],
    [
      {
        fineTuningTarget: 'bedrock' as const,
        bedrockFineTuning: { ...fullProps.bedrockFineTuning, roleArn: 'bedrock-ft' },
      },
      /roleArn must be an IAM role ARN/,
    ],
    [
      { curationWebhookUrl: 'http://curation.example.com/hook' },
      /curationWebhookUrl must be an https:\/\/ URL/,
    ],
    [
      { curationWebhookUrl: fullProps.curationWebhookUrl },
      /curationWebhookSecretArn must be the complete ARN/,
    ],
    [
      {
        curationWebhookUrl: fullProps.curationWebhookUrl,
        curationWebhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:curation',
      },
      /complete ARN/,
    ],
  ])('refuses %j, naming the prop', (props, message) => {
    expect(() => resolveDownstreamSettings(props)).toThrow(message);
    expect(() => resolveDownstreamSettings(props)).toThrow(UploadStackPropsError);
  });

  it('defaults to the SQS queue and no webhook', () => {
    expect(resolveDownstreamSettings({})).toEqual({ fineTuningTarget: 'sqs' });
  });
});
