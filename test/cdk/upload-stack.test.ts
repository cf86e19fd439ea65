import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.js';
import { type WorkflowTaskName, workflowTasks } from '../../lambdas/workflow/tasks.js';
import type { UploadFunction } from '../../lib/upload-function.js';
import { lambdaRuntime } from '../../lib/upload-function.js';
import type { UploadStack } from '../../lib/upload-stack.js';
import {
  actionsOf,
  buildTemplate,
  definitionOf,
  logicalIdOf,
  type PolicyStatementJson,
  statementsOfRole,
} from './fixture.js';

let stack: UploadStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = buildTemplate());
});

const taskNames = Object.keys(workflowTasks) as WorkflowTaskName[];

/** The newest `nodejsNN.x` that aws-cdk-lib knows, computed the way cdk-nag's L1 rule does. */
function newestNodeRuntime(): string {
  const versions = Runtime.ALL.map((runtime) => /^nodejs(\d+)\.x$/.exec(runtime.name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]));
  return `nodejs${Math.max(...versions)}.x`;
}

function routeFunction(id: string): UploadFunction {
  const fn = stack.routeFunctions[id];
  if (!fn) throw new Error(`no function for route ${id}`);
  return fn;
}

function functionProperties(logicalId: string): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalId] as { Properties: Record<string, unknown> };
  return resource.Properties;
}

