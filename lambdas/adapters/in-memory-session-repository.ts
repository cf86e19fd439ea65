/**
 * A `SessionRepository` held in memory, for unit tests of the core and for the shared contract
 * suite. It keeps the same conditional semantics as the DynamoDB adapter: every method runs to
 * completion without awaiting in between, so a call is as atomic as one conditional write.
 * Everything stored or returned is a deep copy: a caller mutating an object it passed in or
 * got back never changes the stored state (DynamoDB would not let it either).
 */
import { ConditionFailedError } from '../core/errors.js';
import type { ChunkRecord, UploadSession, UploadState } from '../core/model.js';
import type { ChunkClaim, SessionRepository, SessionTransition } from '../core/ports.js';

type SessionAttributes = Partial<Omit<UploadSession, 'uploadId' | 'state'>>;

/** Applies `set` like an UpdateItem with `removeUndefinedValues`: undefined values are skipped. */
function applySet(session: UploadSession, set: SessionAttributes | undefined): void {
  for (const [name, value] of Object.entries(set ?? {})) {
    if (value !== undefined) Object.assign(session, { [name]: structuredClone(value) });
  }
}

export class InMemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly chunks = new Map<string, Map<number, ChunkRecord>>();

  async create(session: UploadSession): Promise<void> {
    if (this.sessions.has(session.uploadId)) {
      throw new ConditionFailedError(`Session ${session.uploadId} already exists`);
    }
    this.sessions.set(session.uploadId, structuredClone(session));
  }

  async get(uploadId: string): Promise<UploadSession | undefined> {
    const session = this.sessions.get(uploadId);
    return session === undefined ? undefined : structuredClone(session);
  }

  async claimChunk(uploadId: string, record: ChunkRecord): Promise<ChunkClaim> {
    // As in the DynamoDB adapter, which copies the session's ttl onto the chunk item.
    if (!this.sessions.has(uploadId)) throw new ConditionFailedError(`Session ${uploadId} does not exist`);
    let chunks = this.chunks.get(uploadId);
    if (chunks === undefined) {
      chunks = new Map();
      this.chunks.set(uploadId, chunks);
    }
    // First writer wins: like PutItem with attribute_not_exists(pk).
    const existing = chunks.get(record.index);
    if (existing !== undefined) return { claimed: false, existing: structuredClone(existing) };
    chunks.set(record.index, structuredClone(record));
    return { claimed: true };
  }

  async markChunkStored(uploadId: string, index: number, sha256: string): Promise<number> {
    const chunk = this.chunks.get(uploadId)?.get(index);
    if (chunk === undefined || chunk.sha256 !== sha256) {
      throw new ConditionFailedError(`Chunk ${index} of ${uploadId} is not claimed with this sha256`);
    }
    const session = this.sessions.get(uploadId);
    if (session === undefined) throw new ConditionFailedError(`Session ${uploadId} does not exist`);
    // Only the caller that moves the chunk pending -> stored counts it; a repeat is a no-op.
    if (chunk.status === 'pending') {
      chunk.status = 'stored';
      session.receivedCount += 1;
    }
    return session.receivedCount;
  }

  async listChunks(uploadId: string): Promise<ChunkRecord[]> {
    const chunks = [...(this.chunks.get(uploadId)?.values() ?? [])];
    return chunks.sort((a, b) => a.index - b.index).map((chunk) => structuredClone(chunk));
  }

  async transition(uploadId: string, transition: SessionTransition): Promise<UploadSession> {
    const session = this.sessions.get(uploadId);
    if (session === undefined) throw new ConditionFailedError(`Session ${uploadId} does not exist`);
    if (!transition.from.includes(session.state)) {
      throw new ConditionFailedError(
        `Session ${uploadId} is ${session.state}, not ${transition.from.join(' or ')}`,
      );
    }
    if (transition.notExpiredAt !== undefined && !(transition.notExpiredAt < session.expiresAt)) {
      throw new ConditionFailedError(`Session ${uploadId} expired at ${session.expiresAt}`);
    }
    applySet(session, transition.set);
    session.state = transition.to;
    return structuredClone(session);
  }

  async update(uploadId: string, set: SessionAttributes): Promise<void> {
    const session = this.sessions.get(uploadId);
    if (session === undefined) throw new ConditionFailedError(`Session ${uploadId} does not exist`);
    applySet(session, set);
  }

  async listByState(states: readonly UploadState[]): Promise<UploadSession[]> {
    return [...this.sessions.values()]
      .filter((session) => states.includes(session.state))
      .map((session) => structuredClone(session));
  }
}
