/**
 * The whole system in one stack: storage (DynamoDB + S3), the completion workflow (Step
 * Functions + task functions), the HTTP API (API Gateway + route functions), and the CloudWatch
 * alarms and dashboard that watch them.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { routes } from '../lambdas/routes.js';
import { type WorkflowTaskName, workflowTasks } from '../lambdas/workflow/tasks.js';
import { CompletionWorkflow } from './completion-workflow.js';
import { Downstream } from './downstream.js';
import {
  type DownstreamProps,
  type DownstreamSettings,
  resolveDownstreamSettings,
} from './downstream-props.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { SessionRemovedEvents } from './session-removed-events.js';
import { UploadAlarms } from './upload-alarms.js';
import {
  type AlarmNotificationProps,
  type AlarmNotificationSettings,
  resolveAlarmNotificationSettings,
} from './upload-alarms-props.js';
import { UploadApi } from './upload-api.js';
import { UploadAuth } from './upload-auth.js';
import { UploadDashboard } from './upload-dashboard.js';
import type { UploadFunction } from './upload-function.js';
import {
  resolveUploadSettings,
  type UploadSettings,
  type UploadSettingsProps,
} from './upload-stack-props.js';
import { UploadStorage } from './upload-storage.js';
import { VirusDefinitions } from './virus-definitions.js';

export { UploadStackPropsError } from './upload-stack-props.js';

/** Properties of {@link UploadStack}: the stack's own settings plus the usual stack properties. */
export interface UploadStackProps
  extends StackProps,
    UploadSettingsProps,
    DownstreamProps,
    AlarmNotificationProps {}

/** The resumable upload API with its storage and completion workflow. */
export class UploadStack extends Stack {
  /** The validated settings the functions are configured with. */
  public readonly settings: UploadSettings;
  /** The validated downstream settings (fine-tuning target, curation webhook). */
  public readonly downstreamSettings: DownstreamSettings;
  /** The event bus, fine-tuning jobs queue and webhook secret (`docs/events.md`). */
  public readonly downstream: Downstream;
  /** The stack's own bus: one event per final state of every upload. */
  public readonly eventBus: EventBus;
  public readonly storage: UploadStorage;
  /** Sessions and chunk records. */
  public readonly table: Table;
  /** Chunks, assembly and published files. */
  public readonly bucket: Bucket;
  /** The API's authorizer (and the Cognito user pool when the stack creates one). */
  public readonly auth: UploadAuth;
  public readonly api: UploadApi;
  public readonly httpApi: HttpApi;
  public readonly workflow: CompletionWorkflow;
  /** The completion workflow. */
  public readonly stateMachine: StateMachine;
  /** The route functions, by route id (`lambdas/routes.ts`). */
  public readonly routeFunctions: Readonly<Record<string, UploadFunction>>;
  /** The workflow task functions, by state name (`lambdas/workflow/tasks.ts`). */
  public readonly taskFunctions: Readonly<Record<WorkflowTaskName, UploadFunction>>;
  /** freshclam on a schedule, keeping ClamAV's signatures in the bucket for `ScanForMalware`. */
  public readonly virusDefinitions: VirusDefinitions;
  /** `Upload Expired` for sessions DynamoDB TTL deleted unseen, from the table's stream. */
  public readonly sessionRemovedEvents: SessionRemovedEvents;
  /**
   * Every Lambda function, by route id, state name, `UpdateVirusDefinitions` or
   * `SessionRemovedEvents` (never the same name twice).
   */
  public readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** Where alarm notifications go (`alarmEmail`, `alarmTopicArn`). */
  public readonly alarmNotifications: AlarmNotificationSettings;
  /** The CloudWatch alarms (docs/operations.md) and, with `alarmEmail`, their topic. */
  public readonly alarms: UploadAlarms;
  /** The `<stack name>-Operations-<region>` CloudWatch dashboard. */
  public readonly dashboard: UploadDashboard;

