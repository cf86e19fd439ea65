/**
 * `npm run -s token -- --sub alice`: prints a development JWT for the local stack's
 * `AUTH_MODE=jwt`, signed HS256 with `AUTH_JWT_SECRET` and carrying the issuer and audience the
 * local stack checks (`AUTH_ISSUER`, `AUTH_AUDIENCE`, or their defaults). Use it as
 * `curl -H "Authorization: Bearer $(npm run -s token -- --sub alice)" ...`.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { loadLocalAuthSettings } from './local/local-auth.js';

const usage = `Usage: npm run -s token -- --sub <user> [--expires-in <span>] [--secret <HS256 secret>] [--issuer <iss>] [--audience <aud>]

Prints a JWT for the local stack with AUTH_MODE=jwt, signed with AUTH_JWT_SECRET (or --secret).
  --sub         the user (the token's sub claim; uploads belong to it)        required
  --expires-in  lifetime, e.g. 30m, 1h, 2d (jose time span)                  default 1h
  --secret      the HS256 secret                                             default AUTH_JWT_SECRET
  --issuer      iss claim                                                    default AUTH_ISSUER or resumable-upload-local
  --audience    aud claim                                                    default the first of AUTH_AUDIENCE or resumable-upload-api
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      'expires-in': { type: 'string', default: '1h' },
      secret: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const sub = values.sub as string | undefined;
if (!sub) fail('--sub is required: the user the token is for, e.g. --sub alice.');

const settings = (() => {
  try {
    return loadLocalAuthSettings({
      ...process.env,
      AUTH_MODE: 'jwt',
      AUTH_JWKS_URL: undefined,
      ...(values.secret ? { AUTH_JWT_SECRET: values.secret as string } : {}),
    });
  } catch (error) {
    const reason = (error as Error).message;
    return fail(
      /AUTH_JWT_SECRET|AUTH_MODE/.test(reason) && !(values.secret || process.env.AUTH_JWT_SECRET)
        ? 'Set AUTH_JWT_SECRET (the same value the local stack runs with; at least 32 characters) or pass --secret.'
        : reason,
    );
  }
})();

try {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer((values.issuer as string | undefined) ?? settings.issuer)
    .setAudience((values.audience as string | undefined) ?? (settings.audience[0] as string))
    .setIssuedAt()
    .setExpirationTime(values['expires-in'] as string)
    .sign(new TextEncoder().encode(settings.secret));
  process.stdout.write(`${token}\n`);
} catch (error) {
  fail(`Could not sign the token: ${(error as Error).message}`);
}