function environmentOf(logicalId: string): Record<string, unknown> {
  return (functionProperties(logicalId).Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('Lambda functions', () => {
  it('creates exactly one function per route and per workflow task, the signature updater and the expiry stream reader', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2 + routes.length + taskNames.length);
    expect(Object.keys(stack.routeFunctions).sort()).toEqual(routes.map((route) => route.id).sort());
    expect(Object.keys(stack.taskFunctions).sort()).toEqual([...taskNames].sort());
  });

  it('runs every function on arm64 with the newest Node.js runtime aws-cdk-lib knows', () => {
    expect(lambdaRuntime.name).toBe(newestNodeRuntime());
    const functions = template.findResources('AWS::Lambda::Function');
    for (const resource of Object.values(functions)) {
      // The ClamAV functions run from their container image (tested below).
      if (resource.Properties.PackageType === 'Image') continue;
      expect(resource.Properties).toMatchObject({
        Runtime: newestNodeRuntime(),
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('runs ScanForMalware and UpdateVirusDefinitions from the ClamAV image, on arm64 with tracing', () => {
    const scanner = functionProperties(logicalIdOf(stack.taskFunctions.ScanForMalware.function));
    const updater = functionProperties(logicalIdOf(stack.virusDefinitions.updater.function));
    for (const [properties, command] of [
      [scanner, 'scan-malware.handler'],
      [updater, 'update-virus-definitions.handler'],
    ] as const) {
      expect(properties).toMatchObject({
        PackageType: 'Image',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        ImageConfig: { Command: [command] },
        EphemeralStorage: { Size: 6144 },
      });
      expect(properties).not.toHaveProperty('Runtime');
    }
    // Both use the one image; the scan stops (as an error, never clean) before the function times out.
    expect(scanner.Code).toEqual(updater.Code);
    expect(
      environmentOf(logicalIdOf(stack.taskFunctions.ScanForMalware.function)).CLAMAV_TIMEOUT_SECONDS,
    ).toBe('720');
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(6 hours)',
      Targets: [{ Arn: { 'Fn::GetAtt': [logicalIdOf(stack.virusDefinitions.updater.function), 'Arn'] } }],
    });
  });

  it.each(routes.map((route) => [route.id, route] as const))(
    'configures route function %s from the route table',
    (_id, route) => {
      const properties = functionProperties(logicalIdOf(routeFunction(route.id).function));
      expect(properties).toMatchObject({
        Timeout: route.timeoutSeconds,
        MemorySize: route.memoryMiB,
        Description: route.description,
      });
    },
  );

  it.each(taskNames)('configures task function %s from the task table', (name) => {
    const task = workflowTasks[name];
    const properties = functionProperties(logicalIdOf(stack.taskFunctions[name].function));
    expect(properties).toMatchObject({
      Timeout: task.timeoutSeconds,
      MemorySize: task.memoryMiB,
      Description: task.description,
    });
  });

  it('gives every function the configuration variables, with source maps enabled', () => {
    for (const fn of Object.values(stack.functions)) {
      const variables = environmentOf(logicalIdOf(fn));
      expect(variables).toMatchObject({
        TABLE_NAME: { Ref: logicalIdOf(stack.table) },
        BUCKET_NAME: { Ref: logicalIdOf(stack.bucket) },
        CHUNK_SIZE: String(1024 * 1024),
        MAX_UPLOAD_SIZE: String(10 * 1024 ** 3),
        SESSION_TTL_HOURS: '24',
        COMPLETE_WAIT_SECONDS: '10',
        RESULT_RETENTION_DAYS: '30',
      });
      // The container image sets it itself (docker/clamav/Dockerfile).
      if (functionProperties(logicalIdOf(fn)).PackageType !== 'Image')
        expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('sets STATE_MACHINE_ARN on CompleteUpload and GetUploadStatus only, pointing at this state machine', () => {
    for (const [name, fn] of Object.entries(stack.functions)) {
      const variables = environmentOf(logicalIdOf(fn));
      if (name === 'CompleteUpload' || name === 'GetUploadStatus') {
        expect(variables.STATE_MACHINE_ARN).toEqual({ Ref: logicalIdOf(stack.stateMachine) });
      } else {
        expect(variables).not.toHaveProperty('STATE_MACHINE_ARN');
      }
    }
  });

  it('logs every function to its own log group with a retention', () => {
    for (const uploadFunction of [
      ...Object.values(stack.routeFunctions),
      ...Object.values(stack.taskFunctions),
    ]) {
      const logGroupId = logicalIdOf(uploadFunction.logGroup);
      expect(functionProperties(logicalIdOf(uploadFunction.function)).LoggingConfig).toMatchObject({
        LogGroup: { Ref: logGroupId },
      });
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
  });
});

describe('HTTP API', () => {
  it('has exactly one route per route table entry', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'routes %s to its own function',
    (routeKey, route) => {
      const matches = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
      ) as { Properties: { Target: { 'Fn::Join': [string, [string, { Ref: string }]] } } }[];
      expect(matches).toHaveLength(1);
      const [match] = matches;
      if (!match) throw new Error(`no route ${routeKey}`);
      const target = match.Properties.Target['Fn::Join'][1];
      expect(target[0]).toBe('integrations/');
      const integration = template.toJSON().Resources[target[1].Ref];
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: {
          'Fn::GetAtt': [logicalIdOf(routeFunction(route.id).function), 'Arn'],
        },
      });
    },
  );

  it('serves a $default stage with access logs and throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.api.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(stack.httpApi) }])] },
    });
  });
});

describe('DynamoDB table', () => {
  it('is on-demand, with point-in-time recovery, TTL on `ttl`, AWS-managed encryption and pk/sk keys', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
  });

  it('is retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('S3 buckets', () => {
  const hardened = {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  };

  it('encrypts the upload bucket, blocks public access and logs access to the log bucket', () => {
    expect(template.toJSON().Resources[logicalIdOf(stack.bucket)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        ...hardened,
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(stack.storage.accessLogBucket) } },
      },
    });
  });

  it('hardens the access log bucket the same way', () => {
    expect(template.toJSON().Resources[logicalIdOf(stack.storage.accessLogBucket)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: hardened,
    });
  });

  it.each([
    ['upload', () => stack.bucket],
    ['access log', () => stack.storage.accessLogBucket],
  ])('denies every request to the %s bucket that does not use TLS', (_name, bucket) => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(bucket()) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('expires chunks a day after the session, staging after 30 days, and aborts multipart uploads after a day', () => {
    expect(
      template.toJSON().Resources[logicalIdOf(stack.bucket)].Properties.LifecycleConfiguration.Rules,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 2, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'staging/', ExpirationInDays: 30, Status: 'Enabled' }),
        expect.objectContaining({
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        }),
      ]),
    );
  });
});

