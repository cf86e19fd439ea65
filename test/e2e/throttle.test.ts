/** The local stand-in for API Gateway throttling: a token bucket per route, answered with 429. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ THROTTLE_RATE_LIMIT: '1', THROTTLE_BURST_LIMIT: '5' });
});
afterAll(async () => {
  await t?.stop();
});

describe('throttling on the local stack', () => {
  it('answers 429 naming the rate and burst limits once a route has used its burst', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${t.stack.url}/api/health`)));
    const statuses = answers.map((answer) => answer.status);
    const throttled = answers.find((answer) => answer.status === 429);

    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(6);
    expect(await throttled?.json()).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: 'THROTTLE_RATE_LIMIT',
      rateLimitPerSecond: 1,
      burstLimit: 5,
      message: expect.stringMatching(
        /1 requests per second with bursts of 5 \(THROTTLE_RATE_LIMIT, THROTTLE_BURST_LIMIT\)/,
      ),
    });
  });

  it('throttles each route on its own bucket, as API Gateway route settings do', async () => {
    const status = await t.api.status('00000000-0000-4000-8000-000000000000');

    expect(status.status).toBe(404);
  });
});
