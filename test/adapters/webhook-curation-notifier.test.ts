/**
 * The curation webhook against a real HTTP receiver started by the test: signatures, the
 * idempotency key, and retries with backoff through deliberate failures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookCurationNotifier } from '../../lambdas/adapters/webhook-curation-notifier.js';
import {
  signWebhook,
  verifyWebhookSignature,
  webhookHeaders,
} from '../../lambdas/core/downstream/webhook-signature.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const secret = 'whsec-test-0123456789';
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function notifier(url: string, overrides: { maxAttempts?: number; secret?: string } = {}) {
  const pauses: number[] = [];
  const instance = new WebhookCurationNotifier(
    {
      url,
      secret: async () => overrides.secret ?? secret,
      maxAttempts: overrides.maxAttempts ?? 4,
      retryBaseMs: 100,
      timeoutMs: 2000,
    },
    async (ms) => {
      pauses.push(ms);
    },
  );
  return { instance, pauses };
}

const delivery = { idempotencyKey: 'u-1:data-curation', body: { uploadId: 'u-1', type: 'upload.completed' } };

describe('WebhookCurationNotifier', () => {
  it('retries a receiver that fails twice, with backoff, and is accepted exactly once with a valid signature', async () => {
    receiver = await startWebhookReceiver(secret, 2);
    const { instance, pauses } = notifier(receiver.url);

    const answer = await instance.deliver(delivery);

    expect(answer).toEqual({ id: 'cur-1', attempts: 3 });
    expect(pauses).toEqual([100, 200]);
    expect(receiver.deliveries.map((d) => d.status)).toEqual([503, 503, 200]);
    expect(receiver.deliveries.every((d) => d.validSignature)).toBe(true);
    expect(receiver.accepted).toEqual(new Map([['u-1:data-curation', 'cur-1']]));
    // Every attempt carries the same idempotency key and body, numbered.
    expect(receiver.deliveries.map((d) => d.headers[webhookHeaders.idempotencyKey])).toEqual([
      'u-1:data-curation',
      'u-1:data-curation',
      'u-1:data-curation',
    ]);
    expect(receiver.deliveries.map((d) => d.headers[webhookHeaders.attempt])).toEqual(['1', '2', '3']);
    expect(new Set(receiver.deliveries.map((d) => d.body)).size).toBe(1);
    expect(JSON.parse(receiver.deliveries[0]?.body ?? '{}')).toEqual(delivery.body);
  });

  it('gives up after its attempts, naming the last answer', async () => {
    receiver = await startWebhookReceiver(secret, 10);
    const { instance } = notifier(receiver.url, { maxAttempts: 3 });

    await expect(instance.deliver(delivery)).rejects.toThrow(
      expect.objectContaining({
        name: 'WebhookDeliveryError',
        message: expect.stringMatching(/3 attempts.*503/),
      }),
    );
    expect(receiver.deliveries).toHaveLength(3);
    expect(receiver.accepted.size).toBe(0);
  });

  it('does not retry a refusal that another attempt cannot fix (401 for a wrong secret)', async () => {
    receiver = await startWebhookReceiver(secret);
    const { instance, pauses } = notifier(receiver.url, { secret: 'not-the-secret' });

    await expect(instance.deliver(delivery)).rejects.toThrow(/HTTP 401.*not retried/);
    expect(receiver.deliveries).toHaveLength(1);
    expect(pauses).toEqual([]);
  });

  it('retries an unreachable receiver (connection refused) and then fails', async () => {
    receiver = await startWebhookReceiver(secret);
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const { instance } = notifier(url, { maxAttempts: 2 });

    await expect(instance.deliver(delivery)).rejects.toThrow(/2 attempts/);
  });
});

describe('verifyWebhookSignature', () => {
  const now = 1_900_000_000;
  const body = '{"uploadId":"u-1"}';
  const signature = signWebhook(secret, now, body);

  it('accepts the signature of the body and recent timestamp', () => {
    expect(verifyWebhookSignature(secret, { timestamp: String(now), signature }, body, now + 10)).toBe(true);
  });

  it('refuses a changed body, another secret, a stale or missing timestamp', () => {
    const headers = { timestamp: String(now), signature };
    expect(verifyWebhookSignature(secret, headers, `${body} `, now)).toBe(false);
    expect(verifyWebhookSignature('other', headers, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, headers, body, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: undefined, signature }, body, now)).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: String(now), signature: undefined }, body, now)).toBe(
      false,
    );
  });
});
