/**
 * An `OpenUploadLedger` held in memory, for unit tests of the core and the shared contract suite.
 * Each method runs without awaiting in between, so a call is as atomic as one conditional write.
 */
import { ConditionFailedError } from '../core/errors.js';
import type { OpenUploadEntry, OpenUploadLedger, OwnerOpenUploads } from '../core/ports.js';

export class InMemoryOpenUploadLedger implements OpenUploadLedger {
  private readonly records = new Map<string, OwnerOpenUploads>();

  async read(owner: string): Promise<OwnerOpenUploads> {
    return structuredClone(this.records.get(owner) ?? { entries: [], version: 0 });
  }

  async reserve(
    owner: string,
    expectedVersion: number,
    entry: OpenUploadEntry,
    drop: readonly string[],
  ): Promise<void> {
    const record = this.records.get(owner);
    if ((record?.version ?? 0) !== expectedVersion) {
      throw new ConditionFailedError(`The open uploads of ${owner} changed since version ${expectedVersion}`);
    }
    const kept = (record?.entries ?? []).filter(
      (old) => !drop.includes(old.uploadId) && old.uploadId !== entry.uploadId,
    );
    this.records.set(owner, { entries: [...kept, structuredClone(entry)], version: expectedVersion + 1 });
  }

  async release(owner: string, uploadId: string): Promise<void> {
    const record = this.records.get(owner);
    if (record) record.entries = record.entries.filter((entry) => entry.uploadId !== uploadId);
  }
}
