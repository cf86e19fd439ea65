import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError } from './errors.js';
import { sanitizeFilename } from './filename.js';
import type { UploadSession } from './model.js';
import { reserveOpenUpload } from './open-uploads.js';
import { requireSchemaChoice } from './schema-registry.js';
import type { UploadDeps } from './upload-deps.js';

export interface InitUploadInput {
  filename: string;
  totalSize: number;
  /** Hex sha256 of the whole file, any case. */
  checksum?: string;
  /**
   * `auto`, the family every record must follow, or `custom:<name>` for a schema registered with
   * `PUT /api/schemas/{name}` (datasets only).
   */
  schema?: string;
  purpose?: string;
  metadata?: Record<string, unknown>;
  owner: string;
}

export interface InitUploadResult {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  filename: string;
  state: 'uploading';
  expiresAt: string;
}

/** Days DynamoDB TTL waits after expiry before deleting an abandoned session (status stays 410 meanwhile). */
const abandonedSessionGraceDays = 7;

/**
 * Starts an upload session for `owner`. The chunk size is the server's, never the client's. Refuses
 * (413) more chunks than `MAX_CHUNK_COUNT` and (429) more open uploads than the owner may have.
 */
export async function initUpload(deps: UploadDeps, input: InitUploadInput): Promise<InitUploadResult> {
  const { chunkSizeBytes, maxUploadSizeBytes, sessionTtlMs, maxChunkCount } = deps.config;
  if (input.totalSize > maxUploadSizeBytes) {
    throw new PayloadTooLargeError(
      `totalSize ${input.totalSize} exceeds the maximum upload size of ${maxUploadSizeBytes} bytes (MAX_UPLOAD_SIZE).`,
      { field: 'totalSize', limit: 'MAX_UPLOAD_SIZE', maxUploadSize: maxUploadSizeBytes },
    );
  }
  const totalChunks = Math.ceil(input.totalSize / chunkSizeBytes);
  if (totalChunks > maxChunkCount) {
    throw new PayloadTooLargeError(
      `totalSize ${input.totalSize} in chunks of ${chunkSizeBytes} bytes makes ${totalChunks} chunks, more than the maximum of ${maxChunkCount} chunks per upload (MAX_CHUNK_COUNT).`,
      { field: 'totalSize', limit: 'MAX_CHUNK_COUNT', maxChunkCount },
    );
  }
  const filename = sanitizeFilename(input.filename);
  await requireSchemaChoice(deps.objects, input.schema);
  const now = deps.clock.now();
  const expiresAt = now + sessionTtlMs;
  const uploadId = randomUUID();
  // Reserved before the session exists, so the limit also holds for concurrent inits.
  await reserveOpenUpload(deps, input.owner, { uploadId, expiresAt, reservedAt: now });
  const session: UploadSession = {
    uploadId,
    owner: input.owner,
    originalFilename: input.filename,
    filename,
    totalSize: input.totalSize,
    chunkSize: chunkSizeBytes,
    totalChunks,
    checksum: input.checksum?.toLowerCase(),
    schema: input.schema,
    purpose: input.purpose,
    clientMetadata: input.metadata,
    state: 'uploading',
    receivedCount: 0,
    createdAt: now,
    updatedAt: now,
    expiresAt,
    ttl: Math.ceil(expiresAt / 1000) + abandonedSessionGraceDays * 86_400,
  };
  await deps.sessions.create(session);
  return {
    uploadId: session.uploadId,
    chunkSize: session.chunkSize,
    totalChunks: session.totalChunks,
    filename,
    state: 'uploading',
    expiresAt: new Date(expiresAt).toISOString(),
  };
}
