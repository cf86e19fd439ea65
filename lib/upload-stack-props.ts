/**
 * The stack's tunable settings: the public props (flat, units in the names) and their
 * validation into the values the functions receive as environment variables
 * (`lambdas/runtime/config.ts` reads the same variables and enforces the same bounds).
 */
import {
  apiGatewayPayloadLimitBytes,
  maxChunkSizeBytes,
  multipartOverheadBytes,
} from '../lambdas/runtime/config.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Properties of {@link UploadStack}. Every one is optional; the defaults match the old service. */
export interface UploadSettingsProps {
  /**
   * Size of one upload chunk, in MiB, answered by `init` as `chunkSize`.
   * At most 4 MiB: a chunk travels through Lambda, whose invoke payload is limited to 6 MB
   * and carries the body base64-encoded.
   * @default 1 - 1 MiB chunks, as in the original service
   */
  readonly chunkSizeMiB?: number;
  /**
   * Largest file a client may upload, in GiB.
   * @default 10 - uploads above 10 GiB are refused at `init`
   */
  readonly maxUploadSizeGiB?: number;
  /**
   * How long an upload session stays open for chunks, in hours. Chunks of expired sessions
   * are removed by DynamoDB TTL and an S3 lifecycle rule.
   * @default 24 - a session expires one day after it was started
   */
  readonly sessionTtlHours?: number;
  /**
   * How long `complete` waits for the workflow's result before it answers 202, in seconds.
   * At most 25: API Gateway HTTP APIs end an integration after 30 s.
   * @default 10 - `complete` answers within about ten seconds
   */
  readonly completeWaitSeconds?: number;
  /**
   * How long the result of a finished upload stays readable through `status`, in days.
   * @default 30 - results are kept for thirty days
   */
  readonly resultRetentionDays?: number;
  /**
   * Steady-state request rate the HTTP API accepts, in requests per second (all routes).
   * @default 100 - enough for several clients uploading chunks in parallel
   */
  readonly throttleRateLimitPerSecond?: number;
  /**
   * Burst the HTTP API accepts above the steady-state rate, in requests.
   * @default 200 - twice the default rate limit
   */
  readonly throttleBurstLimitRequests?: number;
  /**
   * What PII found in a dataset does: `report` it in `metadata.scan.pii`, or `reject` the upload.
   * @default 'report' - PII is reported with masked samples, the upload is not refused for it
   */
  readonly piiPolicy?: 'report' | 'reject';
  /**
   * What credentials found in a dataset do: `report` them in `metadata.scan.secrets`, or `reject`.
   * @default 'report' - credentials are reported masked, the upload is not refused for them
   */
  readonly secretsPolicy?: 'report' | 'reject';
  /**
   * What a pickle that could not be fully scanned gets: `quarantine`, `reject`, or `report` only.
   * @default 'quarantine' - fail closed: what was not looked at is never published as safe
   */
  readonly unscannablePolicy?: 'quarantine' | 'reject' | 'report';
  /**
   * What a file ClamAV could not scan (`not_scanned`: over its limits or no signatures yet;
   * `error`: the scanner failed) gets: `quarantine`, `reject`, or `report` only.
   * @default 'quarantine' - fail closed: a file the scanner did not look at is never published
   */
  readonly malwareUnscannedPolicy?: 'quarantine' | 'reject' | 'report';
  /**
   * `sample`: run Amazon Comprehend's DetectPiiEntities on a sample (the first ~90 KB of record
   * text) of each dataset, for names and addresses; counts are reported, never used to reject.
   * Grants the AnalyzeFile function `comprehend:DetectPiiEntities` and costs per request.
   * @default 'off'
   */
  readonly comprehendPii?: 'off' | 'sample';
  /**
   * Issuer URL of the OIDC provider whose JWTs the API accepts (`iss`, https; API Gateway reads its
   * keys from `{issuer}/.well-known/openid-configuration`). Needs `jwtAudience`.
   * @default - the stack creates an Amazon Cognito user pool and app client and accepts their tokens
   */
  readonly jwtIssuerUrl?: string;
  /**
   * Audiences the API accepts: a token's `aud` (or, for Cognito access tokens, `client_id`) must be one.
   * @default - the app client of the user pool the stack creates (only without `jwtIssuerUrl`)
   */
  readonly jwtAudience?: readonly string[];
  /**
   * How callers authenticate: `jwt` (a JWT authorizer) or `iam` (SigV4-signed requests, for
   * service-to-service use; the owner of an upload is then the caller's ARN).
   * @default 'jwt' - every route but the health check needs a valid JWT
   */
  readonly authorization?: 'jwt' | 'iam';
  /**
   * Browser origins allowed to call the API (CORS), each exactly as browsers send it
   * (`https://app.example.com`); `*` is refused.
   * @default - no CORS configuration: browsers on other origins cannot call the API
   */
  readonly corsAllowedOrigins?: readonly string[];
  /**
   * Encrypt the upload bucket and the session table with a customer-managed KMS key the stack
   * creates (with yearly rotation), instead of AWS-managed keys.
   * @default false - SSE-S3 for the bucket, the AWS-managed key for the table
   */
  readonly customerManagedKey?: boolean;
  /**
   * Most uploads one caller may have open (`uploading`) at once; `init` answers 429 above it.
   * @default 20 - enough for parallel uploads of a dataset's shards
   */
  readonly maxOpenUploadsPerOwner?: number;
  /**
   * Most chunks one upload may have; `init` answers 413 above it.
   * @default 20000 - a 10 GiB upload in 1 MiB chunks has 10,240
   */
  readonly maxChunkCount?: number;
  /**
   * Largest request body a function accepts, in MiB (at least the chunk size plus 64 KiB of form,
   * at most API Gateway's 10 MB); 413 above it.
   * @default 5 - a 4 MiB chunk and its form fit
   */
  readonly maxRequestBodySizeMiB?: number;
  /**
   * Steady-state request rate of `POST /api/upload/init` alone, in requests per second (a route
   * throttle below the stage's: each init creates a session).
   * @default 10 - ten new uploads per second across all callers
   */
  readonly initThrottleRateLimitPerSecond?: number;
  /**
   * Burst of `POST /api/upload/init` above its steady-state rate, in requests.
   * @default 20 - twice the default init rate
   */
  readonly initThrottleBurstLimitRequests?: number;
}

