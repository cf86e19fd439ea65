/**
 * CloudWatch alarms for the failures that otherwise pile up silently. What each one means and how
 * to recover is in docs/operations.md; each alarm's description says it in short and names the
 * section (`docs/operations.md#<anchor>`).
 *
 * | alarm | metric | fires when |
 * |---|---|---|
 * | FineTuningJobsDeadLetter | SQS ApproximateNumberOfMessagesVisible of the jobs DLQ | any message, 5 min |
 * | ExpiryEventFailures | the same, of the expiry stream's on-failure queue | any message, 5 min |
 * | CompletionExecutionsFailed | Step Functions ExecutionsFailed | any failed execution in 5 min |
 * | CompletionExecutionsTimedOut | Step Functions ExecutionsTimedOut | any timed-out execution in 5 min |
 * | ApiServerErrors | HTTP API 5xx / Count | >= 5 % with >= 5 errors, 2 of 3 periods of 5 min |
 * | <function>-ErrorRate | Lambda Errors / Invocations | >= 5 % with >= 3 errors, 2 of 3 periods of 5 min |
 * | <function>-Throttles | Lambda Throttles | any throttle in 2 of 3 periods of 5 min |
 * | VirusDefinitionsStale | Lambda Invocations - Errors of UpdateVirusDefinitions | no successful run in 24 h |
 *
 * Queues and executions alarm at the first event: every message there is work lost unless an
 * operator acts. Rates need two breaching periods of three, so one bad minute does not page.
 * Where there is no traffic there is no data, which counts as fine (`NOT_BREACHING`) - except for
 * the signature updater, where no data means no successful run (`BREACHING`).
 *
 * The updater is left out of the per-function alarms: one failed run is superseded by the next
 * (every 6 hours) and changes nothing; only a day without signatures matters, and scans then
 * answer `not_scanned` (by default quarantined), so `VirusDefinitionsStale` watches that instead.
 *
 * Alarm names start with the stack name, which the alarm topic's policy relies on
 * (`alarm-topic.ts`). Without `alarmEmail` or `alarmTopicArn` the alarms have no actions.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic.js';
import type { AlarmNotificationSettings } from './upload-alarms-props.js';
import { UploadStackPropsError } from './upload-stack-props.js';

/** The period of every alarm but the signature updater's. */
export const alarmPeriod = Duration.minutes(5);
/** Rate alarms: breaching in this many of the last {@link rateEvaluationPeriods} periods. */
export const rateDatapointsToAlarm = 2;
export const rateEvaluationPeriods = 3;
/** A function alarms at this share of failed invocations, in percent ... */
export const functionErrorRatePercent = 5;
/** ... once at least this many invocations failed in the period (one error in two calls is no trend). */
export const functionMinErrors = 3;
/** The API alarms at this share of 5xx answers, in percent ... */
export const apiServerErrorRatePercent = 5;
/** ... once at least this many requests got a 5xx in the period. */
export const apiMinServerErrors = 5;
/** The signature updater is judged per this period ... */
export const virusDefinitionsPeriod = Duration.hours(6);
/** ... and alarms after this many periods in a row without a successful run (one day). */
export const virusDefinitionsPeriodsWithoutSuccess = 4;

const runbook = 'docs/operations.md';

export interface UploadAlarmsProps {
  /** Where state changes go (`upload-alarms-props.ts`). */
  readonly notifications: AlarmNotificationSettings;
  readonly stateMachine: IStateMachine;
  readonly httpApi: IHttpApi;
  /** The functions watched for their error rate and throttles, by name (the updater excluded). */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** `UpdateVirusDefinitions`, watched for a day without a successful run. */
  readonly virusDefinitionsUpdater: IFunction;
  /** The fine-tuning jobs' dead-letter queue (when the target is `sqs`). */
  readonly fineTuningDeadLetterQueue?: IQueue;
  /** The on-failure queue of the expiry stream's event source mapping. */
  readonly expiryFailureQueue: IQueue;
}

export class UploadAlarms extends Construct {
  /** Where alarm actions go: the topic created for `alarmEmail`, or the one `alarmTopicArn` names. */
  public readonly topic?: ITopic;
  /** The topic and its key, when the stack created them (`alarmEmail`). */
  public readonly alarmTopic?: AlarmTopic;
  public readonly fineTuningDeadLetterAlarm?: Alarm;
  public readonly expiryFailuresAlarm: Alarm;
  public readonly executionsFailedAlarm: Alarm;
  public readonly executionsTimedOutAlarm: Alarm;
  public readonly apiServerErrorsAlarm: Alarm;
  public readonly virusDefinitionsAlarm: Alarm;
  /** By function name. */
  public readonly functionErrorAlarms: Readonly<Record<string, Alarm>>;
  /** By function name. */
  public readonly functionThrottleAlarms: Readonly<Record<string, Alarm>>;
  /** Every alarm above. */
  public readonly alarms: readonly Alarm[];
  private readonly namePrefix: string;
  private readonly created: Alarm[] = [];

