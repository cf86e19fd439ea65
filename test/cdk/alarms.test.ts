/**
 * The CloudWatch alarms from the synthesized template: each on the right metric, dimension,
 * statistic and threshold; actions only when `alarmEmail` or `alarmTopicArn` is set; the topic
 * the stack creates is KMS-encrypted, TLS-only and lets only this stack's alarms publish; every
 * description names a section of docs/operations.md that exists.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiMinServerErrors,
  apiServerErrorRatePercent,
  functionErrorRatePercent,
  functionMinErrors,
} from '../../lib/upload-alarms.js';
import { resolveAlarmNotificationSettings } from '../../lib/upload-alarms-props.js';
import { createUploadApp } from '../../lib/upload-app.js';
import { projectRoot } from '../../lib/upload-function.js';
import { UploadStack } from '../../lib/upload-stack.js';
import { UploadStackPropsError } from '../../lib/upload-stack-props.js';
import { buildApp, buildTemplate, logicalIdOf, noBundling } from './fixture.js';

interface AlarmJson {
  AlarmName: string;
  AlarmDescription: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
}

let stack: UploadStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = buildTemplate());
});

function alarmsOf(t: Template): AlarmJson[] {
  return Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
    (resource) => (resource as { Properties: AlarmJson }).Properties,
  );
}

/** The metric of a metric-math alarm with this id, with its period and statistic. */
const metricStat = (
  id: string,
  namespace: string,
  metricName: string,
  dimensions: unknown[],
  period = 300,
) => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions },
    Period: period,
    Stat: 'Sum',
  },
  ReturnData: false,
});

