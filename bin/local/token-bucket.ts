/**
 * The local stack's stand-in for API Gateway throttling: one token bucket per route, holding at
 * most `burst` tokens and refilled at `ratePerSecond`, like the stage's default route settings
 * (`throttleRateLimitPerSecond`, `throttleBurstLimitRequests`) apply to each route on AWS.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token if there is one; `false` means the request is throttled. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
