/**
 * POST /api/upload/complete/{uploadId} -> 200 with the result when the workflow finished within
 * COMPLETE_WAIT_SECONDS, 202 {state: "processing"} otherwise, 422 when the file was rejected.
 */
import { completeUpload } from './core/complete-upload.js';
import { httpHandler } from './http/handler.js';
import { uploadIdParam } from './http/request.js';

export const handler = httpHandler(async ({ event, deps, owner }) =>
  completeUpload(deps, uploadIdParam(event), owner),
);
