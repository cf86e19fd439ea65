/**
 * One contract for every `OpenUploadLedger`, run against the in-memory adapter and the DynamoDB
 * adapter on dynalite. Each test uses its own owner, so the suites share one table.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBOpenUploadLedger } from '../../lambdas/adapters/dynamodb-open-upload-ledger.js';
import { InMemoryOpenUploadLedger } from '../../lambdas/adapters/in-memory-open-upload-ledger.js';
import { ConditionFailedError } from '../../lambdas/core/errors.js';
import type { OpenUploadLedger } from '../../lambdas/core/ports.js';
import { startTestEmulators, type TestEmulators } from '../support/emulators.js';

const entry = (expiresAt = 2_000_000) => ({ uploadId: randomUUID(), expiresAt, reservedAt: 1_000_000 });

function describeLedgerContract(name: string, ledgerOf: () => OpenUploadLedger) {
  describe(`OpenUploadLedger contract: ${name}`, () => {
    let ledger: OpenUploadLedger;
    let owner: string;
    beforeAll(() => {
      ledger = ledgerOf();
    });
    const freshOwner = () => {
      owner = `user-${randomUUID()}`;
      return owner;
    };

    it('reads an owner without a record as version 0 with no entries', async () => {
      expect(await ledger.read(freshOwner())).toEqual({ entries: [], version: 0 });
    });

    it('adds an entry at the version read, bumps the version and drops the named entries', async () => {
      freshOwner();
      const [a, b, c] = [entry(), entry(), entry()];
      await ledger.reserve(owner, 0, a, []);
      await ledger.reserve(owner, 1, b, []);

      await ledger.reserve(owner, 2, c, [a.uploadId]);

      const record = await ledger.read(owner);
      expect(record.version).toBe(3);
      expect(record.entries.sort((x, y) => x.uploadId.localeCompare(y.uploadId))).toEqual(
        [b, c].sort((x, y) => x.uploadId.localeCompare(y.uploadId)),
      );
    });

    it('refuses a reservation at a stale version with ConditionFailedError, changing nothing', async () => {
      freshOwner();
      await ledger.reserve(owner, 0, entry(), []);

      await expect(ledger.reserve(owner, 0, entry(), [])).rejects.toBeInstanceOf(ConditionFailedError);
      await expect(ledger.reserve(owner, 5, entry(), [])).rejects.toBeInstanceOf(ConditionFailedError);
      expect((await ledger.read(owner)).entries).toHaveLength(1);
    });

    it('lets exactly one of two concurrent reservations at one version land', async () => {
      freshOwner();
      await ledger.reserve(owner, 0, entry(), []);

      const outcomes = await Promise.allSettled([
        ledger.reserve(owner, 1, entry(), []),
        ledger.reserve(owner, 1, entry(), []),
      ]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await ledger.read(owner)).toMatchObject({ version: 2, entries: expect.any(Array) });
      expect((await ledger.read(owner)).entries).toHaveLength(2);
    });

    it('releases one entry without changing the version; unknown owners and ids are no-ops', async () => {
      freshOwner();
      const [a, b] = [entry(), entry()];
      await ledger.reserve(owner, 0, a, []);
      await ledger.reserve(owner, 1, b, []);

      await ledger.release(owner, a.uploadId);
      await ledger.release(owner, a.uploadId);
      await ledger.release(`nobody-${randomUUID()}`, a.uploadId);

      expect(await ledger.read(owner)).toEqual({ entries: [b], version: 2 });
      expect((await ledger.read(`nobody-${randomUUID()}`)).version).toBe(0);
    });
  });
}

describeLedgerContract('in memory', () => new InMemoryOpenUploadLedger());

let emulators: TestEmulators;
beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(async () => {
  await emulators?.cleanup();
});

describeLedgerContract(
  'DynamoDB on dynalite',
  () => new DynamoDBOpenUploadLedger(emulators.clients.documentClient, emulators.tableName),
);