/** Who the API lets in: an OIDC provider's JWTs, the stack's own Cognito user pool, or IAM. */
export type UploadAuthSettings =
  | { readonly kind: 'jwt'; readonly issuerUrl: string; readonly audience: readonly string[] }
  | { readonly kind: 'cognito' }
  | { readonly kind: 'iam' };

/** The validated settings, in the units the functions' environment uses. */
export interface UploadSettings {
  readonly chunkSizeBytes: number;
  readonly maxUploadSizeBytes: number;
  readonly sessionTtlHours: number;
  readonly completeWaitSeconds: number;
  readonly resultRetentionDays: number;
  readonly throttleRateLimitPerSecond: number;
  readonly throttleBurstLimitRequests: number;
  readonly piiPolicy: 'report' | 'reject';
  readonly secretsPolicy: 'report' | 'reject';
  readonly unscannablePolicy: 'quarantine' | 'reject' | 'report';
  readonly malwareUnscannedPolicy: 'quarantine' | 'reject' | 'report';
  readonly comprehendPii: 'off' | 'sample';
  /** Days after which the `uploads/` lifecycle rule removes chunks: the session TTL in days, plus one. */
  readonly chunkExpirationDays: number;
  readonly auth: UploadAuthSettings;
  readonly corsAllowedOrigins: readonly string[];
  readonly customerManagedKey: boolean;
  readonly maxOpenUploadsPerOwner: number;
  readonly maxChunkCount: number;
  readonly maxRequestBodyBytes: number;
  readonly initThrottleRateLimitPerSecond: number;
  readonly initThrottleBurstLimitRequests: number;
}