describe('alarms on lost work', () => {
  it('alarms at the first message visible in the fine-tuning jobs dead-letter queue', () => {
    const dlq = stack.downstream.fineTuningDeadLetterQueue;
    expect(dlq).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ResumableUploadStack-FineTuningJobsDeadLetter',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(dlq ?? stack), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no dead-letter alarm when there is no jobs queue', () => {
    const { template: withoutQueue } = buildTemplate({ fineTuningTarget: 'none' });
    expect(alarmsOf(withoutQueue).map((alarm) => alarm.AlarmName)).not.toContain(
      'ResumableUploadStack-FineTuningJobsDeadLetter',
    );
  });

  it('alarms at the first message in the expiry stream’s on-failure queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ResumableUploadStack-ExpiryEventFailures',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(stack.sessionRemovedEvents.failureQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['CompletionExecutionsFailed', 'ExecutionsFailed'],
    ['CompletionExecutionsTimedOut', 'ExecutionsTimedOut'],
  ])('%s alarms at one %s of the completion workflow in 5 minutes', (name, metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `ResumableUploadStack-${name}`,
      Namespace: 'AWS/States',
      MetricName: metricName,
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalIdOf(stack.stateMachine) } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('alarms on error rates', () => {
  it('alarms when 5 % of API requests, and at least 5, answer 5xx in 2 of 3 five-minute periods', () => {
    expect([apiServerErrorRatePercent, apiMinServerErrors]).toEqual([5, 5]);
    const api = [{ Name: 'ApiId', Value: { Ref: logicalIdOf(stack.httpApi) } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ResumableUploadStack-ApiServerErrors',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(failures >= 5, 100 * failures / total, 0)', ReturnData: true }),
        metricStat('failures', 'AWS/ApiGateway', '5xx', api),
        metricStat('total', 'AWS/ApiGateway', 'Count', api),
      ]),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('gives every function but the signature updater an error-rate alarm on its own Errors and Invocations', () => {
    expect([functionErrorRatePercent, functionMinErrors]).toEqual([5, 3]);
    const watched = Object.keys(stack.functions).filter((name) => name !== 'UpdateVirusDefinitions');
    expect(Object.keys(stack.alarms.functionErrorAlarms).sort()).toEqual(watched.sort());
    for (const name of watched) {
      const fn = stack.functions[name];
      if (!fn) throw new Error(name);
      const dimensions = [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ResumableUploadStack-${name}-ErrorRate`,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(failures >= 3, 100 * failures / total, 0)', ReturnData: true }),
          metricStat('failures', 'AWS/Lambda', 'Errors', dimensions),
          metricStat('total', 'AWS/Lambda', 'Invocations', dimensions),
        ]),
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 5,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('gives every function but the signature updater a throttles alarm', () => {
    const watched = Object.keys(stack.functions).filter((name) => name !== 'UpdateVirusDefinitions');
    expect(Object.keys(stack.alarms.functionThrottleAlarms).sort()).toEqual(watched.sort());
    for (const name of watched) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `ResumableUploadStack-${name}-Throttles`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.functions[name] ?? stack) } }],
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('virus signature updates', () => {
  it('alarms after four 6-hour periods without a successful run, missing data counting as none', () => {
    const dimensions = [
      { Name: 'FunctionName', Value: { Ref: logicalIdOf(stack.virusDefinitions.updater.function) } },
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ResumableUploadStack-VirusDefinitionsStale',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'invocations - errors', ReturnData: true }),
        metricStat('invocations', 'AWS/Lambda', 'Invocations', dimensions, 6 * 3600),
        metricStat('errors', 'AWS/Lambda', 'Errors', dimensions, 6 * 3600),
      ]),
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 4,
      DatapointsToAlarm: 4,
      TreatMissingData: 'breaching',
    });
  });
});

describe('alarm descriptions', () => {
  it('name a section of docs/operations.md that exists, and fit CloudWatch’s 1024 characters', () => {
    const operations = readFileSync(path.join(projectRoot, 'docs/operations.md'), 'utf8');
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) =>
        (heading ?? '')
          .toLowerCase()
          .replace(/[^\w\s-]/g, '')
          .replace(/\s/g, '-'),
      ),
    );
    const alarms = alarmsOf(template);
    expect(alarms).toHaveLength(stack.alarms.alarms.length);
    for (const alarm of alarms) {
      expect(alarm.AlarmDescription.length, alarm.AlarmName).toBeLessThanOrEqual(1024);
      const anchor = /Runbook: docs\/operations\.md#([\w-]+)$/.exec(alarm.AlarmDescription)?.[1];
      expect(anchor, alarm.AlarmName).toBeDefined();
      expect(anchors.has(anchor ?? ''), `${alarm.AlarmName} -> #${anchor}`).toBe(true);
    }
  });
});

describe('alarm actions', () => {
  it('has no actions and no topic without alarmEmail or alarmTopicArn', () => {
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions, alarm.AlarmName).toBeUndefined();
      expect(alarm.OKActions, alarm.AlarmName).toBeUndefined();
    }
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(stack.alarms.topic).toBeUndefined();
    expect(Object.keys(template.findOutputs('AlarmTopicArn'))).toEqual([]);
  });

  /** CloudWatch may use the key and the topic only for this stack's alarms, in this account. */
  const onlyThisStacksAlarms = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':alarm:ResumableUploadStack-*'])] },
    },
  };

  describe('with alarmEmail', () => {
    let withEmail: { stack: UploadStack; template: Template };
    let topicRef: { Ref: string };

    beforeAll(() => {
      withEmail = buildTemplate({ alarmEmail: 'oncall@example.com' });
      topicRef = { Ref: logicalIdOf(withEmail.stack.alarms.alarmTopic?.topic ?? withEmail.stack) };
    });

    it('sends every alarm and its recovery to the topic it creates', () => {
      withEmail.template.resourceCountIs('AWS::SNS::Topic', 1);
      const alarms = alarmsOf(withEmail.template);
      expect(alarms.length).toBe(alarmsOf(template).length);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topicRef]);
        expect(alarm.OKActions, alarm.AlarmName).toEqual([topicRef]);
      }
      withEmail.template.hasOutput('AlarmTopicArn', { Value: topicRef });
    });

    it('subscribes the address by email', () => {
      withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
        TopicArn: topicRef,
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
    });

    it('encrypts the topic with a rotated key of its own that CloudWatch may use', () => {
      const key = withEmail.stack.alarms.alarmTopic?.key;
      expect(key).toBeDefined();
      const keyId = logicalIdOf(key ?? withEmail.stack);
      withEmail.template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      withEmail.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: onlyThisStacksAlarms,
            }),
          ]),
        },
      });
    });

    it('denies every publish without TLS and lets only this stack’s alarms publish', () => {
      withEmail.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowPublishThroughSSLOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: topicRef,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicRef,
              Condition: onlyThisStacksAlarms,
            }),
          ]),
        },
      });
    });
  });

  describe('with alarmTopicArn', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:oncall';

    it('sends every alarm and its recovery to that topic and creates none', () => {
      const { template: withTopic } = buildTemplate({ alarmTopicArn: topicArn });
      withTopic.resourceCountIs('AWS::SNS::Topic', 0);
      withTopic.resourceCountIs('AWS::KMS::Key', 0);
      for (const alarm of alarmsOf(withTopic)) {
        expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topicArn]);
        expect(alarm.OKActions, alarm.AlarmName).toEqual([topicArn]);
      }
    });

    it('refuses a topic in another region than the stack’s', () => {
      expect(() =>
        buildApp({ env: { account: '123456789012', region: 'us-east-1' }, alarmTopicArn: topicArn }),
      ).toThrow(/alarmTopicArn must name a topic in the stack's region us-east-1/);
    });

    it('is taken from -c alarmTopicArn, like alarmEmail from -c alarmEmail', () => {
      const fromContext = (context: Record<string, string>) =>
        createUploadApp({ appProps: { context: { ...noBundling, ...context } } }).stack.alarmNotifications;
      expect(fromContext({ alarmTopicArn: topicArn })).toEqual({
        kind: 'topic',
        topicArn,
        region: 'eu-west-1',
      });
      expect(fromContext({ alarmEmail: 'oncall@example.com' })).toEqual({
        kind: 'email',
        email: 'oncall@example.com',
      });
    });
  });

  it.each([
    [
      { alarmEmail: 'a@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:t' },
      /exclude each other/,
    ],
    [{ alarmEmail: 'not an address' }, /alarmEmail must be an email address, got not an address/],
    [
      { alarmTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
      /alarmTopicArn must be the ARN of an SNS topic/,
    ],
  ])('refuses %o with a message naming the prop', (props, message) => {
    expect(() => resolveAlarmNotificationSettings(props)).toThrow(message);
    expect(() => new UploadStack(new App({ context: noBundling }), 'Invalid', props)).toThrow(
      UploadStackPropsError,
    );
  });
});

describe('dashboard', () => {
  it('is one dashboard named after the stack and its region, showing every alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['ResumableUploadStack-Operations-', { Ref: 'AWS::Region' }]] },
    });
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
    );
    for (const alarm of stack.alarms.alarms) {
      expect(body, alarm.node.id).toContain(logicalIdOf(alarm));
    }
  });
});
