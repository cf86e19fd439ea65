/**
 * The cdk-nag (AwsSolutions) findings this stack accepts, each on the narrowest construct it
 * applies to and each with its reason. Everything cdk-nag raised that could be fixed was fixed
 * instead (own execution roles rather than AWSLambdaBasicExecutionRole, Node.js 24, access
 * logs, TLS-only buckets, Step Functions logging and tracing); what is left is below.
 *
 * cdk-nag 3 reads acknowledgements from CDK's `Validations.of(construct).acknowledge()`; an IAM5
 * finding is acknowledged per wildcard (`AwsSolutions-IAM5[Action::s3:List*]`), so a new wildcard
 * that nobody reviewed still fails the synth.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { FunctionAccess, UploadFunction } from './upload-function.js';
import type { UploadStack } from './upload-stack.js';

const xrayReason =
  'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
  'resource-level permissions, so their statement must name Resource "*" (AWS X-Ray IAM docs).';

const bucketActionReasons: Record<string, string> = {
  's3:GetObject*':
    'Granted by bucket.grantRead: GetObject plus its version, ACL, tagging and attributes reads on the ' +
    'upload bucket only; the function reads chunks or assembled files it is configured for.',
  's3:GetBucket*':
    'Granted by bucket.grantRead: bucket-level reads (location, versioning, policy status) of the upload ' +
    'bucket only, which the SDK may need; no other bucket is named.',
  's3:List*':
    'Granted by bucket.grantRead: listing the upload bucket (chunk and multipart part listings) is part ' +
    'of reading it; scoped to the upload bucket ARN.',
  's3:Abort*':
    'Granted by bucket.grantPut/grantReadWrite: s3:AbortMultipartUpload, the only Abort action, so a ' +
    'failed multipart assembly or write can be cleaned up; scoped to objects of the upload bucket.',
  's3:DeleteObject*':
    'Granted by bucket.grantReadWrite: deleting chunks and staging objects after publish or abort is the ' +
    'function’s job; DeleteObject* adds only version and tagging deletes, on the upload bucket only.',
};

const bucketActionsByAccess: Record<FunctionAccess['bucket'], readonly string[]> = {
  none: [],
  read: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
  write: ['s3:Abort*'],
  readWrite: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'],
};

/** The token cdk-nag prints for an attribute of a resource, e.g. `<StorageFiles48C02C92.Arn>`. */
function attributeRef(element: IConstruct, attribute: string): string {
  const stack = Stack.of(element);
  const logicalId = stack.resolve(stack.getLogicalId(element as CfnElement)) as string;
  return `<${logicalId}.${attribute}>`;
}

function acknowledgeFunction(stack: UploadStack, fn: UploadFunction): void {
  const bucketObjects = `${attributeRef(stack.bucket.node.defaultChild as IConstruct, 'Arn')}/*`;
  const role = Validations.of(fn.role);
  role.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: xrayReason });
  if (fn.access.bucket === 'none') return;
  role.acknowledge({
    id: `AwsSolutions-IAM5[Resource::${bucketObjects}]`,
    reason:
      'Object-level S3 permissions name objects by key; upload ids are created at run time, so the ' +
      'grant covers the objects of this one bucket (uploads/, staging/, completed/) and no other.',
  });
  for (const action of bucketActionsByAccess[fn.access.bucket]) {
    role.acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: bucketActionReasons[action] ?? '',
    });
  }
}

/** Records the accepted findings on the stack's constructs. Called by {@link UploadStack}. */
export function acknowledgeNagFindings(stack: UploadStack): void {
  // No authorizer yet: authentication is planned in a later issue.
  Validations.of(stack.httpApi).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      'The API has no authorizer yet: authentication is planned in a later issue. Until then every ' +
      'route is reachable by anyone with the URL; the stage throttles requests and each upload is only ' +
      'reachable through its random upload id.',
  });

  for (const fn of [...Object.values(stack.routeFunctions), ...Object.values(stack.taskFunctions)]) {
    acknowledgeFunction(stack, fn);
  }

  const stateMachineRole = Validations.of(stack.stateMachine.role);
  stateMachineRole.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'The state machine role needs X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, ' +
      'GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended log delivery (logs:CreateLogDelivery ' +
      'and friends); neither supports resource-level permissions, so these statements name "*".',
  });
  for (const [name, fn] of Object.entries(stack.taskFunctions)) {
    stateMachineRole.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${attributeRef(fn.function.node.defaultChild as IConstruct, 'Arn')}:*]`,
      reason:
        `LambdaInvoke grants lambda:InvokeFunction on the ${name} function and its qualified ARNs ` +
        '(versions and aliases, "<arn>:*"); the wildcard is limited to that one function.',
    });
  }
}
