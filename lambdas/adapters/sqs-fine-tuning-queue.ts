/**
 * `FineTuningLauncher` on the stack's fine-tuning jobs queue (SQS, with a dead-letter queue):
 * the job is a message whose body is the request, and its `MessageId` is the job id. The
 * request's idempotency key travels as a message attribute, so a consumer can drop the
 * duplicate a crash between `SendMessage` and the session write could cause.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FineTuningJobRequest, FineTuningLauncher } from '../core/downstream/ports.js';

export class SqsFineTuningQueue implements FineTuningLauncher {
  readonly kind = 'sqs';

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async start(request: FineTuningJobRequest): Promise<string> {
    const { MessageId } = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ version: '1', ...request }),
        MessageAttributes: {
          idempotencyKey: { DataType: 'String', StringValue: request.idempotencyKey },
          uploadId: { DataType: 'String', StringValue: request.uploadId },
        },
      }),
    );
    if (!MessageId) throw new Error('SQS answered SendMessage without a MessageId');
    return MessageId;
  }
}
