/** GET /api/upload/status/{uploadId} -> 200 {uploadId, totalChunks, receivedChunks, isComplete, state, result?}. */
import { getStatus } from './core/get-status.js';
import { httpHandler } from './http/handler.js';
import { uploadIdParam } from './http/request.js';

export const handler = httpHandler(async ({ event, deps, owner }) => ({
  statusCode: 200,
  body: await getStatus(deps, uploadIdParam(event), owner),
}));
