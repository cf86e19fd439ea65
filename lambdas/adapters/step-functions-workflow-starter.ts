/**
 * `WorkflowStarter` on a Step Functions Standard state machine.
 *
 * The execution name is the upload id, which makes starting idempotent per upload: Step
 * Functions keeps execution names unique per state machine (for 90 days after an execution
 * closes). StartExecution with the name and input of a running execution answers that same
 * execution; with the name of a closed one (or another input) it fails with
 * `ExecutionAlreadyExists`, and then the existing execution's ARN is derived from the state
 * machine's ARN, since an execution ARN is the state machine ARN with `stateMachine`
 * replaced by `execution` and the execution name appended.
 */
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionStatus, WorkflowStarter } from '../core/ports.js';

/** `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME` -> `...:execution:NAME:EXECUTION_NAME`. */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  parts[5] = 'execution';
  return [...parts, executionName].join(':');
}

export class StepFunctionsWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(uploadId: string): Promise<string> {
    try {
      const { executionArn } = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: uploadId,
          // Same input for the same upload, so a repeated start answers the running execution.
          input: JSON.stringify({ uploadId }),
        }),
      );
      if (executionArn === undefined)
        throw new Error(`StartExecution answered no executionArn for ${uploadId}`);
      return executionArn;
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
        return executionArnOf(this.stateMachineArn, uploadId);
      }
      throw error;
    }
  }

  async status(executionArn: string): Promise<ExecutionStatus> {
    try {
      const { status } = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status ?? 'UNKNOWN';
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return 'UNKNOWN';
      throw error;
    }
  }
}
