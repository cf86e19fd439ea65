/**
 * How webhook deliveries are signed, and how a receiver checks them (the snippet in
 * `docs/events.md` is this `verifyWebhookSignature`).
 *
 * The signature is HMAC-SHA256, keyed with the shared secret, over `{timestamp}.{raw body}`:
 * binding the timestamp into the MAC lets a receiver refuse replays of an old delivery (it checks
 * the timestamp is recent), and signing the raw bytes means the receiver must verify before it
 * parses. Every attempt is signed again with its own timestamp; the idempotency key stays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const webhookHeaders = {
  /** Unix seconds the attempt was signed at. */
  timestamp: 'x-upload-timestamp',
  /** `v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`. */
  signature: 'x-upload-signature',
  /** The same for every attempt and every re-send of one upload's notification. */
  idempotencyKey: 'idempotency-key',
  /** 1 for the first attempt. */
  attempt: 'x-upload-delivery-attempt',
} as const;

/** A receiver refuses deliveries signed longer ago than this (and as far in the future). */
export const signatureToleranceSeconds = 300;

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** True when the signature is the body's under the secret and the timestamp is recent. */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > signatureToleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
