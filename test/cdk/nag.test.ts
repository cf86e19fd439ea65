import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addNagChecks } from '../../lib/nag-checks.js';
import type { createUploadApp } from '../../lib/upload-app.js';
import { buildApp } from './fixture.js';

let built: ReturnType<typeof createUploadApp>;

beforeAll(() => {
  // As bin/app.ts does it.
  built = buildApp();
  addNagChecks(built.app);
});

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

/** Every unacknowledged finding of both packs, as `severity rule: paths`. */
function findingsIn(app: ReturnType<typeof createUploadApp>['app']): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.map(
        (violation) =>
          `${violation.severity} ${violation.ruleName}: ${violation.violatingResources
            .map((resource) => resource.constructPath)
            .join(', ')}`,
      ),
  );
}

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('synthesizes with both plugins registered (any unacknowledged error fails synth)', () => {
    expect(() => built.app.synth()).not.toThrow();
  });

  it('leaves no unacknowledged error or warning of either pack', () => {
    expect(findingsIn(built.app)).toEqual([]);
  });

  it.each([
    ['an OIDC issuer', { jwtIssuerUrl: 'https://login.example.com', jwtAudience: ['api'] }],
    ['IAM authorization', { authorization: 'iam' as const }],
    [
      'a customer-managed key and CORS origins',
      { customerManagedKey: true, corsAllowedOrigins: ['https://app.example.com'] },
    ],
    ['an alarm topic for an email address', { alarmEmail: 'oncall@example.com' }],
    ['an existing alarm topic', { alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }],
  ])('leaves no unacknowledged finding with %s either', (_, props) => {
    expect(findingsIn(buildApp(props).app)).toEqual([]);
  });

  it('gives every acknowledgement a specific reason of its own', () => {
    const acknowledgements = acknowledgementsIn(built.app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      const where = `${id} on ${path}`;
      expect(reason.length, where).toBeGreaterThanOrEqual(80);
      expect(reason.split(/\s+/).length, where).toBeGreaterThanOrEqual(12);
      expect(reason, where).not.toMatch(/^(todo|tbd|n\/a|ok|fine|suppress(ed)?|ignore(d)?)\b/i);
    }
  });

  it('acknowledges only on the constructs concerned, never on the whole stack or app', () => {
    const paths = new Set(acknowledgementsIn(built.app).map((acknowledgement) => acknowledgement.path));
    expect(paths.has(built.stack.node.path)).toBe(false);
    expect([...paths].every((path) => path.startsWith(`${built.stack.node.path}/`))).toBe(true);
  });

  it('acknowledges S3 findings per key prefix of the upload bucket, never its whole object space or an action wildcard', () => {
    const iam5 = acknowledgementsIn(built.app)
      .map((acknowledgement) => acknowledgement.id)
      .filter((id) => id.includes('AwsSolutions-IAM5['));
    expect(iam5.filter((id) => id.includes('[Action::'))).toEqual([]);
    const bucketIds = iam5.filter((id) => id.includes('<StorageFiles'));
    expect(bucketIds.length).toBeGreaterThan(0);
    for (const id of bucketIds) {
      expect(id).toMatch(
        /(^|::)AwsSolutions-IAM5\[Resource::<StorageFiles\w+\.Arn>\/(uploads|staging|completed|quarantine|schemas|clamav)\/\*(\/\.analysis\.json)?\]$/,
      );
    }
  });

  it('acknowledges a missing authorizer only on the public health route, and says why', () => {
    const apig4 = acknowledgementsIn(built.app).filter((acknowledgement) =>
      acknowledgement.id.endsWith('APIG4'),
    );
    expect(apig4).toHaveLength(1);
    expect(apig4[0]?.path).toMatch(/\/Api\/HttpApi\/GET--api--health$/);
    expect(apig4[0]?.reason).toMatch(/GET \/api\/health is the one route without an authorizer on purpose/);
  });

  it('acknowledges the Serverless pack only for dead-letter queues: synchronous and stream-invoked functions, the signature schedule, the jobs DLQ, the stream failure queue', () => {
    const serverless = acknowledgementsIn(built.app).filter((acknowledgement) =>
      acknowledgement.id.includes('Serverless-'),
    );
    // cdk-nag records the acknowledgement ids of rules without a finding id as `Annotation::<rule>`.
    const ids = serverless.map((acknowledgement) => acknowledgement.id.replace(/^Annotation::/, ''));
    expect(new Set(ids)).toEqual(
      new Set(['Serverless-LambdaDLQ', 'Serverless-EventBusDLQ', 'Serverless-SQSRedrivePolicy']),
    );
    expect(
      serverless.filter((acknowledgement) => acknowledgement.id.endsWith('Serverless-SQSRedrivePolicy')),
    ).toEqual([
      expect.objectContaining({ path: built.stack.downstream.fineTuningDeadLetterQueue?.node.path }),
      expect.objectContaining({ path: built.stack.sessionRemovedEvents.failureQueue.node.path }),
    ]);
    expect(ids.filter((id) => id === 'Serverless-LambdaDLQ')).toHaveLength(
      Object.keys(built.stack.functions).length,
    );
    // The one asynchronously invoked function says so instead of claiming synchronous callers.
    const updater = serverless.find((acknowledgement) =>
      acknowledgement.path.startsWith(built.stack.virusDefinitions.updater.function.node.path),
    );
    expect(updater?.reason).toMatch(/invoked asynchronously by its schedule/);
    // The stream-invoked function names the mapping's on-failure queue instead.
    const streamReader = serverless.find((acknowledgement) =>
      acknowledgement.path.startsWith(built.stack.sessionRemovedEvents.handler.function.node.path),
    );
    expect(streamReader?.reason).toMatch(/stream event source mapping.*on-failure SQS queue/);
    expect(
      serverless.filter((acknowledgement) => acknowledgement.id.endsWith('Serverless-EventBusDLQ')),
    ).toEqual([expect.objectContaining({ path: built.stack.virusDefinitions.schedule.node.path })]);
  });
});

describe('cdk-nag with an alarm topic for an email address', () => {
  it('acknowledges only the missing redrive policy of the email subscription, with its reason; encryption and TLS (SNS2, SNS3) hold', () => {
    const withTopic = buildApp({ alarmEmail: 'oncall@example.com' });
    addNagChecks(withTopic.app);
    expect(() => withTopic.app.synth()).not.toThrow();
    const added = acknowledgementsIn(withTopic.app).filter((acknowledgement) =>
      acknowledgement.path.includes('/Alarms/'),
    );
    expect(added.map(({ path, id }) => [path, id.replace(/^Annotation::/, '')])).toEqual([
      [withTopic.stack.alarms.alarmTopic?.subscription.node.path, 'Serverless-SNSRedrivePolicy'],
    ]);
    expect(added[0]?.reason).toMatch(/email subscription of the alarm topic/);
  });
});

describe('cdk-nag with Comprehend PII sampling enabled', () => {
  it('leaves no unacknowledged finding of either pack', () => {
    const withComprehend = buildApp({ comprehendPii: 'sample' });
    addNagChecks(withComprehend.app);
    expect(() => withComprehend.app.synth()).not.toThrow();
    expect(new AwsSolutionsChecks().validateScope(withComprehend.app).violations).toEqual([]);
    expect(new ServerlessChecks().validateScope(withComprehend.app).violations).toEqual([]);
  });
});
