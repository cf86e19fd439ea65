/**
 * One CloudWatch dashboard, `<stack name>-Operations-<region>` (dashboard names are unique per
 * account across regions, so the region keeps two deployments apart): the state of every alarm of `upload-alarms.ts`
 * on top, then the traffic behind them (API requests and errors, workflow executions, the queues,
 * function errors). Under 50 metrics, so it is within CloudWatch's free dashboards (three per account).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AlarmStatusWidget, Dashboard, GraphWidget, type IMetric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmPeriod, type UploadAlarms } from './upload-alarms.js';

export interface UploadDashboardProps {
  readonly alarms: UploadAlarms;
  readonly httpApi: IHttpApi;
  readonly stateMachine: IStateMachine;
  /** Every function, by name; their errors share one graph. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly fineTuningQueue?: IQueue;
  readonly fineTuningDeadLetterQueue?: IQueue;
  readonly expiryFailureQueue: IQueue;
}

export class UploadDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: UploadDashboardProps) {
    super(scope, id);
    const sum = { period: alarmPeriod, statistic: Stats.SUM };
    const visible = (queue: IQueue, label: string) =>
      queue.metricApproximateNumberOfMessagesVisible({
        period: alarmPeriod,
        statistic: Stats.MAXIMUM,
        label,
      });

    const queues: IMetric[] = [visible(props.expiryFailureQueue, 'Expiry event failures')];
    if (props.fineTuningQueue) queues.unshift(visible(props.fineTuningQueue, 'Fine-tuning jobs'));
    if (props.fineTuningDeadLetterQueue) {
      queues.push(visible(props.fineTuningDeadLetterQueue, 'Fine-tuning jobs dead-letter'));
    }

    const stack = Stack.of(this);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-Operations-${stack.region}`,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new AlarmStatusWidget({
            title: 'Alarms (runbook: docs/operations.md)',
            alarms: [...props.alarms.alarms],
            width: 24,
            height: 6,
          }),
        ],
        [
          new GraphWidget({
            title: 'API requests and errors',
            left: [
              props.httpApi.metricCount({ ...sum, label: 'Requests' }),
              props.httpApi.metricClientError({ ...sum, label: '4xx' }),
              props.httpApi.metricServerError({ ...sum, label: '5xx' }),
            ],
            right: [
              props.httpApi.metricLatency({
                period: alarmPeriod,
                statistic: Stats.p(99),
                label: 'p99 latency (ms)',
              }),
            ],
            width: 8,
          }),
          new GraphWidget({
            title: 'Completion workflow executions',
            left: [
              props.stateMachine.metricStarted({ ...sum, label: 'Started' }),
              props.stateMachine.metricSucceeded({ ...sum, label: 'Succeeded' }),
              props.stateMachine.metricFailed({ ...sum, label: 'Failed' }),
              props.stateMachine.metricTimedOut({ ...sum, label: 'Timed out' }),
            ],
            width: 8,
          }),
          new GraphWidget({ title: 'Queues (messages visible)', left: queues, width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: Object.entries(props.functions).map(([name, fn]) =>
              fn.metricErrors({ ...sum, label: name }),
            ),
            stacked: true,
            width: 24,
          }),
        ],
      ],
    });
  }
}