describe('completion state machine', () => {
  it('is a Standard state machine that logs ALL events and traces with X-Ray', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stack.workflow.logGroup), 'Arn'] },
            },
          },
        ],
      },
    });
  });

  type State = Record<string, unknown> & { Type: string };
  const statesOf = (): Record<string, State> => definitionOf(template).States as Record<string, State>;
  const innerStatesOf = (): Record<string, State> =>
    (statesOf().AssembleParts as unknown as { ItemProcessor: { States: Record<string, State> } })
      .ItemProcessor.States;

  it('has exactly the workflow task states plus AssembleParts, IsVerified and CompletionFailed', () => {
    const names = [...Object.keys(statesOf()), ...Object.keys(innerStatesOf())].sort();
    expect(names).toEqual([...taskNames, 'AssembleParts', 'IsVerified', 'CompletionFailed'].sort());
    expect(definitionOf(template)).not.toHaveProperty('QueryLanguage');
  });

  it('invokes each task state’s own function by plain ARN, with the task table’s timeout and retries', () => {
    const states = { ...statesOf(), ...innerStatesOf() };
    for (const name of taskNames) {
      expect(states[name]).toMatchObject({
        Type: 'Task',
        Resource: `<${logicalIdOf(stack.taskFunctions[name].function)}>`,
        TimeoutSeconds: workflowTasks[name].timeoutSeconds,
        Retry: [
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
          {
            ErrorEquals: ['Lambda.TooManyRequestsException', 'States.TaskFailed'],
            IntervalSeconds: 2,
            MaxAttempts: 2,
            BackoffRate: 2,
          },
        ],
      });
      expect(states[name]).not.toHaveProperty('Parameters');
    }
  });

  it('follows the flow written in tasks.ts', () => {
    const states = statesOf();
    expect(definitionOf(template).StartAt).toBe('PlanAssembly');
    expect(states.PlanAssembly).toMatchObject({ ResultPath: '$.plan', Next: 'AssembleParts' });
    expect(states.AssembleParts).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.batches',
      ItemSelector: {
        'uploadId.$': '$.uploadId',
        'multipartUploadId.$': '$.plan.multipartUploadId',
        'stagingKey.$': '$.plan.stagingKey',
        'batch.$': '$$.Map.Item.Value',
      },
      MaxConcurrency: 8,
      ResultPath: null,
      Next: 'FinishAssembly',
      ItemProcessor: { StartAt: 'AssembleBatch' },
    });
    expect(states.FinishAssembly).toMatchObject({ ResultPath: '$.assembled', Next: 'ScanForMalware' });
    expect(states.ScanForMalware).toMatchObject({ ResultPath: '$.malware', Next: 'AnalyzeFile' });
    expect(states.AnalyzeFile).toMatchObject({ ResultPath: '$.verification', Next: 'IsVerified' });
    expect(states.IsVerified).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.verification.ok', BooleanEquals: true, Next: 'PublishFile' },
        { Variable: '$.verification.quarantined', BooleanEquals: true, Next: 'QuarantineFile' },
      ],
      Default: 'RecordRejection',
    });
    expect(states.PublishFile).toMatchObject({ ResultPath: '$.published', Next: 'NotifyDownstream' });
    expect(states.NotifyDownstream).toMatchObject({
      ResultPath: '$.notified',
      Next: 'RecordCompletion',
      // A failed notification never fails the upload: its error goes to RecordCompletion.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: 'RecordCompletion' }],
    });
    expect(states.RecordCompletion).toMatchObject({ End: true });
    expect(states.RecordRejection).toMatchObject({ End: true });
    expect(states.RecordFailure).toMatchObject({ Next: 'CompletionFailed' });
    expect(states.CompletionFailed).toMatchObject({ Type: 'Fail' });
  });

  it('sends every error of every state but RecordFailure to RecordFailure with the error at $.error', () => {
    const states = statesOf();
    const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }];
    const caught = ['PlanAssembly', 'AssembleParts', 'FinishAssembly', 'AnalyzeFile', 'PublishFile'];
    for (const name of [...caught, 'RecordCompletion', 'RecordRejection']) {
      expect(states[name]?.Catch, name).toEqual(catchAll);
    }
    expect(states.RecordFailure).not.toHaveProperty('Catch');
  });
});