/** Thrown when {@link UploadSettingsProps} hold a value the system cannot run with. */
export class UploadStackPropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadStackPropsError';
  }
}

function requireRange(name: string, value: number, min: number, max: number, why = ''): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UploadStackPropsError(
      `UploadStackProps.${name} must be between ${min} and ${max}${why}, got ${String(value)}`,
    );
  }
  return value;
}

function requireInteger(name: string, value: number): number {
  if (!Number.isInteger(value)) {
    throw new UploadStackPropsError(`UploadStackProps.${name} must be a whole number, got ${String(value)}`);
  }
  return value;
}

/** Applies the defaults and checks every bound; throws {@link UploadStackPropsError} naming the prop. */
export function resolveUploadSettings(props: UploadSettingsProps = {}): UploadSettings {
  const chunkSizeMiB = requireRange(
    'chunkSizeMiB',
    props.chunkSizeMiB ?? 1,
    1 / 1024,
    maxChunkSizeBytes / MiB,
    ' (a chunk passes through a Lambda invoke payload of at most 6 MB, base64-encoded)',
  );
  const chunkSizeBytes = Math.round(chunkSizeMiB * MiB);
  const maxUploadSizeGiB = requireRange(
    'maxUploadSizeGiB',
    props.maxUploadSizeGiB ?? 10,
    1 / GiB,
    5 * 1024,
    ' (5 TiB is the largest S3 object)',
  );
  const sessionTtlHours = requireRange('sessionTtlHours', props.sessionTtlHours ?? 24, 1 / 60, 24 * 30);
  const completeWaitSeconds = requireRange(
    'completeWaitSeconds',
    props.completeWaitSeconds ?? 10,
    0,
    25,
    ' (API Gateway HTTP APIs end an integration after 30 s)',
  );
  const resultRetentionDays = requireInteger(
    'resultRetentionDays',
    requireRange('resultRetentionDays', props.resultRetentionDays ?? 30, 1, 3650),
  );
  const throttleRateLimitPerSecond = requireRange(
    'throttleRateLimitPerSecond',
    props.throttleRateLimitPerSecond ?? 100,
    1,
    10_000,
  );
  const throttleBurstLimitRequests = requireInteger(
    'throttleBurstLimitRequests',
    requireRange('throttleBurstLimitRequests', props.throttleBurstLimitRequests ?? 200, 1, 5000),
  );
  const oneOf = <T extends string>(
    name: string,
    value: T | undefined,
    fallback: T,
    allowed: readonly T[],
  ): T => {
    const chosen = value ?? fallback;
    if (!allowed.includes(chosen)) {
      throw new UploadStackPropsError(
        `UploadStackProps.${name} must be one of ${allowed.join(', ')}, got ${String(chosen)}`,
      );
    }
    return chosen;
  };
  const maxRequestBodyBytes = Math.round(
    requireRange(
      'maxRequestBodySizeMiB',
      props.maxRequestBodySizeMiB ?? 5,
      (chunkSizeBytes + multipartOverheadBytes) / MiB,
      apiGatewayPayloadLimitBytes / MiB,
      ' (a chunk request carries a chunk plus 64 KiB of form; API Gateway refuses payloads above 10 MB)',
    ) * MiB,
  );
  return {
    auth: resolveAuth(props),
    corsAllowedOrigins: resolveCorsOrigins(props.corsAllowedOrigins ?? []),
    customerManagedKey: props.customerManagedKey ?? false,
    maxOpenUploadsPerOwner: requireInteger(
      'maxOpenUploadsPerOwner',
      requireRange('maxOpenUploadsPerOwner', props.maxOpenUploadsPerOwner ?? 20, 1, 1000),
    ),
    maxChunkCount: requireInteger(
      'maxChunkCount',
      requireRange('maxChunkCount', props.maxChunkCount ?? 20_000, 1, 1_000_000),
    ),
    maxRequestBodyBytes,
    initThrottleRateLimitPerSecond: requireRange(
      'initThrottleRateLimitPerSecond',
      props.initThrottleRateLimitPerSecond ?? 10,
      1,
      10_000,
    ),
    initThrottleBurstLimitRequests: requireInteger(
      'initThrottleBurstLimitRequests',
      requireRange('initThrottleBurstLimitRequests', props.initThrottleBurstLimitRequests ?? 20, 1, 5000),
    ),
    piiPolicy: oneOf('piiPolicy', props.piiPolicy, 'report', ['report', 'reject']),
    secretsPolicy: oneOf('secretsPolicy', props.secretsPolicy, 'report', ['report', 'reject']),
    unscannablePolicy: oneOf('unscannablePolicy', props.unscannablePolicy, 'quarantine', [
      'quarantine',
      'reject',
      'report',
    ]),
    malwareUnscannedPolicy: oneOf('malwareUnscannedPolicy', props.malwareUnscannedPolicy, 'quarantine', [
      'quarantine',
      'reject',
      'report',
    ]),
    comprehendPii: oneOf('comprehendPii', props.comprehendPii, 'off', ['off', 'sample']),
    chunkSizeBytes,
    maxUploadSizeBytes: Math.round(maxUploadSizeGiB * GiB),
    sessionTtlHours,
    completeWaitSeconds,
    resultRetentionDays,
    throttleRateLimitPerSecond,
    throttleBurstLimitRequests,
    chunkExpirationDays: Math.ceil(sessionTtlHours / 24) + 1,
  };
}

