/**
 * `EventPublisher` on an EventBridge bus. `PutEvents` answers 200 even when it refused an
 * entry: a refused entry is only visible in `FailedEntryCount` and the entry's `ErrorCode`, so
 * both are checked and a refusal becomes an `EventPublishError` (the caller retries).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../core/downstream/ports.js';
import { eventSource, type UploadEvent } from '../core/downstream/upload-events.js';

/** The bus did not take an event. */
export class EventPublishError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventPublishError';
  }
}

export class EventBridgeEventPublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(event: UploadEvent): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: eventSource,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.detail.occurredAt),
          },
        ],
      }),
    );
    const [entry] = output.Entries ?? [];
    if ((output.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode || !entry?.EventId) {
      throw new EventPublishError(
        `EventBridge refused ${event.detailType} for upload ${event.detail.uploadId}: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
