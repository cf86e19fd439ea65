/**
 * Downstream systems: the stack's own EventBridge bus (every final state of an upload is one
 * event on it, see `docs/events.md`), the fine-tuning jobs queue with its dead-letter queue (or
 * an Amazon Bedrock model customization job), and the data-curation webhook's secret. Functions
 * get exactly what their table entry asks for: `publishesEvents` -> events:PutEvents on this bus;
 * `notifiesDownstream` -> sqs:SendMessage on this queue (or bedrock:CreateModelCustomizationJob
 * and iam:PassRole of the one Bedrock role) and reading the one webhook secret.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventSource } from '../lambdas/core/downstream/upload-events.js';
import { grantBucketAccess } from './bucket-access.js';
import type { DownstreamSettings } from './downstream-props.js';
import type { UploadFunction } from './upload-function.js';

export interface DownstreamConstructProps {
  readonly settings: DownstreamSettings;
  readonly bucket: IBucket;
}

/** A job message that failed this many receives moves to the dead-letter queue. */
export const fineTuningMaxReceiveCount = 5;

export class Downstream extends Construct {
  /** The bus every upload event is published on; subscribe with ordinary rules. */
  public readonly eventBus: EventBus;
  /** Fine-tuning jobs, one message per dataset (when the target is `sqs`). */
  public readonly fineTuningQueue?: Queue;
  /** Job messages no consumer could handle. */
  public readonly fineTuningDeadLetterQueue?: Queue;
  /** The data-curation webhook's signing secret (when a webhook is configured). */
  public readonly curationWebhookSecret?: ISecret;
  /** The Bedrock service role, granted read access to published files (when the target is `bedrock`). */
  public readonly bedrockRole?: ReturnType<typeof Role.fromRoleArn>;
  private readonly settings: DownstreamSettings;
  /** Functions given the Bedrock grants, whose wildcards are acknowledged for cdk-nag. */
  private readonly bedrockCallers: UploadFunction[] = [];