describe('IAM', () => {
  const allPolicyStatements = (): { roleIds: string[]; statement: PolicyStatementJson }[] =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]).map((statement) => ({
        roleIds: (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref),
        statement,
      })),
    );

  it('lets only CompleteUpload start executions, and only of this state machine', () => {
    const starters = allPolicyStatements().filter(({ statement }) =>
      actionsOf(statement).some((action) => /^states:(StartExecution|\*)$/.test(action) || action === '*'),
    );
    expect(starters).toHaveLength(1);
    expect(starters[0]?.roleIds).toEqual([logicalIdOf(routeFunction('CompleteUpload').role)]);
    expect(starters[0]?.statement.Resource).toEqual({ Ref: logicalIdOf(stack.stateMachine) });
  });

  it('lets only CompleteUpload and GetUploadStatus describe executions, only that, only of this state machine', () => {
    const describers = allPolicyStatements().filter(({ statement }) =>
      actionsOf(statement).some((action) => /^states:(DescribeExecution|\*)$/.test(action)),
    );
    expect(describers.flatMap(({ roleIds }) => roleIds).sort()).toEqual(
      [
        logicalIdOf(routeFunction('CompleteUpload').role),
        logicalIdOf(routeFunction('GetUploadStatus').role),
      ].sort(),
    );
    for (const { statement } of describers) {
      expect(actionsOf(statement)).toEqual(['states:DescribeExecution']);
      // grantExecution: `arn:...:execution:<name of this state machine>:*`, taken from its ARN.
      expect(JSON.stringify(statement.Resource)).toContain(`"Ref":"${logicalIdOf(stack.stateMachine)}"`);
      expect(JSON.stringify(statement.Resource)).toContain(':execution:');
    }
  });

  it('gives GetUploadStatus no S3 access and no way to start or stop executions', () => {
    const status = routeFunction('GetUploadStatus');
    const actions = statementsOfRole(template, logicalIdOf(status.role)).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual([]);
    expect(actions.filter((action) => action.startsWith('states:'))).toEqual(['states:DescribeExecution']);
    // It records an execution that ended without an outcome as failed (a conditional UpdateItem),
    // and may write nothing else.
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions).toContain('dynamodb:UpdateItem');
    for (const write of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'])
      expect(actions).not.toContain(write);
  });

  it('uses no managed policies: each function role may write to its own log group only', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) {
      expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
    }
    for (const fn of [...Object.values(stack.routeFunctions), ...Object.values(stack.taskFunctions)]) {
      const logStatements = statementsOfRole(template, logicalIdOf(fn.role)).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      expect(logStatements).toEqual([
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(fn.logGroup), 'Arn'] },
        }),
      ]);
    }
  });

  it('names Resource "*" only for X-Ray and CloudWatch Logs delivery actions, and ListStreams for the stream reader (the acknowledged IAM5 findings)', () => {
    const starStatements = allPolicyStatements().filter(({ statement }) => statement.Resource === '*');
    const streamReader = logicalIdOf(stack.sessionRemovedEvents.handler.role);
    for (const { roleIds, statement } of starStatements) {
      for (const action of actionsOf(statement)) {
        if (action === 'dynamodb:ListStreams') {
          expect(roleIds).toEqual([streamReader]);
          continue;
        }
        expect(action).toMatch(
          /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/,
        );
      }
    }
  });
});

describe('Comprehend PII sampling (comprehendPii)', () => {
  const comprehendGrants = (built: { stack: UploadStack; template: Template }) =>
    Object.entries(built.stack.functions).filter(([name]) => {
      const fn = built.stack.routeFunctions[name] ?? built.stack.taskFunctions[name as WorkflowTaskName];
      const role = fn?.role ?? built.stack.virusDefinitions.updater.role;
      return statementsOfRole(built.template, logicalIdOf(role))
        .flatMap(actionsOf)
        .some((action) => action.startsWith('comprehend:'));
    });

  it('is off by default: no function may call Comprehend', () => {
    expect(comprehendGrants({ stack, template })).toEqual([]);
    expect(environmentOf(logicalIdOf(stack.taskFunctions.AnalyzeFile.function)).COMPREHEND_PII).toBe('off');
  });

  it('with sample, lets AnalyzeFile alone call DetectPiiEntities and tells it to', () => {
    const built = buildTemplate({ comprehendPii: 'sample' });
    expect(comprehendGrants(built).map(([name]) => name)).toEqual(['AnalyzeFile']);
    const statements = statementsOfRole(
      built.template,
      logicalIdOf(built.stack.taskFunctions.AnalyzeFile.role),
    );
    // CDK merges it with the X-Ray statement, the other action that can only name Resource "*".
    const withComprehend = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith('comprehend:')),
    );
    expect(withComprehend).toHaveLength(1);
    expect(withComprehend[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(actionsOf(withComprehend[0] as PolicyStatementJson).filter((a) => !a.startsWith('xray:'))).toEqual(
      ['comprehend:DetectPiiEntities'],
    );
    const variables =
      built.template.findResources('AWS::Lambda::Function')[
        logicalIdOf(built.stack.taskFunctions.AnalyzeFile.function)
      ]?.Properties.Environment.Variables;
    expect(variables.COMPREHEND_PII).toBe('sample');
  });
});
