/**
 * Where uploads live: one DynamoDB table (a session item plus one item per received chunk,
 * see `lambdas/core/keys.ts` and the session repository) and one S3 bucket for the bytes,
 * whose server access logs go to a separate, equally hardened log bucket.
 *
 * Both data stores are retained when the stack is deleted: they hold users' files and the
 * record of what happened to them.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface UploadStorageProps {
  /** Days after which chunks under `uploads/` are removed (session TTL in days, plus one). */
  readonly chunkExpirationDays: number;
  /**
   * Encrypt the file bucket and the table with a customer-managed key the construct creates.
   * @default false - SSE-S3 and the AWS-managed DynamoDB key
   */
  readonly customerManagedKey?: boolean;
}

/** Days after which assembly leftovers under `staging/` are removed. */
export const stagingExpirationDays = 30;
/** Days server access logs are kept. */
export const accessLogExpirationDays = 365;

/** The session table, the file bucket and its access log bucket. */
export class UploadStorage extends Construct {
  /**
   * Sessions and chunk records: partition key `pk`, sort key `sk`, TTL attribute `ttl`, and a
   * stream of old images (`session-removed-events.ts`).
   */
  public readonly table: Table;
  /** Chunks (`uploads/`), assembly (`staging/`) and published files (`completed/`). */
  public readonly bucket: Bucket;
  /** Receives the file bucket's server access logs. */
  public readonly accessLogBucket: Bucket;
  /** The customer-managed key of the file bucket and the table, when one was asked for. */
  public readonly encryptionKey?: Key;

  constructor(scope: Construct, id: string, props: UploadStorageProps) {
    super(scope, id);

    if (props.customerManagedKey) {
      this.encryptionKey = new Key(this, 'DataKey', {
        description: 'Encrypts uploaded files and upload sessions',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }

    this.table = new Table(this, 'Sessions', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // DynamoDB TTL removes expired sessions and chunk records eventually (within days); the
      // code checks the expiry timestamp itself and never relies on the item being gone.
      timeToLiveAttribute: 'ttl',
      // Old images only: the one reader (`SessionRemovedEvents`) needs what a TTL delete removed,
      // to publish `Upload Expired` for an upload that expired unseen (docs/events.md).
      stream: StreamViewType.OLD_IMAGE,
      ...(this.encryptionKey
        ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: this.encryptionKey }
        : { encryption: TableEncryption.AWS_MANAGED }),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging delivers only to buckets encrypted with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: Duration.days(accessLogExpirationDays) },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // With a customer-managed key, an S3 Bucket Key keeps KMS requests (and their cost) per
      // object instead of per request; the functions' grants name the key (`bucket-access.ts`).
      ...(this.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: this.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'files/',
      lifecycleRules: [
        {
          // Cleans up behind the session expiry: a chunk outlives its session by at most a day.
          id: 'ExpireChunks',
          prefix: 'uploads/',
          expiration: Duration.days(props.chunkExpirationDays),
        },
        {
          // Assembly output that was never published (rejected or failed workflows).
          id: 'ExpireStaging',
          prefix: 'staging/',
          expiration: Duration.days(stagingExpirationDays),
        },
        {
          // A failed assembly leaves a multipart upload whose parts are billed until aborted.
          id: 'AbortIncompleteMultipartUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
