/**
 * A data-curation webhook receiver for the tests: an HTTP server on a free port that verifies
 * each delivery's signature the way docs/events.md tells receivers to, refuses the first
 * `failFirst` deliveries with 503 on purpose, and accepts each idempotency key once (a repeat is
 * answered 200 with the first id, and not counted as a new acceptance).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, webhookHeaders } from '../../lambdas/core/downstream/webhook-signature.js';

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  validSignature: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Idempotency key -> the id the receiver gave it: one entry per accepted notification. */
  accepted: Map<string, string>;
  /** Refuses the next `count` deliveries with 503. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, failFirst = 0): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const accepted = new Map<string, string>();
  let toRefuse = failFirst;
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      const header = (name: string) => request.headers[name] as string | undefined;
      const validSignature = verifyWebhookSignature(
        secret,
        { timestamp: header(webhookHeaders.timestamp), signature: header(webhookHeaders.signature) },
        body,
      );
      const key = header(webhookHeaders.idempotencyKey);
      let status: number;
      let answer: Record<string, unknown>;
      if (!validSignature || !key) {
        status = 401;
        answer = { message: 'bad signature' };
      } else if (toRefuse > 0) {
        toRefuse--;
        status = 503;
        answer = { message: 'busy, on purpose' };
      } else {
        const id = accepted.get(key) ?? `cur-${accepted.size + 1}`;
        accepted.set(key, id);
        status = 200;
        answer = { id };
      }
      deliveries.push({ headers: request.headers, body, validSignature, status });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/upload`,
    deliveries,
    accepted,
    refuseNext: (count) => {
      toRefuse = count;
    },
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
