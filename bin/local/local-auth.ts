/**
 * Authentication in the local stack, standing in for API Gateway's JWT authorizer: with
 * `AUTH_MODE=jwt` the bearer token is verified (HS256 with `AUTH_JWT_SECRET`, or the keys at
 * `AUTH_JWKS_URL`; issuer, audience and expiry checked, with jose) before any handler runs, and its
 * claims go into the event at `requestContext.authorizer.jwt.claims` exactly as API Gateway puts
 * them (every value a string). With `AUTH_MODE=none` (the default) every request is the one
 * implicit user, as if it carried a token with `sub: "local"`; the old service's curl examples
 * keep working. The handlers read the caller from the event the same way in both places
 * (`lambdas/http/handler.ts`, `ownerOf`).
 */
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { ConfigError } from '../../lambdas/runtime/config.js';

/** The issuer and audience local tokens carry unless `AUTH_ISSUER` / `AUTH_AUDIENCE` say otherwise. */
export const localTokenDefaults = {
  issuer: 'resumable-upload-local',
  audience: 'resumable-upload-api',
} as const;

/** The one implicit user of `AUTH_MODE=none`. */
export const implicitLocalUser = 'local';

/** HS256 keys shorter than the hash (256 bits) weaken it (RFC 7518, section 3.2). */
const minSecretLength = 32;

const authEnvSchema = z
  .object({
    AUTH_MODE: z.enum(['none', 'jwt'], { error: 'AUTH_MODE must be none or jwt' }).default('none'),
    AUTH_JWT_SECRET: z
      .string()
      .min(minSecretLength, `AUTH_JWT_SECRET must be at least ${minSecretLength} characters (an HS256 key)`)
      .optional(),
    AUTH_JWKS_URL: z.url({ error: 'AUTH_JWKS_URL must be a URL' }).optional(),
    AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER must not be empty').default(localTokenDefaults.issuer),
    AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE must not be empty').default(localTokenDefaults.audience),
  })
  .refine(
    (env) =>
      env.AUTH_MODE !== 'jwt' || (env.AUTH_JWT_SECRET === undefined) !== (env.AUTH_JWKS_URL === undefined),
    {
      path: ['AUTH_MODE'],
      error: 'AUTH_MODE=jwt needs exactly one of AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL',
    },
  );

export interface LocalAuthSettings {
  mode: 'none' | 'jwt';
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  /** Accepted audiences (`AUTH_AUDIENCE`, comma-separated): a token's `aud` must hold one. */
  audience: string[];
}

/** Reads and validates the `AUTH_*` variables; a bad value throws `ConfigError` naming it. */
export function loadLocalAuthSettings(env: NodeJS.ProcessEnv = process.env): LocalAuthSettings {
  const parsed = authEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    mode: e.AUTH_MODE,
    secret: e.AUTH_JWT_SECRET,
    jwksUrl: e.AUTH_JWKS_URL,
    issuer: e.AUTH_ISSUER,
    audience: e.AUTH_AUDIENCE.split(',')
      .map((audience) => audience.trim())
      .filter(Boolean),
  };
}

/** `requestContext.authorizer` of a payload 2.0 event whose route has a JWT authorizer. */
export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

export type Authentication = { ok: true; authorizer: JwtAuthorizerContext } | { ok: false; reason: string };

/**
 * Claims as API Gateway passes them to the integration: numbers and booleans as strings, arrays as
 * `[a b]`, objects as JSON.
 */
export function gatewayClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.map(String).join(' ')}]`
        : value !== null && typeof value === 'object'
          ? JSON.stringify(value)
          : String(value),
    ]),
  );
}

/** Why a token was refused, in words a client can act on (never the token itself). */
function refusalOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired; get a new one';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'the token is not for this API (its aud claim does not match)';
    if (error.claim === 'iss') return 'the token was issued by another issuer (its iss claim does not match)';
    return `the token's ${error.claim} claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm this API does not accept';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  ) {
    return 'the keys at AUTH_JWKS_URL could not be read, so no token can be verified';
  }
  return 'the token is malformed';
}

/** Verifies `Authorization` headers under the settings; one per local stack. */
export function createAuthenticator(
  settings: LocalAuthSettings,
): (authorization: string | undefined) => Promise<Authentication> {
  if (settings.mode === 'none') {
    const authorizer: JwtAuthorizerContext = { jwt: { claims: { sub: implicitLocalUser }, scopes: null } };
    return async () => ({ ok: true, authorizer: structuredClone(authorizer) });
  }
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    // API Gateway refuses tokens without an expiry too.
    requiredClaims: ['exp'],
  };
  let verify: (token: string) => Promise<{ payload: JWTPayload }>;
  if (settings.secret) {
    const secret = new TextEncoder().encode(settings.secret);
    verify = (token) => jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  } else {
    const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(settings.jwksUrl as string));
    verify = (token) => jwtVerify(token, keys, options);
  }
  return async (authorization) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, reason: 'no bearer token: send "Authorization: Bearer <token>"' };
    try {
      const { payload } = await verify(token);
      return { ok: true, authorizer: { jwt: { claims: gatewayClaims(payload), scopes: null } } };
    } catch (error) {
      return { ok: false, reason: refusalOf(error) };
    }
  };
}
