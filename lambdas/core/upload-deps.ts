import type { EventPublisher } from './downstream/ports.js';
import type { Clock, ObjectStore, OpenUploadLedger, SessionRepository, WorkflowStarter } from './ports.js';

/** The settings the upload operations need (a subset of the process config). */
export interface UploadSettings {
  chunkSizeBytes: number;
  maxUploadSizeBytes: number;
  sessionTtlMs: number;
  completeWaitMs: number;
  resultRetentionMs: number;
  /** Most `uploading` sessions one owner may have at once (`MAX_OPEN_UPLOADS_PER_OWNER`, 429 above). */
  maxOpenUploadsPerOwner: number;
  /** Most chunks one upload may have (`MAX_CHUNK_COUNT`, 413 above). */
  maxChunkCount: number;
}

/** What every upload operation receives: ports and plain settings, no AWS types. */
export interface UploadDeps {
  sessions: SessionRepository;
  objects: ObjectStore;
  workflow: WorkflowStarter;
  openUploads: OpenUploadLedger;
  clock: Clock;
  config: UploadSettings;
  /** Where the aborted and expired events go; without it none are published. */
  events?: EventPublisher;
  /** Waits between polls of a processing upload; injectable so tests need no real time. */
  sleep?: (ms: number) => Promise<void>;
}
