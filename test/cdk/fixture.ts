/**
 * Builds the app the way the tests need it: no bundling (the context `aws:cdk:bundling-stacks: []`)
 * and without CDK's built-in CloudFormation validation (a WebAssembly engine that takes seconds
 * per synth; `npm run synth` still runs it), so a template is ready in well under a second.
 */

import type { CfnElement } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createUploadApp, type UploadAppOptions } from '../../lib/upload-app.js';
import type { UploadStackProps } from '../../lib/upload-stack.js';

export const noBundling = { 'aws:cdk:bundling-stacks': [] };

export function buildApp(
  stackProps: UploadStackProps = {},
  options: Omit<UploadAppOptions, 'stackProps'> = {},
) {
  return createUploadApp({
    ...options,
    appProps: { builtinCloudFormationValidation: false, context: noBundling, ...options.appProps },
    stackProps,
  });
}

export function buildTemplate(stackProps: UploadStackProps = {}) {
  const { app, stack } = buildApp(stackProps);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id CloudFormation knows the construct's resource by. */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(element);
  return stack.resolve(stack.getLogicalId(element)) as string;
}

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const actionsOf = (statement: PolicyStatementJson): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The statements of every inline policy attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: PolicyStatementJson[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/**
 * The state machine's ASL from the template, with every `Fn::GetAtt` replaced by
 * `<logicalId>` so a Task's Resource names the function it invokes.
 */
export function definitionOf(template: Template): Record<string, unknown> {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  }[];
  if (!machine) throw new Error('no state machine in the template');
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  const json = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `<${getAtt[0]}>`;
      throw new Error(`unexpected intrinsic in the definition: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(json) as Record<string, unknown>;
}
