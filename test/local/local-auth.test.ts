import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createAuthenticator,
  gatewayClaims,
  loadLocalAuthSettings,
  localTokenDefaults,
} from '../../bin/local/local-auth.js';
import { TokenBucket } from '../../bin/local/token-bucket.js';

const secret = 'unit-secret-0123456789abcdef012345678';

describe('local auth settings', () => {
  it('defaults to AUTH_MODE=none with the local issuer and audience', () => {
    expect(loadLocalAuthSettings({})).toEqual({
      mode: 'none',
      secret: undefined,
      jwksUrl: undefined,
      issuer: localTokenDefaults.issuer,
      audience: [localTokenDefaults.audience],
    });
  });

  it.each([
    [
      { AUTH_MODE: 'jwt' },
      /AUTH_MODE: AUTH_MODE=jwt needs exactly one of AUTH_JWT_SECRET \(HS256\) or AUTH_JWKS_URL/,
    ],
    [{ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'short' }, /AUTH_JWT_SECRET: .*at least 32 characters/],
    [{ AUTH_MODE: 'oidc' }, /AUTH_MODE must be none or jwt/],
    [{ AUTH_MODE: 'jwt', AUTH_JWKS_URL: 'not a url' }, /AUTH_JWKS_URL must be a URL/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadLocalAuthSettings(env)).toThrow(message);
  });

  it('accepts several audiences, comma-separated', () => {
    expect(loadLocalAuthSettings({ AUTH_AUDIENCE: 'a, b' }).audience).toEqual(['a', 'b']);
  });
});

describe('claims in the event', () => {
  it('passes every claim as a string, as API Gateway does', () => {
    expect(
      gatewayClaims({ sub: 'alice', exp: 1700000000, admin: true, groups: ['a', 'b'], ctx: { x: 1 } }),
    ).toEqual({
      sub: 'alice',
      exp: '1700000000',
      admin: 'true',
      groups: '[a b]',
      ctx: '{"x":1}',
    });
  });

  it('gives AUTH_MODE=none requests the claims of the implicit user local, whatever they send', async () => {
    const authenticate = createAuthenticator(loadLocalAuthSettings({}));

    expect(await authenticate('Bearer whatever')).toEqual({
      ok: true,
      authorizer: { jwt: { claims: { sub: 'local' }, scopes: null } },
    });
  });

  it('puts a verified token’s claims in the authorizer context', async () => {
    const authenticate = createAuthenticator(
      loadLocalAuthSettings({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: secret }),
    );
    const token = await new SignJWT({ scope: 'upload' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(localTokenDefaults.issuer)
      .setAudience(localTokenDefaults.audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));

    const result = await authenticate(`Bearer ${token}`);

    expect(result).toMatchObject({
      ok: true,
      authorizer: { jwt: { claims: { sub: 'alice', scope: 'upload' } } },
    });
  });

  it('refuses a token without an expiry, as API Gateway does', async () => {
    const authenticate = createAuthenticator(
      loadLocalAuthSettings({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: secret }),
    );
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(localTokenDefaults.issuer)
      .setAudience(localTokenDefaults.audience)
      .sign(new TextEncoder().encode(secret));

    expect(await authenticate(`Bearer ${token}`)).toEqual({
      ok: false,
      reason: "the token's exp claim is missing",
    });
  });
});

describe('AUTH_JWKS_URL', () => {
  it('verifies RS256 tokens with the keys served at the URL, and refuses a token signed by another key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
    const { port } = server.address() as AddressInfo;
    try {
      const authenticate = createAuthenticator(
        loadLocalAuthSettings({
          AUTH_MODE: 'jwt',
          AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
          AUTH_ISSUER: 'https://idp.example.com',
          AUTH_AUDIENCE: 'upload-api',
        }),
      );
      const sign = (key: typeof privateKey) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setSubject('carol')
          .setIssuer('https://idp.example.com')
          .setAudience('upload-api')
          .setExpirationTime('5m')
          .sign(key);

      const accepted = await authenticate(`Bearer ${await sign(privateKey)}`);
      const forged = await authenticate(`Bearer ${await sign(other.privateKey)}`);

      expect(accepted).toMatchObject({ ok: true, authorizer: { jwt: { claims: { sub: 'carol' } } } });
      expect(forged).toEqual({ ok: false, reason: 'the token signature is invalid' });
    } finally {
      server.close();
    }
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);

    const burst = [bucket.take(), bucket.take(), bucket.take(), bucket.take()];
    now += 500;
    const refilled = [bucket.take(), bucket.take()];

    expect(burst).toEqual([true, true, true, false]);
    expect(refilled).toEqual([true, false]);
  });
});
