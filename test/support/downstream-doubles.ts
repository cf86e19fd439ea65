/**
 * In-memory doubles of the downstream ports for unit tests: a publisher that records events (and
 * refuses while told to), a fine-tuning target that starts numbered jobs, a curation notifier.
 */
import type {
  CurationDelivery,
  CurationNotifier,
  EventPublisher,
  FineTuningJobRequest,
  FineTuningLauncher,
} from '../../lambdas/core/downstream/ports.js';
import type { UploadEvent } from '../../lambdas/core/downstream/upload-events.js';

export class RecordingEventPublisher implements EventPublisher {
  readonly events: UploadEvent[] = [];
  /** Refuse this many publishes before accepting again. */
  refuseNext = 0;

  async publish(event: UploadEvent): Promise<void> {
    if (this.refuseNext > 0) {
      this.refuseNext--;
      throw Object.assign(new Error('EventBridge refused the entry'), { name: 'EventPublishError' });
    }
    this.events.push(event);
  }

  get detailTypes(): string[] {
    return this.events.map((event) => event.detailType);
  }
}

export class RecordingFineTuningLauncher implements FineTuningLauncher {
  readonly kind = 'test';
  readonly requests: FineTuningJobRequest[] = [];
  failing = false;

  async start(request: FineTuningJobRequest): Promise<string> {
    if (this.failing) throw new Error('The fine-tuning queue is unavailable');
    this.requests.push(request);
    return `job-${this.requests.length}`;
  }
}

export class RecordingCurationNotifier implements CurationNotifier {
  readonly deliveries: CurationDelivery[] = [];
  failing = false;

  async deliver(delivery: CurationDelivery): Promise<{ id: string | null; attempts: number }> {
    if (this.failing)
      throw Object.assign(new Error('HTTP 503 after 4 attempts'), { name: 'WebhookDeliveryError' });
    this.deliveries.push(delivery);
    return { id: `cur-${this.deliveries.length}`, attempts: 1 };
  }
}
