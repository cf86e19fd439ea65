/**
 * S3 permissions by object key pattern: each request type of a function's `BucketAccess`
 * (`lambdas/routes.ts`) becomes one statement with exactly the IAM action S3 authorizes that
 * request with, on the patterns listed and nothing else.
 *
 * Why not `bucket.grantRead`/`grantPut`/`grantDelete` with a key pattern: they add actions the
 * functions never use, and `grantRead` adds its listing on the whole bucket ARN whatever the
 * pattern:
 * - `grantRead`: `s3:GetObject*`, plus `s3:GetBucket*` and `s3:List*` on the bucket, so every
 *   reader could list every key of every upload (and a prefix-limited `s3:ListBucket`, below,
 *   would be pointless);
 * - `grantPut`: `s3:PutObject` plus Object Lock and tagging puts and `s3:Abort*`;
 * - `grantDelete`: `s3:DeleteObject*`, including version and tagging deletes.
 * Each of those wildcards would be one more acknowledged cdk-nag IAM5 finding; the exact actions
 * leave only the key patterns themselves to acknowledge.
 *
 * A bucket encrypted with SSE-S3 needs no key permissions. With a customer-managed KMS key
 * (`customerManagedKey`), reads need `kms:Decrypt` and writes `kms:GenerateDataKey` plus
 * `kms:Decrypt` (a multipart upload decrypts its parts' data keys at completion); both are granted
 * on that one key, only to functions that read or write objects.
 */
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { BucketAccess } from '../lambdas/routes.js';

/** The IAM action S3 authorizes each object request type of `BucketAccess` with. */
export const objectActions = {
  read: 's3:GetObject',
  put: 's3:PutObject',
  abortMultipartUpload: 's3:AbortMultipartUpload',
  delete: 's3:DeleteObject',
} as const satisfies Record<Exclude<keyof BucketAccess, 'list'>, string>;

type ObjectRequest = keyof typeof objectActions;

const objectRequests = Object.keys(objectActions) as ObjectRequest[];

/** Every object key pattern the access names, with the object actions granted on it. */
export function objectActionsByPattern(access: BucketAccess): Map<string, string[]> {
  const byPattern = new Map<string, string[]>();
  for (const request of objectRequests) {
    for (const pattern of access[request] ?? []) {
      byPattern.set(pattern, [...(byPattern.get(pattern) ?? []), objectActions[request]]);
    }
  }
  return byPattern;
}

/** Grants `grantee` exactly the S3 requests `access` lists, on the key patterns it lists. */
export function grantBucketAccess(bucket: IBucket, grantee: IGrantable, access: BucketAccess): void {
  const key = bucket.encryptionKey;
  if (key !== undefined) {
    if ((access.put ?? []).length > 0) key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    else if ((access.read ?? []).length > 0) key.grant(grantee, 'kms:Decrypt');
  }
  for (const request of objectRequests) {
    const patterns = access[request] ?? [];
    if (patterns.length === 0) continue;
    Grant.addToPrincipal({
      grantee,
      actions: [objectActions[request]],
      resourceArns: patterns.map((pattern) => bucket.arnForObjects(pattern)),
    });
  }
  const listed = access.list ?? [];
  if (listed.length > 0) {
    // S3 decides between 404 and 403 for a missing key by asking whether the caller may list it,
    // with the key as `s3:prefix`; a real ListObjects call must name a prefix under these too.
    Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [...listed] } },
    });
  }
}