  constructor(scope: Construct, id: string, props: UploadAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.namePrefix = stack.stackName;

    const notifications = props.notifications;
    if (notifications.kind === 'email') {
      this.alarmTopic = new AlarmTopic(this, 'Notifications', {
        email: notifications.email,
        alarmNamePrefix: this.namePrefix,
      });
      this.topic = this.alarmTopic.topic;
    } else if (notifications.kind === 'topic') {
      // CloudWatch alarm actions only reach topics in the alarm's own region.
      if (!Token.isUnresolved(stack.region) && notifications.region !== stack.region) {
        throw new UploadStackPropsError(
          `UploadStackProps.alarmTopicArn must name a topic in the stack's region ${stack.region} (alarm actions do not cross regions), got ${notifications.topicArn}`,
        );
      }
      this.topic = Topic.fromTopicArn(this, 'Notifications', notifications.topicArn);
    }

    if (props.fineTuningDeadLetterQueue) {
      this.fineTuningDeadLetterAlarm = this.queueNotEmpty(
        'FineTuningJobsDeadLetter',
        props.fineTuningDeadLetterQueue,
        'Fine-tuning job messages reached the dead-letter queue: a consumer failed them 5 times, so those datasets start no training job. ' +
          'Fix the consumer, then redrive the queue (SQS start-message-move-task); messages are kept 14 days.',
        'fine-tuning-jobs-dead-letter-queue',
      );
    }
    this.expiryFailuresAlarm = this.queueNotEmpty(
      'ExpiryEventFailures',
      props.expiryFailureQueue,
      "Sessions deleted by DynamoDB TTL got no Upload Expired event after every retry; the queue holds the stream records' shard and sequence numbers, kept 14 days. " +
        'Find the cause in the SessionRemovedEvents logs, restore the sessions from point-in-time recovery and publish the events by hand.',
      'expiry-event-failures',
    );

    const executions = { period: alarmPeriod, statistic: Stats.SUM };
    this.executionsFailedAlarm = this.atLeastOne(
      'CompletionExecutionsFailed',
      props.stateMachine.metricFailed(executions),
      'A completion workflow execution failed: a task failed after its retries and the upload was recorded failed (the client gets 500 WORKFLOW_FAILED and must upload again). ' +
        'Read the failed task in the execution history; fix the cause (permissions, limits, a bug) before more uploads fail.',
      'completion-executions-failed-or-timed-out',
    );
    this.executionsTimedOutAlarm = this.atLeastOne(
      'CompletionExecutionsTimedOut',
      props.stateMachine.metricTimedOut(executions),
      'A completion workflow execution ran into its 24-hour timeout and recorded no outcome; the upload stays processing until a complete call for it (or a status call, after a minute of processing) records it failed. ' +
        'Find the state that hung in the execution history.',
      'completion-executions-failed-or-timed-out',
    );

    this.apiServerErrorsAlarm = this.rate('ApiServerErrors', {
      failures: props.httpApi.metricServerError({ period: alarmPeriod, statistic: Stats.SUM }),
      total: props.httpApi.metricCount({ period: alarmPeriod, statistic: Stats.SUM }),
      minFailures: apiMinServerErrors,
      percent: apiServerErrorRatePercent,
      label: 'API 5xx (% of requests)',
      description:
        `At least ${apiServerErrorRatePercent} % of API requests (and ${apiMinServerErrors} or more) answered 5xx in 2 of the last 3 five-minute periods: ` +
        'clients see failures. Check which route in the access logs and the function error-rate alarms; throttled or timed-out integrations show as 5xx too.',
      anchor: 'api-server-errors',
    });

    const functionErrorAlarms: Record<string, Alarm> = {};
    const functionThrottleAlarms: Record<string, Alarm> = {};
    for (const [name, fn] of Object.entries(props.functions)) {
      const metric = { period: alarmPeriod, statistic: Stats.SUM };
      functionErrorAlarms[name] = this.rate(`${name}-ErrorRate`, {
        failures: fn.metricErrors(metric),
        total: fn.metricInvocations(metric),
        minFailures: functionMinErrors,
        percent: functionErrorRatePercent,
        label: `${name} errors (% of invocations)`,
        description:
          `At least ${functionErrorRatePercent} % of ${name}'s invocations (and ${functionMinErrors} or more) failed in 2 of the last 3 five-minute periods. ` +
          'Read the errors in its log group (JSON lines with the upload id).',
        anchor: 'function-errors-and-throttles',
      });
      functionThrottleAlarms[name] = this.alarm(`${name}-Throttles`, {
        metric: fn.metricThrottles(metric),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: rateEvaluationPeriods,
        datapointsToAlarm: rateDatapointsToAlarm,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description:
          `Lambda throttled ${name} in 2 of the last 3 five-minute periods: the account's or the function's concurrency is used up, and callers get errors. ` +
          'Raise the account concurrency quota or lower the API throttling.',
        anchor: 'function-errors-and-throttles',
      });
    }
    this.functionErrorAlarms = functionErrorAlarms;
    this.functionThrottleAlarms = functionThrottleAlarms;

    const updaterMetric = { period: virusDefinitionsPeriod, statistic: Stats.SUM };
    // Async invocations are retried, and each attempt counts: a run that failed every attempt has
    // as many errors as invocations, a run that succeeded on a retry has one more invocation.
    const successfulRuns = new MathExpression({
      expression: 'invocations - errors',
      usingMetrics: {
        invocations: props.virusDefinitionsUpdater.metricInvocations(updaterMetric),
        errors: props.virusDefinitionsUpdater.metricErrors(updaterMetric),
      },
      period: virusDefinitionsPeriod,
      label: 'Successful signature updates',
    });
    this.virusDefinitionsAlarm = this.alarm('VirusDefinitionsStale', {
      metric: successfulRuns,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: virusDefinitionsPeriodsWithoutSuccess,
      datapointsToAlarm: virusDefinitionsPeriodsWithoutSuccess,
      // No invocation at all (a disabled schedule, an updater that cannot start) is no success either.
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'UpdateVirusDefinitions has not succeeded for 24 hours: ClamAV signatures are getting old, and if none were ever loaded every upload is not_scanned and, by default, quarantined. ' +
        'Read its log group, then run the UpdateVirusDefinitionsCommand stack output. Expected right after the first deployment until that command ran.',
      anchor: 'virus-definitions-stale',
    });

    this.alarms = this.created;
  }

