/**
 * The one behaviour every `SessionRepository` must have, run against the in-memory adapter and
 * the DynamoDB adapter on dynalite (`session-repository.test.ts`). Each test works on its own
 * fresh upload id, so a suite can share one table across tests.
 */
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../lambdas/core/errors.js';
import type { ChunkRecord, UploadSession } from '../../lambdas/core/model.js';
import type { SessionRepository } from '../../lambdas/core/ports.js';

const now = Date.UTC(2026, 10, 28, 12, 0, 0);

export function sessionFixture(overrides: Partial<UploadSession> = {}): UploadSession {
  return {
    uploadId: randomUUID(),
    owner: 'local',
    originalFilename: 'train data.jsonl',
    filename: 'train_data.jsonl',
    totalSize: 10 * 1024 * 1024,
    chunkSize: 1024 * 1024,
    totalChunks: 10,
    state: 'uploading',
    receivedCount: 0,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 86_400_000,
    ttl: Math.ceil((now + 86_400_000) / 1000) + 30 * 86_400,
    ...overrides,
  };
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export function chunkFixture(index: number, overrides: Partial<ChunkRecord> = {}): ChunkRecord {
  return {
    index,
    size: 1024,
    sha256: sha(`chunk ${index}`),
    status: 'pending',
    receivedAt: now,
    ...overrides,
  };
}

/** Runs `tasks` with at most `limit` in flight (the emulator is one process on a small machine). */
async function limited<T>(
  count: number,
  limit: number,
  task: (position: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const position = next++;
      results[position] = await task(position);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export interface SessionRepositoryContractOptions {
  /** Chunks written for the long `listChunks` test. @default 1200 */
  manyChunks?: number;
}

export function describeSessionRepositoryContract(
  name: string,
  factory: () => SessionRepository | Promise<SessionRepository>,
  options: SessionRepositoryContractOptions = {},
): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let sessions: SessionRepository;
    beforeAll(async () => {
      sessions = await factory();
    });

    const created = async (overrides: Partial<UploadSession> = {}): Promise<UploadSession> => {
      const session = sessionFixture(overrides);
      await sessions.create(session);
      return session;
    };

    describe('create and get', () => {
      it('reads back the session it created, optional attributes included', async () => {
        const session = await created({ checksum: sha('whole file') });

        expect(await sessions.get(session.uploadId)).toEqual(session);
      });

      it('throws ConditionFailedError when the upload id already exists', async () => {
        const session = await created();

        await expect(sessions.create({ ...session, owner: 'someone else' })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect((await sessions.get(session.uploadId))?.owner).toBe('local');
      });

      it('answers undefined for an upload that does not exist', async () => {
        expect(await sessions.get(randomUUID())).toBeUndefined();
      });

      it('keeps its stored state apart from the objects callers pass in and get back', async () => {
        const session = sessionFixture();
        await sessions.create(session);
        session.filename = 'changed-after-create';
        const read = (await sessions.get(session.uploadId)) as UploadSession;
        read.filename = 'changed-after-get';

        expect((await sessions.get(session.uploadId))?.filename).toBe('train_data.jsonl');
      });
    });

    describe('claimChunk', () => {
      it('lets the first caller claim an index and answers later callers with the winning record', async () => {
        const { uploadId } = await created();
        const first = chunkFixture(3);

        expect(await sessions.claimChunk(uploadId, first)).toEqual({ claimed: true });
        expect(await sessions.claimChunk(uploadId, chunkFixture(3, { sha256: sha('other') }))).toEqual({
          claimed: false,
          existing: first,
        });
      });

      it('lets exactly one of 50 concurrent claims on one index win, and all others see the winner', async () => {
        const { uploadId } = await created();
        const records = Array.from({ length: 50 }, (_, n) =>
          chunkFixture(0, { sha256: sha(`attempt ${n}`) }),
        );

        const claims = await Promise.all(records.map((record) => sessions.claimChunk(uploadId, record)));

        const winners = claims.flatMap((claim, n) => (claim.claimed ? [records[n]] : []));
        expect(winners).toHaveLength(1);
        for (const claim of claims) {
          if (!claim.claimed) expect(claim.existing).toEqual(winners[0]);
        }
        expect(await sessions.listChunks(uploadId)).toEqual(winners);
      });

      it('throws ConditionFailedError for an upload that does not exist', async () => {
        await expect(sessions.claimChunk(randomUUID(), chunkFixture(0))).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
      });
    });

    describe('markChunkStored', () => {
      it('stores a pending chunk with a matching sha256 and answers the count after', async () => {
        const { uploadId } = await created();
        await sessions.claimChunk(uploadId, chunkFixture(0));
        await sessions.claimChunk(uploadId, chunkFixture(1));

        expect(await sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256)).toBe(1);
        expect(await sessions.markChunkStored(uploadId, 1, chunkFixture(1).sha256)).toBe(2);
        expect((await sessions.listChunks(uploadId)).map((chunk) => chunk.status)).toEqual([
          'stored',
          'stored',
        ]);
        expect((await sessions.get(uploadId))?.receivedCount).toBe(2);
      });

      it('counts a chunk once when it is marked stored twice', async () => {
        const { uploadId } = await created();
        await sessions.claimChunk(uploadId, chunkFixture(0));

        expect(await sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256)).toBe(1);
        expect(await sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256)).toBe(1);
        expect((await sessions.get(uploadId))?.receivedCount).toBe(1);
      });

      it('counts a chunk once when 10 callers mark it stored at the same time', async () => {
        const { uploadId } = await created();
        await sessions.claimChunk(uploadId, chunkFixture(0));

        const counts = await Promise.all(
          Array.from({ length: 10 }, () => sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256)),
        );

        expect(counts).toEqual(Array.from({ length: 10 }, () => 1));
      });

      it('refuses a different sha256 with ConditionFailedError and leaves the chunk pending', async () => {
        const { uploadId } = await created();
        await sessions.claimChunk(uploadId, chunkFixture(0));

        await expect(sessions.markChunkStored(uploadId, 0, sha('other bytes'))).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect(await sessions.listChunks(uploadId)).toEqual([chunkFixture(0)]);
        expect((await sessions.get(uploadId))?.receivedCount).toBe(0);
      });

      it('refuses a different sha256 for a stored chunk without counting it again', async () => {
        const { uploadId } = await created();
        await sessions.claimChunk(uploadId, chunkFixture(0));
        await sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256);

        await expect(sessions.markChunkStored(uploadId, 0, sha('other bytes'))).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect((await sessions.get(uploadId))?.receivedCount).toBe(1);
      });

      it('refuses a chunk that was never claimed with ConditionFailedError', async () => {
        const { uploadId } = await created();

        await expect(sessions.markChunkStored(uploadId, 0, chunkFixture(0).sha256)).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
      });

      it('counts exactly 200 when 200 distinct chunks are marked stored concurrently', async () => {
        const { uploadId } = await created({ totalChunks: 200 });
        await Promise.all(
          Array.from({ length: 200 }, (_, index) => sessions.claimChunk(uploadId, chunkFixture(index))),
        );

        const counts = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            sessions.markChunkStored(uploadId, index, chunkFixture(index).sha256),
          ),
        );

        expect((await sessions.get(uploadId))?.receivedCount).toBe(200);
        // Every caller saw its own increment: the counts after are 1..200, each once.
        expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
      });
    });

    describe('listChunks', () => {
      it('answers an empty list for an upload without chunks', async () => {
        const { uploadId } = await created();

        expect(await sessions.listChunks(uploadId)).toEqual([]);
      });

      it('lists the chunks ordered by index, whatever order they were claimed in', async () => {
        const { uploadId } = await created();
        const indices = [7, 0, 12, 3, 100, 1, 10];
        for (const index of indices) await sessions.claimChunk(uploadId, chunkFixture(index));

        expect((await sessions.listChunks(uploadId)).map((chunk) => chunk.index)).toEqual(
          [...indices].sort((a, b) => a - b),
        );
      });

      it('orders indices beyond 999,999, where the zero-padded key widens', async () => {
        const { uploadId } = await created();
        for (const index of [1_000_000, 999_999, 100_001, 2]) {
          await sessions.claimChunk(uploadId, chunkFixture(index));
        }

        expect((await sessions.listChunks(uploadId)).map((chunk) => chunk.index)).toEqual([
          2, 100_001, 999_999, 1_000_000,
        ]);
      });

      it('lists every one of many chunks, in order', async () => {
        const count = options.manyChunks ?? 1200;
        const { uploadId } = await created({ totalChunks: count });
        // Claimed from the highest index down, so storage order is not index order.
        await limited(count, 25, (position) =>
          sessions.claimChunk(uploadId, chunkFixture(count - 1 - position)),
        );

        const chunks = await sessions.listChunks(uploadId);

        expect(chunks).toHaveLength(count);
        expect(chunks.every((chunk, position) => chunk.index === position)).toBe(true);
      });

      it('does not list the chunks of another upload', async () => {
        const one = await created();
        const other = await created();
        await sessions.claimChunk(one.uploadId, chunkFixture(0));

        expect(await sessions.listChunks(other.uploadId)).toEqual([]);
      });
    });

    describe('transition', () => {
      it('moves the session and sets attributes when it is in a from-state, answering the result', async () => {
        const session = await created();
        const result = { statusCode: 200, body: { success: true, nested: { list: [1, 'two'] } } };

        const after = await sessions.transition(session.uploadId, {
          from: ['uploading', 'processing'],
          to: 'completed',
          set: { updatedAt: now + 5, result, executionId: undefined },
        });

        const expected = { ...session, state: 'completed', updatedAt: now + 5, result };
        expect(after).toEqual(expected);
        expect(await sessions.get(session.uploadId)).toEqual(expected);
      });

      it('throws ConditionFailedError when the session is in another state', async () => {
        const session = await created({ state: 'processing' });

        await expect(
          sessions.transition(session.uploadId, { from: ['uploading'], to: 'aborted' }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        expect((await sessions.get(session.uploadId))?.state).toBe('processing');
      });

      it('throws ConditionFailedError when the session expired at or before notExpiredAt', async () => {
        const session = await created({ expiresAt: now });

        await expect(
          sessions.transition(session.uploadId, { from: ['uploading'], to: 'processing', notExpiredAt: now }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(
          sessions.transition(session.uploadId, {
            from: ['uploading'],
            to: 'processing',
            notExpiredAt: now - 1,
          }),
        ).resolves.toMatchObject({ state: 'processing' });
      });

      it('throws ConditionFailedError when the session does not exist', async () => {
        await expect(
          sessions.transition(randomUUID(), { from: ['uploading'], to: 'processing' }),
        ).rejects.toBeInstanceOf(ConditionFailedError);
      });

      it('lets exactly one of 20 concurrent uploading -> processing transitions win', async () => {
        const session = await created();

        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, n) =>
            sessions.transition(session.uploadId, {
              from: ['uploading'],
              to: 'processing',
              set: { processingStartedAt: now + n },
            }),
          ),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConditionFailedError);
        }
        const stored = await sessions.get(session.uploadId);
        expect(stored).toEqual((won[0] as PromiseFulfilledResult<UploadSession>).value);
        expect(stored?.state).toBe('processing');
      });
    });

    describe('update', () => {
      it('sets attributes whatever the state is', async () => {
        const session = await created({ state: 'processing' });

        await sessions.update(session.uploadId, { executionId: 'arn:execution', updatedAt: now + 1 });

        expect(await sessions.get(session.uploadId)).toEqual({
          ...session,
          executionId: 'arn:execution',
          updatedAt: now + 1,
        });
      });

      it('throws ConditionFailedError for a session that does not exist, creating nothing', async () => {
        const uploadId = randomUUID();

        await expect(sessions.update(uploadId, { executionId: 'arn:execution' })).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
        expect(await sessions.get(uploadId)).toBeUndefined();
      });
    });

    describe('listByState', () => {
      it('lists the sessions in the given states, whole, and no chunk records', async () => {
        const uploading = await created();
        await sessions.claimChunk(uploading.uploadId, chunkFixture(0));
        const expired = await created({ state: 'expired', publishedEvents: ['x:expired'] });
        const completed = await created({ state: 'completed' });

        const listed = await sessions.listByState(['uploading', 'expired']);

        const ours = listed.filter((session) =>
          [uploading.uploadId, expired.uploadId, completed.uploadId].includes(session.uploadId),
        );
        expect(ours.sort((a, b) => a.state.localeCompare(b.state))).toEqual([expired, uploading]);
        expect(listed.every((session) => ['uploading', 'expired'].includes(session.state))).toBe(true);
      });

      it('answers an empty list for no states', async () => {
        await created();

        expect(await sessions.listByState([])).toEqual([]);
      });
    });
  });
}