  constructor(scope: Construct, id: string, props: DownstreamConstructProps) {
    super(scope, id);
    this.settings = props.settings;

    this.eventBus = new EventBus(this, 'EventBus', {
      description: `Upload events (source ${eventSource}): one per final state of every upload`,
    });
    // Thirty days of events can be replayed to a new or repaired subscriber.
    this.eventBus.archive('Archive', {
      description: 'Every upload event, for replay',
      eventPattern: { source: [eventSource] },
      retention: Duration.days(30),
    });

    if (props.settings.fineTuningTarget === 'sqs') {
      this.fineTuningDeadLetterQueue = new Queue(this, 'FineTuningJobsDeadLetter', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.fineTuningDeadLetterQueue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is the dead-letter queue of the fine-tuning jobs queue: it is where messages end after ' +
          `${fineTuningMaxReceiveCount} failed receives, kept 14 days for an operator; a redrive policy of its own would only move them again.`,
      });
      this.fineTuningQueue = new Queue(this, 'FineTuningJobs', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        // A training job takes a while to start; a consumer extends this per message if it needs more.
        visibilityTimeout: Duration.minutes(15),
        deadLetterQueue: {
          queue: this.fineTuningDeadLetterQueue,
          maxReceiveCount: fineTuningMaxReceiveCount,
        },
      });
    }

    const bedrock = props.settings.bedrockFineTuning;
    if (bedrock) {
      // Bedrock reads the training data as this role: published files only, never chunks or staging.
      this.bedrockRole = Role.fromRoleArn(this, 'BedrockRole', bedrock.roleArn, { mutable: true });
      grantBucketAccess(props.bucket, this.bedrockRole, { read: ['completed/*'] });
    }

    const webhook = props.settings.curationWebhook;
    if (webhook) {
      this.curationWebhookSecret = Secret.fromSecretCompleteArn(
        this,
        'CurationWebhookSecret',
        webhook.secretArn,
      );
    }
  }

  /** events:PutEvents on this bus only. */
  public grantPublish(fn: UploadFunction): void {
    this.eventBus.grantPutEventsTo(fn.role);
  }

  /** What re-sending or sending notifications needs: the target, the secret, and their settings. */
  public connectNotifier(fn: UploadFunction, environment: Record<string, string> = {}): void {
    const { fineTuningTarget, bedrockFineTuning, curationWebhook } = this.settings;
    const env: Record<string, string> = { FINE_TUNING_TARGET: fineTuningTarget, ...environment };
    if (this.fineTuningQueue) {
      this.fineTuningQueue.grantSendMessages(fn.role);
      env.FINE_TUNING_QUEUE_URL = this.fineTuningQueue.queueUrl;
    }
    if (bedrockFineTuning) {
      const stack = Stack.of(this);
      const arn = (resource: string, account = stack.account) =>
        stack.formatArn({ service: 'bedrock', account, resource, resourceName: '*' });
      const baseModel = bedrockFineTuning.baseModelIdentifier.startsWith('arn:')
        ? bedrockFineTuning.baseModelIdentifier
        : stack.formatArn({
            service: 'bedrock',
            account: '',
            resource: 'foundation-model',
            resourceName: bedrockFineTuning.baseModelIdentifier,
          });
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['bedrock:CreateModelCustomizationJob'],
          resources: [arn('model-customization-job'), arn('custom-model'), baseModel],
        }),
      );
      this.bedrockCallers.push(fn);
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [bedrockFineTuning.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        }),
      );
      Object.assign(env, {
        BEDROCK_BASE_MODEL: bedrockFineTuning.baseModelIdentifier,
        BEDROCK_ROLE_ARN: bedrockFineTuning.roleArn,
        BEDROCK_OUTPUT_S3_URI: bedrockFineTuning.outputS3Uri,
        BEDROCK_HYPERPARAMETERS: JSON.stringify(bedrockFineTuning.hyperParameters ?? {}),
        BEDROCK_CUSTOM_MODEL_PREFIX: bedrockFineTuning.customModelNamePrefix ?? 'upload',
      });
    }
    if (curationWebhook && this.curationWebhookSecret) {
      this.curationWebhookSecret.grantRead(fn.role);
      Object.assign(env, {
        CURATION_WEBHOOK_URL: curationWebhook.url,
        CURATION_WEBHOOK_SECRET_ARN: this.curationWebhookSecret.secretArn,
        CURATION_WEBHOOK_MAX_ATTEMPTS: String(curationWebhook.maxAttempts),
      });
    }
    for (const [name, value] of Object.entries(env)) fn.function.addEnvironment(name, value);
  }

  /**
   * cdk-nag AwsSolutions-IAM5 findings of the Bedrock grants, each with its reason (called by
   * `nag-acknowledgements.ts`). Nothing to acknowledge for the bus, queue or secret: their grants
   * name the one resource.
   */
  public acknowledgeNagFindings(bucketArnRef: string): void {
    for (const fn of this.bedrockCallers) {
      const role = Validations.of(fn.role);
      for (const resource of ['model-customization-job', 'custom-model']) {
        role.acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:${resource}/*]`,
          reason:
            `bedrock:CreateModelCustomizationJob (the only action) authorizes against the ${resource} it creates, ` +
            'whose ARN carries an id Bedrock assigns at run time, so the grant names this account and region with "*"; ' +
            'iam:PassRole is limited to the one configured role and to bedrock.amazonaws.com.',
        });
      }
    }
    const policy = this.bedrockRole?.node.tryFindChild('Policy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketArnRef}/completed/*]`,
        reason:
          'The Bedrock service role may s3:GetObject (only that action) on completed/* of the upload bucket: ' +
          'the published files completed/{uploadId}/{filename} a customization job trains on, whose keys hold upload ids created at run time.',
      });
    }
  }
}
