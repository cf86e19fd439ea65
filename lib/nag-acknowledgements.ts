/**
 * The cdk-nag (AwsSolutions) findings this stack accepts, each on the narrowest construct it
 * applies to and each with its reason. Everything cdk-nag raised that could be fixed was fixed
 * instead (own execution roles rather than AWSLambdaBasicExecutionRole, Node.js 24, access
 * logs, TLS-only buckets, Step Functions logging and tracing); what is left is below.
 *
 * cdk-nag 3 reads acknowledgements from CDK's `Validations.of(construct).acknowledge()`; an IAM5
 * finding is acknowledged per wildcard (`AwsSolutions-IAM5[Resource::<FilesArn>/uploads/*]`), so a
 * new wildcard that nobody reviewed still fails the synth. The S3 grants name exact actions
 * (`bucket-access.ts`), so no `Action::s3:...*` finding is left to acknowledge.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { routes } from '../lambdas/routes.js';
import { objectActionsByPattern } from './bucket-access.js';
import type { UploadFunction } from './upload-function.js';
import type { UploadStack } from './upload-stack.js';

const xrayReason =
  'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
  'resource-level permissions, so their statement must name Resource "*" (AWS X-Ray IAM docs).';

/**
 * What lives under each object key pattern a function may be granted, for the reasons below. A
 * pattern not described here is not acknowledged, so a new one fails the synth until reviewed.
 */
const keyPatternContents: Readonly<Record<string, string>> = {
  'uploads/*': 'the chunk objects uploads/{uploadId}/{index}.chunk',
  'staging/*':
    'the assembled file staging/{uploadId}/{filename}, its part manifests staging/{uploadId}/.parts/{batch}.json and its analysis report staging/{uploadId}/.analysis.json',
  'staging/*/.analysis.json':
    'the analysis report staging/{uploadId}/.analysis.json of each assembled file, never the file itself (sanitized filenames never start with a dot)',
  'quarantine/*':
    'the files found dangerous quarantine/{uploadId}/{filename} and their reports, which no consumer reads',
  'completed/*':
    'the published files completed/{uploadId}/{filename} and their analysis reports completed/{uploadId}/.analysis.json',
  'completed/*/.analysis.json':
    'the analysis report completed/{uploadId}/.analysis.json of each published file, never the file itself (sanitized filenames never start with a dot)',
  'schemas/*':
    'the registered JSON Schemas schemas/{name}.json (documents teams register with PUT /api/schemas/{name}, no upload data)',
  'clamav/*':
    "ClamAV's signature database files clamav/{name}.cvd|.cld and their manifest clamav/manifest.json, written by freshclam (no upload data)",
};

/** What part of the keys under a pattern is only known at run time; upload ids unless named here. */
const runTimeKeyParts: Readonly<Record<string, string>> = {
  'schemas/*': 'schema names that teams choose when they register a schema',
  'clamav/*': 'the database file names freshclam downloads (main, daily, bytecode; .cvd or .cld)',
};

/** The token cdk-nag prints for an attribute of a resource, e.g. `<StorageFiles48C02C92.Arn>`. */
function attributeRef(element: IConstruct, attribute: string): string {
  const stack = Stack.of(element);
  const logicalId = stack.resolve(stack.getLogicalId(element as CfnElement)) as string;
  return `<${logicalId}.${attribute}>`;
}

/** Why a function has no dead-letter queue of its own: it is never invoked asynchronously with data. */
function dlqReason(stack: UploadStack, fn: UploadFunction, name: string): string {
  if (fn === stack.virusDefinitions.updater) {
    return (
      `${name} is invoked asynchronously by its schedule (every 6 hours by default) with an empty event: a failed run loses no data ` +
      'and is superseded by the next run; the failure is in its log group and its Errors metric, and until signatures exist scans fail closed.'
    );
  }
  if (fn === stack.sessionRemovedEvents.handler) {
    return (
      `${name} is invoked synchronously by its DynamoDB stream event source mapping, never asynchronously, so a ` +
      'function dead-letter queue would receive nothing; the mapping itself retries with bisection and sends the records that failed every retry to its on-failure SQS queue.'
    );
  }
  return (
    `${name} is only invoked synchronously (by API Gateway or by a Step Functions task), where the caller ` +
    'receives the error and retries or records it; a dead-letter queue only ever receives failed asynchronous invocations.'
  );
}

