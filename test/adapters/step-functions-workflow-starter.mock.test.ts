import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  executionArnOf,
  StepFunctionsWorkflowStarter,
} from '../../lambdas/adapters/step-functions-workflow-starter.js';

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:UploadCompletion';
const sfnMock = mockClient(SFNClient);
const starter = new StepFunctionsWorkflowStarter(new SFNClient({ region: 'eu-west-1' }), stateMachineArn);

beforeEach(() => {
  sfnMock.reset();
});
afterAll(() => {
  sfnMock.restore();
});

describe('StepFunctionsWorkflowStarter', () => {
  it('answers an execution status from DescribeExecution, UNKNOWN for none', async () => {
    const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:UploadCompletion:u-1';
    sfnMock.on(DescribeExecutionCommand, { executionArn }).resolves({ status: 'TIMED_OUT' } as never);
    sfnMock
      .on(DescribeExecutionCommand, { executionArn: `${executionArn}-gone` })
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    expect(await starter.status(executionArn)).toBe('TIMED_OUT');
    expect(await starter.status(`${executionArn}-gone`)).toBe('UNKNOWN');
  });

  it('starts an execution named after the upload, with the upload id as input', async () => {
    const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:UploadCompletion:u-1';
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });

    expect(await starter.start('u-1')).toBe(executionArn);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: 'u-1',
      input: JSON.stringify({ uploadId: 'u-1' }),
    });
  });

  it('answers the existing execution when one with this name already exists', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    expect(await starter.start('u-1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:UploadCompletion:u-1',
    );
  });

  it('rethrows any other error', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sfnMock.on(StartExecutionCommand).rejects(throttled);

    await expect(starter.start('u-1')).rejects.toBe(throttled);
  });

  it('derives execution ARNs in other partitions and refuses what is not a state machine ARN', () => {
    expect(executionArnOf('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:M', 'x')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:execution:M:x',
    );
    expect(() => executionArnOf('arn:aws:lambda:eu-west-1:123456789012:function:f', 'x')).toThrow(
      /Not a state machine ARN/,
    );
  });
});