function resolveAuth(props: UploadSettingsProps): UploadAuthSettings {
  const authorization = props.authorization ?? 'jwt';
  if (authorization !== 'jwt' && authorization !== 'iam') {
    throw new UploadStackPropsError(
      `UploadStackProps.authorization must be jwt or iam, got ${String(authorization)}`,
    );
  }
  const audience = [...(props.jwtAudience ?? [])];
  if (authorization === 'iam') {
    if (props.jwtIssuerUrl !== undefined || audience.length > 0) {
      throw new UploadStackPropsError(
        'UploadStackProps.jwtIssuerUrl and jwtAudience configure the JWT authorizer; leave them out with authorization iam',
      );
    }
    return { kind: 'iam' };
  }
  if (props.jwtIssuerUrl === undefined) {
    if (audience.length > 0) {
      throw new UploadStackPropsError(
        'UploadStackProps.jwtAudience needs jwtIssuerUrl (without both the stack creates a Cognito user pool)',
      );
    }
    return { kind: 'cognito' };
  }
  let issuer: URL;
  try {
    issuer = new URL(props.jwtIssuerUrl);
  } catch {
    throw new UploadStackPropsError(`UploadStackProps.jwtIssuerUrl must be a URL, got ${props.jwtIssuerUrl}`);
  }
  if (issuer.protocol !== 'https:') {
    throw new UploadStackPropsError(
      `UploadStackProps.jwtIssuerUrl must be an https URL (API Gateway fetches the issuer's keys over HTTPS), got ${props.jwtIssuerUrl}`,
    );
  }
  if (audience.length === 0 || audience.some((entry) => entry.length === 0)) {
    throw new UploadStackPropsError(
      'UploadStackProps.jwtAudience must name at least one audience (non-empty) when jwtIssuerUrl is set',
    );
  }
  return { kind: 'jwt', issuerUrl: props.jwtIssuerUrl, audience };
}

function resolveCorsOrigins(origins: readonly string[]): readonly string[] {
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (origin === '*' || !parsed || parsed.origin !== origin) {
      throw new UploadStackPropsError(
        `UploadStackProps.corsAllowedOrigins must list exact origins such as https://app.example.com (no "*", path or trailing slash), got ${origin}`,
      );
    }
  }
  return [...origins];
}
