/** DELETE /api/upload/{uploadId}: aborts an open upload and deletes its chunks. */
import { abortUpload } from './core/abort-upload.js';
import { httpHandler } from './http/handler.js';
import { uploadIdParam } from './http/request.js';

export const handler = httpHandler(async ({ event, deps, owner }) => ({
  statusCode: 200,
  body: await abortUpload(deps, uploadIdParam(event), owner),
}));