function acknowledgeFunction(stack: UploadStack, fn: UploadFunction, name: string): void {
  Validations.of(fn.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: dlqReason(stack, fn, name) });
  const bucketArn = attributeRef(stack.bucket.node.defaultChild as IConstruct, 'Arn');
  const role = Validations.of(fn.role);
  const comprehend = name === 'AnalyzeFile' && stack.settings.comprehendPii === 'sample';
  const streamReader = fn === stack.sessionRemovedEvents.handler;
  role.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: comprehend
      ? `${xrayReason} The same holds for comprehend:DetectPiiEntities, granted to ${name} because the stack enables Comprehend PII sampling (comprehendPii: sample).`
      : streamReader
        ? `${xrayReason} The same holds for dynamodb:ListStreams, which the event source mapping of ${name} needs and which has no resource-level permissions; reading records (DescribeStream, GetRecords, GetShardIterator) is granted on the sessions table's stream ARN only.`
        : xrayReason,
  });
  // One finding per key pattern: the actions are exact (see bucket-access.ts), only the keys are
  // wildcards, because every key holds an upload id created at run time.
  for (const [pattern, actions] of objectActionsByPattern(fn.access.bucket)) {
    const contents = keyPatternContents[pattern];
    if (contents === undefined) continue;
    role.acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${pattern}]`,
      reason:
        `${name} is granted ${actions.join(', ')} on ${pattern} of the upload bucket only: ${contents}. ` +
        `Their keys hold ${runTimeKeyParts[pattern] ?? 'upload ids created at run time'}, so the grant names the key prefix, not single objects.`,
    });
  }
}

/** Records the accepted findings on the stack's constructs. Called by {@link UploadStack}. */
export function acknowledgeNagFindings(stack: UploadStack): void {
  // Every route but the health check has the authorizer (lib/upload-api.ts, test/cdk/auth.test.ts).
  for (const route of routes.filter((candidate) => candidate.public)) {
    for (const httpRoute of stack.api.routes[route.id] ?? []) {
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          `${route.method} ${route.path} is the one route without an authorizer on purpose: load balancers and uptime checks ` +
          'call it without credentials, and it answers a constant {"status":"ok"} without touching storage or any upload.',
      });
    }
  }
  if (stack.auth.userPool) {
    Validations.of(stack.auth.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The fallback user pool has no self sign-up, strong passwords and required TOTP MFA; threat protection needs the ' +
        'Cognito Plus feature plan, billed per monthly active user, so it is left to operators (or to their own OIDC provider via jwtIssuerUrl).',
    });
  }
  Validations.of(stack.virusDefinitions.schedule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      'The schedule target is the signature updater, invoked with an empty event on its schedule (2 retries): an event that ' +
      'could not be delivered carries nothing to keep, and the next scheduled run does the same work.',
  });
  for (const [name, fn] of [
    ...Object.entries(stack.routeFunctions),
    ...Object.entries(stack.taskFunctions),
    ['UpdateVirusDefinitions', stack.virusDefinitions.updater] as const,
    ['SessionRemovedEvents', stack.sessionRemovedEvents.handler] as const,
  ]) {
    acknowledgeFunction(stack, fn, name);
  }
  const failures = Validations.of(stack.sessionRemovedEvents.failureQueue);
  const failuresRole =
    'is the on-failure destination of the SessionRemovedEvents stream mapping: Lambda sends it the description ' +
    '(shard and sequence numbers) of stream records that failed every retry, kept 14 days for an operator';
  failures.acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: `This queue ${failuresRole}; it is itself the end of the line, and a redrive policy would only move those records again.`,
  });
  failures.acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue ${failuresRole}. cdk-nag recognizes dead-letter queues by other queues' redrive policies only, so it does not see that this queue is one.`,
  });

  // The alarm topic's one subscription is the operator's address (`alarmEmail`, lib/alarm-topic.ts).
  const alarmTopic = stack.alarms.alarmTopic;
  if (alarmTopic) {
    Validations.of(alarmTopic.subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'This is the email subscription of the alarm topic: a dead-letter queue would only collect alarm notifications the ' +
        'operator could not be emailed, and an alarm on that queue could only mail the same address; every alarm state change stays in the CloudWatch alarm history and on the Operations dashboard.',
    });
  }

  // `complete` and `status` read the status of this state machine's executions (grantExecution
  // names them as `execution:<state machine name>:*`, since execution names are upload ids).
  const stateMachineId = Stack.of(stack).resolve(
    Stack.of(stack).getLogicalId(stack.stateMachine.node.defaultChild as CfnElement),
  ) as string;
  const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stateMachineId}"}]}]}:*`;
  for (const route of routes.filter((r) => r.access.describesExecutions)) {
    const fn = stack.routeFunctions[route.id];
    if (!fn) continue;
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${executions}]`,
      reason:
        `${route.id} may call states:DescribeExecution (only that action) on the executions of this one ` +
        'state machine; execution names are upload ids created at run time, so the grant names them with "*".',
    });
  }

  stack.downstream.acknowledgeNagFindings(attributeRef(stack.bucket.node.defaultChild as IConstruct, 'Arn'));

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
