/**
 * The completion workflow's ASL for the local stack, taken from the CDK definition so the
 * state machine exists once. The stack is built in-process without bundling (the context
 * `aws:cdk:bundling-stacks: []`) and without synthesis: only the state machine's
 * `definitionString` is resolved, then its CloudFormation intrinsics are replaced by plain
 * strings. aws-local-stepfunctions validates every Task's Resource as an ARN but maps tasks to
 * handlers by state name, so the ARNs only need to be well formed:
 * `arn:aws:lambda:us-east-1:000000000000:function:<logical id>`.
 */
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { createUploadApp } from './upload-app.js';
import type { UploadStackProps } from './upload-stack.js';

/** Stand-ins for CloudFormation pseudo parameters. */
export const localPartition = 'aws';
export const localRegion = 'us-east-1';
export const localAccount = '000000000000';

const pseudoParameters: Readonly<Record<string, string>> = {
  'AWS::Partition': localPartition,
  'AWS::Region': localRegion,
  'AWS::AccountId': localAccount,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'ResumableUploadStack',
  'AWS::NoValue': '',
};

/** Thrown when the definition uses an intrinsic this module cannot turn into a plain value. */
export class UnresolvableIntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/** Replaces `Fn::Join`, `Fn::GetAtt` (Lambda `Arn`) and `Ref` with plain strings. */
function toPlain(value: unknown, lambdaLogicalIds: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => toPlain(item, lambdaLogicalIds));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return parts.map((part) => String(toPlain(part, lambdaLogicalIds))).join(separator);
  }
  if (entries.length === 1 && key === 'Fn::GetAtt') {
    const [logicalId, attribute] = argument as [string, string];
    if (attribute === 'Arn' && lambdaLogicalIds.has(logicalId)) {
      return `arn:${localPartition}:lambda:${localRegion}:${localAccount}:function:${logicalId}`;
    }
    throw new UnresolvableIntrinsicError(`Cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
  }
  if (entries.length === 1 && key === 'Ref') {
    const name = argument as string;
    const pseudo = pseudoParameters[name];
    if (pseudo !== undefined) return pseudo;
    // A Lambda function's Ref is its name.
    if (lambdaLogicalIds.has(name)) return name;
    throw new UnresolvableIntrinsicError(`Cannot resolve Ref ${name} locally`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, toPlain(v, lambdaLogicalIds)]));
}

/**
 * Builds the stack in-process (no bundling, no synthesis) and returns the completion state
 * machine's ASL with every intrinsic replaced, ready for `new StateMachine(asl)` of
 * aws-local-stepfunctions. State names equal the keys of `workflowTasks` plus `AssembleParts`,
 * `IsVerified` and `CompletionFailed`.
 */
export async function synthesizeCompletionAsl(
  props: UploadStackProps = {},
): Promise<Record<string, unknown>> {
  const { stack } = createUploadApp({
    appProps: { context: { 'aws:cdk:bundling-stacks': [] } },
    stackProps: props,
  });
  const lambdaLogicalIds = new Set(
    Object.values(stack.functions).map(
      (fn) => stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnResource)) as string,
    ),
  );
  const cfnStateMachine = stack.stateMachine.node.defaultChild as CfnStateMachine;
  const definition = toPlain(
    Stack.of(cfnStateMachine).resolve(cfnStateMachine.definitionString),
    lambdaLogicalIds,
  );
  if (typeof definition !== 'string') {
    throw new UnresolvableIntrinsicError('The state machine definition did not resolve to a string');
  }
  return JSON.parse(definition) as Record<string, unknown>;
}
