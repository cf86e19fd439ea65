/**
 * `Upload Expired` for uploads that expire untouched (AWS): the sessions table's stream (old
 * images) feeds one function, `SessionRemovedEvents` (`lambdas/streams/session-removed.ts`),
 * through an event source mapping whose filter passes only what can still owe an event: REMOVE
 * records written by DynamoDB TTL itself (`userIdentity` the DynamoDB service) of session items
 * whose last state was `uploading` (expired unseen) or `expired` / `aborted` with no event marked
 * published. Everything else (chunk items, completed uploads, application deletes, every INSERT
 * and MODIFY) never invokes the function; the handler checks the same again.
 *
 * When: DynamoDB TTL deletes an item some time after its `ttl` (AWS promises "within a few
 * days"; in practice usually within about 48 hours). An open session's `ttl` is its
 * `expiresAt` plus a 7-day grace (`core/init-upload.ts`, so `status` keeps answering 410), so the
 * event comes about 7 to 9 days after the upload expired, with `occurredAt` = `expiresAt`.
 *
 * Failures: the function reports the failing record (`ReportBatchItemFailures`), the mapping halves
 * a failing batch (`bisectBatchOnError`) and retries it up to {@link maxRetryAttempts} times within
 * {@link maxRecordAgeHours} hours, then sends the records' description (shard, sequence numbers,
 * not the images) to the `SessionRemovedEventsFailures` queue, kept 14 days. The stream keeps
 * records 24 hours, so an operator re-reads the sessions from there with the table's point-in-time
 * recovery (the items are deleted) and publishes by hand (docs/events.md).
 */
import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { UploadFunction } from './upload-function.js';

/** Retries of a failing batch before its records go to the failure queue. */
export const maxRetryAttempts = 10;
/** Records older than this are not retried any more (the stream keeps records 24 hours). */
export const maxRecordAgeHours = 12;

/** The principal of a stream record written by TTL (`lambdas/adapters/dynamodb-stream-records.ts`). */
const ttlPrincipal = 'dynamodb.amazonaws.com';

/**
 * The event source mapping's filter (Lambda event filtering, EventBridge pattern syntax on the
 * stream record). `publishedEvents` when present is a list of strings (`{"L": [{"S": …}]}`): the
 * `exists: false` test is on its leaf strings, so an absent or empty list passes and a list with
 * an event id does not (a filter test on the list node itself would not work: `exists` matches
 * leaf values only).
 */
export const sessionRemovedFilter = {
  eventName: FilterRule.isEqual('REMOVE'),
  userIdentity: { type: FilterRule.isEqual('Service'), principalId: FilterRule.isEqual(ttlPrincipal) },
  dynamodb: {
    Keys: { sk: { S: FilterRule.isEqual('SESSION') } },
    OldImage: {
      state: { S: FilterRule.or('uploading', 'expired', 'aborted') },
      publishedEvents: { L: { S: FilterRule.notExists() } },
    },
  },
};

export interface SessionRemovedEventsProps {
  /** The sessions table; it must have a stream with old images (`UploadStorage` enables it). */
  readonly table: Table;
  readonly bucket: IBucket;
  /** The configuration variables every function gets (`lambdas/runtime/config.ts`). */
  readonly environment: Readonly<Record<string, string>>;
}

export class SessionRemovedEvents extends Construct {
  public readonly handler: UploadFunction;
  /** Where the description of records that failed every retry goes. */
  public readonly failureQueue: Queue;
  public readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: SessionRemovedEventsProps) {
    super(scope, id);
    this.handler = new UploadFunction(this, 'SessionRemovedEvents', {
      entry: 'lambdas/streams/session-removed.ts',
      description: 'Publishes Upload Expired for sessions DynamoDB TTL deleted before anyone noticed.',
      timeoutSeconds: 30,
      memoryMiB: 256,
      // Nothing in the table or bucket: it reads the stream (granted by the event source) and
      // publishes on the bus (granted by the stack).
      access: { table: 'none', bucket: {} },
      table: props.table,
      bucket: props.bucket,
      environment: props.environment,
    });
    this.failureQueue = new Queue(this, 'SessionRemovedEventsFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: maxRetryAttempts,
      maxRecordAge: Duration.hours(maxRecordAgeHours),
      onFailure: new SqsDlq(this.failureQueue),
      filters: [FilterCriteria.filter(sessionRemovedFilter)],
    });
    this.handler.function.addEventSource(this.eventSource);
  }
}
