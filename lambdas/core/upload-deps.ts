import type { EventPublisher } from './downstream/ports.js';
import type { Clock, ObjectStore, SessionRepository, WorkflowStarter } from './ports.js';

/** The settings the upload operations need (a subset of the process config). */
export interface UploadSettings {
  chunkSizeBytes: number;
  maxUploadSizeBytes: number;
  sessionTtlMs: number;
  completeWaitMs: number;
  resultRetentionMs: number;
}

/** What every upload operation receives: ports and plain settings, no AWS types. */
export interface UploadDeps {
  sessions: SessionRepository;
  objects: ObjectStore;
  workflow: WorkflowStarter;
  clock: Clock;
  config: UploadSettings;
  /** Where the aborted and expired events go; without it none are published. */
  events?: EventPublisher;
  /** Waits between polls of a processing upload; injectable so tests need no real time. */
  sleep?: (ms: number) => Promise<void>;
}
