/**
 * The completion workflow: one Lambda function per entry of `workflowTasks` and the Standard
 * state machine that runs them, defined here once. The local stack executes the ASL this
 * synthesizes (see `local-asl.ts`), so the definition stays on JSONPath: aws-local-stepfunctions
 * ignores JSONata. State names are the keys of `workflowTasks` (the local runner maps tasks to
 * handlers by state name) plus `AssembleParts`, `IsVerified` and `CompletionFailed`.
 *
 * The flow is the one written at the top of `lambdas/workflow/tasks.ts`.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  Map as MapState,
  StateMachine,
  StateMachineType,
  type TaskStateBase,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type WorkflowTaskName, workflowTasks } from '../lambdas/workflow/tasks.js';
import { UploadFunction } from './upload-function.js';

/** First pause before a failed task is retried (then doubled). */
export const taskRetryIntervalSeconds = 2;
export interface CompletionWorkflowProps {
  readonly table: ITable;
  readonly bucket: IBucket;
  /** The configuration variables every function reads (`lambdas/runtime/config.ts`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Lets AnalyzeFile call Amazon Comprehend's DetectPiiEntities (stack prop `comprehendPii`). */
  readonly comprehendPii?: boolean;
}

/** State names that are not tasks. */
export const assemblePartsStateName = 'AssembleParts';
export const isVerifiedStateName = 'IsVerified';
export const completionFailedStateName = 'CompletionFailed';

/** AssembleParts runs at most this many AssembleBatch invocations at once. */
export const assemblyMaxConcurrency = 8;

/** Longest a completion may run before Step Functions stops it. */
const executionTimeout = Duration.hours(24);

