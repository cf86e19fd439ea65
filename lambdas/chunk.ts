/**
 * POST /api/upload/chunk: multipart/form-data {uploadId, chunkIndex, totalChunks, chunk}
 * -> 200 {success, receivedChunks, message}.
 */

import { ValidationError } from './core/errors.js';
import { putChunk } from './core/put-chunk.js';
import { httpHandler } from './http/handler.js';
import { parseMultipart } from './http/multipart.js';
import { bodyBytes, header, parseWith } from './http/request.js';
import { chunkFormFields } from './http/schemas.js';
import { maxChunkSizeBytes } from './runtime/config.js';

export const handler = httpHandler(async ({ event, deps, log, owner }) => {
  const form = await parseMultipart(bodyBytes(event), header(event, 'content-type'), {
    // The hard ceiling, not the current CHUNK_SIZE: an upload keeps the chunk size it started
    // with, and the core checks each chunk against that session's own size.
    maxFileBytes: maxChunkSizeBytes,
    fileField: 'chunk',
  });
  const fields = parseWith(chunkFormFields, form.fields, 'form fields');
  const bytes = form.files.chunk;
  if (!bytes)
    throw new ValidationError(
      'The form has no file field "chunk"; send the chunk bytes as a file part named chunk.',
      { field: 'chunk' },
    );
  const result = await putChunk(deps, { ...fields, bytes, owner });
  log.info('chunk stored', {
    uploadId: fields.uploadId,
    chunkIndex: fields.chunkIndex,
    duplicate: result.duplicate,
  });
  return {
    statusCode: 200,
    body: {
      success: true,
      receivedChunks: result.receivedChunks,
      chunkIndex: result.chunkIndex,
      duplicate: result.duplicate,
      message: result.duplicate
        ? `Chunk ${result.chunkIndex} was already stored with the same bytes; nothing changed.`
        : `Chunk ${result.chunkIndex} stored.`,
    },
  };
});
