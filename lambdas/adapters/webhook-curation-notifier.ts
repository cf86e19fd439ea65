/**
 * `CurationNotifier` as an HTTPS webhook: a JSON POST signed with HMAC-SHA256 over
 * `{timestamp}.{body}` (`core/downstream/webhook-signature.ts`), with an `Idempotency-Key`
 * header that stays the same across attempts and re-sends, so the receiver can accept each
 * notification once.
 *
 * Retries are the notifier's own, with exponential backoff (`retryBaseMs`, doubled each time, at
 * most `maxAttempts` attempts), and the same code runs in Lambda and in the local stack - rather
 * than an EventBridge API destination, whose retries the local stack could not reproduce and
 * whose answer (the curation system's id) never comes back to the workflow. Network errors,
 * timeouts, 408, 429 and 5xx are retried; any other answer is final.
 */
import type { CurationDelivery, CurationNotifier } from '../core/downstream/ports.js';
import { signWebhook, webhookHeaders } from '../core/downstream/webhook-signature.js';

export interface WebhookSettings {
  url: string;
  /** The shared secret; read when first needed (Secrets Manager on AWS), then kept. */
  secret: () => Promise<string>;
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
}

/** The webhook did not take the delivery. */
export class WebhookDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WebhookDeliveryError';
  }
}

const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The receiver's id for the notification, if its JSON answer carries one (`id` or `curationId`). */
function idOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const id = parsed.id ?? parsed.curationId;
    return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : null;
  } catch {
    return null;
  }
}

export class WebhookCurationNotifier implements CurationNotifier {
  constructor(
    private readonly settings: WebhookSettings,
    private readonly sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    private readonly now = () => Date.now(),
  ) {}

  async deliver(delivery: CurationDelivery): Promise<{ id: string | null; attempts: number }> {
    const secret = await this.settings.secret();
    const body = JSON.stringify(delivery.body);
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.settings.retryBaseMs * 2 ** (attempt - 2));
      // Signed per attempt: a receiver refuses stale timestamps, and a retry may come much later.
      const timestamp = Math.floor(this.now() / 1000);
      let response: Response;
      try {
        response = await fetch(this.settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [webhookHeaders.timestamp]: String(timestamp),
            [webhookHeaders.signature]: signWebhook(secret, timestamp, body),
            [webhookHeaders.idempotencyKey]: delivery.idempotencyKey,
            [webhookHeaders.attempt]: String(attempt),
          },
          body,
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (error) {
        lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.ok) return { id: idOf(text), attempts: attempt };
      lastProblem = `HTTP ${response.status}`;
      if (!retryableStatus(response.status)) {
        throw new WebhookDeliveryError(
          `The curation webhook refused the delivery (${lastProblem}); not retried.`,
        );
      }
    }
    throw new WebhookDeliveryError(
      `The curation webhook did not take the delivery after ${this.settings.maxAttempts} attempts (last: ${lastProblem}).`,
    );
  }
}