  constructor(scope: Construct, id: string, props: UploadStackProps = {}) {
    super(scope, id, props);
    // Before any construct exists: a bad prop fails with its name, not half a stack later.
    this.settings = resolveUploadSettings(props);
    this.downstreamSettings = resolveDownstreamSettings(props);
    this.alarmNotifications = resolveAlarmNotificationSettings(props);
    const settings = this.settings;

    this.storage = new UploadStorage(this, 'Storage', {
      chunkExpirationDays: settings.chunkExpirationDays,
      customerManagedKey: settings.customerManagedKey,
    });
    this.table = this.storage.table;
    this.bucket = this.storage.bucket;
    this.downstream = new Downstream(this, 'Downstream', {
      settings: this.downstreamSettings,
      bucket: this.bucket,
    });
    this.eventBus = this.downstream.eventBus;

    // The variables `lambdas/runtime/config.ts` reads; STATE_MACHINE_ARN is added for the routes
    // that start the workflow or describe its executions only.
    const environment = {
      TABLE_NAME: this.table.tableName,
      BUCKET_NAME: this.bucket.bucketName,
      CHUNK_SIZE: String(settings.chunkSizeBytes),
      MAX_UPLOAD_SIZE: String(settings.maxUploadSizeBytes),
      SESSION_TTL_HOURS: String(settings.sessionTtlHours),
      COMPLETE_WAIT_SECONDS: String(settings.completeWaitSeconds),
      RESULT_RETENTION_DAYS: String(settings.resultRetentionDays),
      PII_POLICY: settings.piiPolicy,
      SECRETS_POLICY: settings.secretsPolicy,
      UNSCANNABLE_POLICY: settings.unscannablePolicy,
      MALWARE_UNSCANNED_POLICY: settings.malwareUnscannedPolicy,
      COMPREHEND_PII: settings.comprehendPii,
      MAX_OPEN_UPLOADS_PER_OWNER: String(settings.maxOpenUploadsPerOwner),
      MAX_CHUNK_COUNT: String(settings.maxChunkCount),
      MAX_REQUEST_BODY_SIZE: String(settings.maxRequestBodyBytes),
      EVENT_BUS_NAME: this.eventBus.eventBusName,
    };

    this.workflow = new CompletionWorkflow(this, 'Workflow', {
      table: this.table,
      bucket: this.bucket,
      environment,
      comprehendPii: settings.comprehendPii === 'sample',
    });
    this.stateMachine = this.workflow.stateMachine;
    this.taskFunctions = this.workflow.functions;
    this.virusDefinitions = new VirusDefinitions(this, 'VirusDefinitions', {
      table: this.table,
      bucket: this.bucket,
      environment,
    });

    this.sessionRemovedEvents = new SessionRemovedEvents(this, 'ExpiryEvents', {
      table: this.table,
      bucket: this.bucket,
      environment,
    });
    this.downstream.grantPublish(this.sessionRemovedEvents.handler);

    this.auth = new UploadAuth(this, 'Auth', { settings: settings.auth });
    this.api = new UploadApi(this, 'Api', {
      authorizer: this.auth.authorizer,
      corsAllowedOrigins: settings.corsAllowedOrigins,
      routeThrottles: {
        InitUpload: {
          rateLimit: settings.initThrottleRateLimitPerSecond,
          burstLimit: settings.initThrottleBurstLimitRequests,
        },
      },
      table: this.table,
      bucket: this.bucket,
      stateMachine: this.stateMachine,
      environment,
      throttleRateLimitPerSecond: settings.throttleRateLimitPerSecond,
      throttleBurstLimitRequests: settings.throttleBurstLimitRequests,
    });
    this.httpApi = this.api.httpApi;
    this.routeFunctions = this.api.functions;
    this.functions = Object.fromEntries(
      [
        ...Object.entries(this.routeFunctions),
        ...Object.entries(this.taskFunctions),
        ['UpdateVirusDefinitions', this.virusDefinitions.updater] as const,
        ['SessionRemovedEvents', this.sessionRemovedEvents.handler] as const,
      ].map(([name, fn]) => [name, fn.function]),
    );

    // Events and notifications: each function gets what its table entry asks for, nothing more.
    for (const [name, task] of Object.entries(workflowTasks)) {
      const fn = this.taskFunctions[name as WorkflowTaskName];
      if ('publishesEvents' in task && task.publishesEvents) this.downstream.grantPublish(fn);
      if ('notifiesDownstream' in task && task.notifiesDownstream) this.downstream.connectNotifier(fn);
    }
    for (const route of routes) {
      const fn = this.routeFunctions[route.id];
      if (!fn) continue;
      if (route.access.publishesEvents) this.downstream.grantPublish(fn);
      // Within API Gateway's 30 s: four attempts of at most 5 s each plus 7 s of backoff.
      if (route.access.notifiesDownstream) {
        this.downstream.connectNotifier(fn, { CURATION_WEBHOOK_TIMEOUT_MS: '5000' });
      }
    }

    // The updater has an alarm of its own: one failed run is superseded by the next (upload-alarms.ts).
    const watchedFunctions = Object.fromEntries(
      Object.entries(this.functions).filter(([, fn]) => fn !== this.virusDefinitions.updater.function),
    );
    this.alarms = new UploadAlarms(this, 'Alarms', {
      notifications: this.alarmNotifications,
      stateMachine: this.stateMachine,
      httpApi: this.httpApi,
      functions: watchedFunctions,
      virusDefinitionsUpdater: this.virusDefinitions.updater.function,
      expiryFailureQueue: this.sessionRemovedEvents.failureQueue,
      ...(this.downstream.fineTuningDeadLetterQueue
        ? { fineTuningDeadLetterQueue: this.downstream.fineTuningDeadLetterQueue }
        : {}),
    });
    this.dashboard = new UploadDashboard(this, 'Dashboard', {
      alarms: this.alarms,
      httpApi: this.httpApi,
      stateMachine: this.stateMachine,
      functions: this.functions,
      expiryFailureQueue: this.sessionRemovedEvents.failureQueue,
      ...(this.downstream.fineTuningQueue ? { fineTuningQueue: this.downstream.fineTuningQueue } : {}),
      ...(this.downstream.fineTuningDeadLetterQueue
        ? { fineTuningDeadLetterQueue: this.downstream.fineTuningDeadLetterQueue }
        : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the upload API' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Upload bucket' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'Session table' });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.stateMachine.stateMachineArn,
      description: 'Completion workflow',
    });

    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: 'Upload events (source resumable-upload); subscribe with EventBridge rules',
    });
    if (this.downstream.fineTuningQueue) {
      new CfnOutput(this, 'FineTuningJobsQueueUrl', {
        value: this.downstream.fineTuningQueue.queueUrl,
        description: 'One message per fine-tuning dataset; the message id is downstreamJobId',
      });
    }

    new CfnOutput(this, 'UpdateVirusDefinitionsCommand', {
      value: `aws lambda invoke --invocation-type Event --function-name ${this.virusDefinitions.updater.function.functionName} /dev/null`,
      description:
        'Run once after the first deployment: loads the ClamAV signatures (then every 6 hours on schedule). Until then uploads are quarantined as not scanned.',
    });

    new CfnOutput(this, 'DashboardName', {
      value: this.dashboard.dashboard.dashboardName,
      description: 'CloudWatch dashboard: alarm states, API, workflow, queues, function errors',
    });
    if (this.alarms.topic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.alarms.topic.topicArn,
        description: 'SNS topic every alarm and recovery is sent to (docs/operations.md)',
      });
    }

    acknowledgeNagFindings(this);
  }
}
