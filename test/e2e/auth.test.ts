/**
 * Authentication and per-owner isolation over HTTP on the local stack with `AUTH_MODE=jwt`
 * (HS256): the local API Gateway stand-in verifies tokens before any handler runs, and each
 * endpoint answers another owner's upload exactly like an unknown one.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTokenDefaults } from '../../bin/local/local-auth.js';
import { type ApiAnswer, type ApiClient, chunksOf } from '../support/api-client.js';
import { digestOf, patternBytes, sha256Hex } from '../support/bytes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const secret = 'e2e-secret-0123456789abcdef0123456789';
const chunkSize = 64 * 1024;
let t: TestStack;
let alice: ApiClient;
let bob: ApiClient;

async function tokenFor(
  sub: string,
  claims: { audience?: string; issuer?: string; expiresAt?: number | string; key?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(claims.issuer ?? localTokenDefaults.issuer)
    .setAudience(claims.audience ?? localTokenDefaults.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresAt ?? '10m')
    .sign(new TextEncoder().encode(claims.key ?? secret));
}

beforeAll(async () => {
  t = await startTestStack({
    AUTH_MODE: 'jwt',
    AUTH_JWT_SECRET: secret,
    CHUNK_SIZE: String(chunkSize),
    COMPLETE_WAIT_SECONDS: '20',
  });
  alice = t.api.as(await tokenFor('alice'));
  bob = t.api.as(await tokenFor('bob'));
});
afterAll(async () => {
  await t?.stop();
  for (const name of ['AUTH_MODE', 'AUTH_JWT_SECRET']) delete process.env[name];
});

const file = patternBytes(3 * chunkSize + 100, 11);
const chunks = chunksOf(file, chunkSize);

/** Alice's upload with chunks 0 and 1 stored. */
async function alicesUpload(): Promise<string> {
  const init = await alice.init({ filename: 'alice.bin', totalSize: file.length, checksum: sha256Hex(file) });
  expect(init.status).toBe(200);
  const uploadId = init.body.uploadId as string;
  for (const index of [0, 1]) {
    expect(
      (await alice.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunks[index])).status,
    ).toBe(200);
  }
  return uploadId;
}

/** What alice can see of her upload, and its objects in S3. */
async function aliceView(uploadId: string) {
  return {
    status: (await alice.status(uploadId)).body,
    objects: await Promise.all(
      chunks.map(async (_, index) => digestOf(await t.readObject(`uploads/${uploadId}/${index}.chunk`))),
    ),
  };
}

const endpoints: Record<string, (api: ApiClient, uploadId: string) => Promise<ApiAnswer>> = {
  status: (api, uploadId) => api.status(uploadId),
  chunk: (api, uploadId) => api.chunk({ uploadId, chunkIndex: 2, totalChunks: chunks.length }, chunks[2]),
  'chunk (a stored index, other bytes)': (api, uploadId) =>
    api.chunk({ uploadId, chunkIndex: 0, totalChunks: chunks.length }, chunks[1]),
  complete: (api, uploadId) => api.complete(uploadId),
  abort: (api, uploadId) => api.abort(uploadId),
};

/** The body an unknown id gets, with the id swapped for `uploadId`. */
async function unknownBody(call: (api: ApiClient, uploadId: string) => Promise<ApiAnswer>, uploadId: string) {
  const unknown = randomUUID();
  const answer = await call(bob, unknown);
  expect(answer.status).toBe(404);
  return JSON.parse(JSON.stringify(answer.body).replaceAll(unknown, uploadId));
}

describe('isolation matrix (AUTH_MODE=jwt)', () => {
  it.each(Object.keys(endpoints))(
    "%s: bob gets 404 for alice's upload, exactly as for an unknown id, and alice's upload is unchanged",
    async (name) => {
      const call = endpoints[name] as (api: ApiClient, uploadId: string) => Promise<ApiAnswer>;
      const uploadId = await alicesUpload();
      const before = await aliceView(uploadId);

      const answer = await call(bob, uploadId);

      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(await unknownBody(call, uploadId));
      expect(await aliceView(uploadId)).toEqual(before);
    },
  );

  it('lets alice complete her upload unchanged after bob tried every endpoint', async () => {
    const uploadId = await alicesUpload();
    for (const call of Object.values(endpoints)) expect((await call(bob, uploadId)).status).toBe(404);

    const last = await alice.chunk({ uploadId, chunkIndex: 2, totalChunks: chunks.length }, chunks[2]);
    const lastToo = await alice.chunk({ uploadId, chunkIndex: 3, totalChunks: chunks.length }, chunks[3]);
    const done = await alice.complete(uploadId);

    expect([last.status, lastToo.status, done.status]).toEqual([200, 200, 200]);
    expect(done.body).toMatchObject({ state: 'completed', metadata: { checksum: sha256Hex(file) } });
    expect(digestOf(await t.readObject(`completed/${uploadId}/alice.bin`))).toBe(digestOf(file));
    expect((await bob.status(uploadId)).status).toBe(404);
  });

  it('shares registered schemas between owners: they are formats, not uploads', async () => {
    const registered = await alice.putSchema('shared.qa', { type: 'object' });
    const read = await bob.getSchema('shared.qa');

    expect([registered.status, read.status]).toEqual([200, 200]);
    expect(read.body).toEqual(registered.body);
  });
});

describe('tokens (AUTH_MODE=jwt)', () => {
  const refusals: [string, () => Promise<string | undefined>, RegExp][] = [
    ['missing', async () => undefined, /no bearer token/],
    ['expired', () => tokenFor('alice', { expiresAt: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    [
      'tampered',
      async () => {
        const [header, , signature] = (await tokenFor('alice')).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            sub: 'mallory',
            iss: localTokenDefaults.issuer,
            aud: localTokenDefaults.audience,
            exp: 4e9,
          }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
      /signature is invalid/,
    ],
    [
      'signed with another secret',
      () => tokenFor('alice', { key: 'another-secret-0123456789abcdef0123' }),
      /signature/,
    ],
    ['for another audience', () => tokenFor('alice', { audience: 'some-other-api' }), /aud claim/],
    ['from another issuer', () => tokenFor('alice', { issuer: 'https://elsewhere.example' }), /iss claim/],
    ['not a JWT', async () => 'not.a.jwt', /malformed/],
  ];

  it.each(refusals)(
    'answers 401 with a JSON message for a %s token, on every route but health',
    async (_, token, reason) => {
      const api = t.api.as(await token());
      const uploadId = randomUUID();

      const answers = [
        await api.init({ filename: 'a.bin', totalSize: 1 }),
        await api.chunk({ uploadId, chunkIndex: 0, totalChunks: 1 }, new Uint8Array(1)),
        await api.status(uploadId),
        await api.complete(uploadId),
        await api.abort(uploadId),
        await api.putSchema('x', { type: 'object' }),
        await api.getSchema('x'),
      ];

      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(reason) });
      }
    },
  );

  it('keeps the health check open', async () => {
    const response = await fetch(`${t.stack.url}/api/health`);

    expect(response.status).toBe(200);
  });

  it('says why in a WWW-Authenticate header, as API Gateway does', async () => {
    const response = await fetch(`${t.stack.url}/api/upload/status/${randomUUID()}`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});