  /** Any message visible in the queue, at the first five-minute period. */
  private queueNotEmpty(name: string, queue: IQueue, description: string, anchor: string): Alarm {
    return this.atLeastOne(
      name,
      queue.metricApproximateNumberOfMessagesVisible({ period: alarmPeriod, statistic: Stats.MAXIMUM }),
      description,
      anchor,
    );
  }

  private atLeastOne(name: string, metric: IMetric, description: string, anchor: string): Alarm {
    return this.alarm(name, {
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description,
      anchor,
    });
  }

  /**
   * Failures as a percentage of the total, counted only once there are `minFailures` of them in
   * the period (below that the expression is 0), so a quiet function failing one call in two
   * does not page while a busy one failing 5 % does.
   */
  private rate(
    name: string,
    options: {
      failures: IMetric;
      total: IMetric;
      minFailures: number;
      percent: number;
      label: string;
      description: string;
      anchor: string;
    },
  ): Alarm {
    return this.alarm(name, {
      metric: new MathExpression({
        expression: `IF(failures >= ${options.minFailures}, 100 * failures / total, 0)`,
        usingMetrics: { failures: options.failures, total: options.total },
        period: alarmPeriod,
        label: options.label,
      }),
      threshold: options.percent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: rateEvaluationPeriods,
      datapointsToAlarm: rateDatapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description: options.description,
      anchor: options.anchor,
    });
  }

  private alarm(
    name: string,
    options: {
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      treatMissingData: TreatMissingData;
      description: string;
      anchor: string;
    },
  ): Alarm {
    const { description, anchor, metric, ...rest } = options;
    const alarm = new Alarm(this, name, {
      ...rest,
      metric,
      alarmName: `${this.namePrefix}-${name}`,
      alarmDescription: `${description} Runbook: ${runbook}#${anchor}`,
    });
    if (this.topic) {
      const action = new SnsAction(this.topic);
      alarm.addAlarmAction(action);
      // The recovery too, so nobody keeps working an alarm that has cleared.
      alarm.addOkAction(action);
    }
    this.created.push(alarm);
    return alarm;
  }
}