/** The completion workflow's functions and state machine. */
export class CompletionWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  /** The task functions, by state name. */
  public readonly functions: Readonly<Record<WorkflowTaskName, UploadFunction>>;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CompletionWorkflowProps) {
    super(scope, id);

    const functions = {} as Record<WorkflowTaskName, UploadFunction>;
    for (const name of Object.keys(workflowTasks) as WorkflowTaskName[]) {
      const task = workflowTasks[name];
      functions[name] = new UploadFunction(this, name, {
        entry: task.entry,
        description: task.description,
        timeoutSeconds: task.timeoutSeconds,
        memoryMiB: task.memoryMiB,
        access: task.access,
        ...('image' in task ? { image: task.image } : {}),
        table: props.table,
        bucket: props.bucket,
        environment: props.environment,
      });
    }
    this.functions = functions;
    if (props.comprehendPii) {
      // DetectPiiEntities supports no resource-level permissions: it must name Resource "*".
      functions.AnalyzeFile.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['comprehend:DetectPiiEntities'], resources: ['*'] }),
      );
    }

    // States are not resources; their own scope keeps their ids (the state names) apart from the
    // functions' ids, which are the same names.
    const states = new Construct(this, 'States');

    // payloadResponseOnly: the Task's Resource is the plain function ARN, so the function gets
    // the state (or the Map item) as its event and its return value is the task's result. The
    // default Retry covers Lambda service errors; TimeoutSeconds is the function's own timeout.
    // Every task is idempotent, so a task that failed (an S3 reset mid-stream, throttling of
    // DynamoDB or of Lambda itself) is retried twice with backoff before the Catch records a failure.
    const invoke = (name: WorkflowTaskName, resultPath?: string): TaskStateBase =>
      new LambdaInvoke(states, name, {
        stateName: name,
        lambdaFunction: functions[name].function,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(Duration.seconds(workflowTasks[name].timeoutSeconds)),
        ...(resultPath === undefined ? {} : { resultPath }),
      }).addRetry({
        errors: ['Lambda.TooManyRequestsException', 'States.TaskFailed'],
        interval: Duration.seconds(taskRetryIntervalSeconds),
        maxAttempts: 2,
        backoffRate: 2,
      });

    const completionFailed = new Fail(states, completionFailedStateName, {
      stateName: completionFailedStateName,
      error: 'UploadCompletionFailed',
      cause: 'A completion task failed; RecordFailure stored its error on the upload session.',
    });
    const recordFailure = invoke('RecordFailure').next(completionFailed);
    // Every state but RecordFailure hands any error to RecordFailure, with Step Functions' {Error, Cause}
    // kept next to the state at $.error so the failure can be recorded with the upload id.
    const catchAll = { errors: ['States.ALL'], resultPath: '$.error' };

    const planAssembly = invoke('PlanAssembly', '$.plan').addCatch(recordFailure, catchAll);

    // Parts are assembled in batches, not one Map item per part: the state stays far below the
    // 256 KiB Step Functions limit, and each batch writes its ETags to a manifest in S3.
    const assembleParts = new MapState(states, assemblePartsStateName, {
      stateName: assemblePartsStateName,
      itemsPath: JsonPath.stringAt('$.plan.batches'),
      itemSelector: {
        uploadId: JsonPath.stringAt('$.uploadId'),
        multipartUploadId: JsonPath.stringAt('$.plan.multipartUploadId'),
        stagingKey: JsonPath.stringAt('$.plan.stagingKey'),
        batch: JsonPath.objectAt('$$.Map.Item.Value'),
      },
      maxConcurrency: assemblyMaxConcurrency,
      resultPath: JsonPath.DISCARD,
    });
    // AssembleBatch runs inside the Map's own scope, where a Catch cannot reach RecordFailure:
    // its failure (after the retries) fails the Map, and the Map's Catch records it.
    assembleParts.itemProcessor(invoke('AssembleBatch'));
    assembleParts.addCatch(recordFailure, catchAll);

    const finishAssembly = invoke('FinishAssembly', '$.assembled').addCatch(recordFailure, catchAll);
    const scanForMalware = invoke('ScanForMalware', '$.malware').addCatch(recordFailure, catchAll);
    const analyzeFile = invoke('AnalyzeFile', '$.verification').addCatch(recordFailure, catchAll);
    const publishFile = invoke('PublishFile', '$.published').addCatch(recordFailure, catchAll);
    // An outcome that cannot be recorded (after the retries) is still recorded as a failure, so
    // the session never stays `processing` behind a finished execution.
    const recordCompletion = invoke('RecordCompletion').addCatch(recordFailure, catchAll);
    // A notification failure never fails the upload: the file is published and safe. Whatever
    // NotifyDownstream throws after its retries goes to RecordCompletion as $.notifyError, which
    // records every target failed (re-sent with POST /api/upload/{uploadId}/notify).
    const notifyDownstream = invoke('NotifyDownstream', '$.notified').addCatch(recordCompletion, {
      errors: ['States.ALL'],
      resultPath: '$.notifyError',
    });
    const recordRejection = invoke('RecordRejection').addCatch(recordFailure, catchAll);
    // A dangerous file is moved to quarantine/ and recorded `quarantined` in one task.
    const quarantineFile = invoke('QuarantineFile').addCatch(recordFailure, catchAll);

    const isVerified = new Choice(states, isVerifiedStateName, { stateName: isVerifiedStateName })
      .when(
        Condition.booleanEquals('$.verification.ok', true),
        publishFile.next(notifyDownstream).next(recordCompletion),
      )
      .when(Condition.booleanEquals('$.verification.quarantined', true), quarantineFile)
      .otherwise(recordRejection);

    const definition = planAssembly
      .next(assembleParts)
      .next(finishAssembly)
      .next(scanForMalware)
      .next(analyzeFile)
      .next(isVerified);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'Assembles, verifies and publishes a completed upload, then records the outcome.',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: executionTimeout,
      tracingEnabled: true,
      // Execution data is logged: the state holds only ids, S3 keys, sizes, hashes and error
      // names/causes (never file bytes or credentials), and without it a failed execution
      // cannot be diagnosed from the logs. The log group has a retention.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
  }
}
