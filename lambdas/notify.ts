/** POST /api/upload/{uploadId}/notify: re-sends a completed upload's downstream notifications. */
import { resendNotifications } from './core/downstream/resend-notifications.js';
import { httpHandler } from './http/handler.js';
import { uploadIdParam } from './http/request.js';

export const handler = httpHandler(async ({ event, deps, log, owner }) => ({
  statusCode: 200,
  body: await resendNotifications(deps, uploadIdParam(event), owner, log),
}));
