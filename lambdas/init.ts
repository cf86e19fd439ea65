/** POST /api/upload/init: JSON {filename, totalSize, checksum?} -> 200 {uploadId, chunkSize, ...}. */
import { initUpload } from './core/init-upload.js';
import { httpHandler } from './http/handler.js';
import { jsonBody, parseWith } from './http/request.js';
import { initUploadBody } from './http/schemas.js';

export const handler = httpHandler(async ({ event, deps, owner }) => {
  const body = parseWith(initUploadBody, jsonBody(event), 'request body');
  const result = await initUpload(deps, { ...body, owner });
  return { statusCode: 200, body: result };
});
