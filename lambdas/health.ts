/** GET /api/health: liveness only; touches no storage, needs no configuration beyond the process. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { jsonResponse } from './http/respond.js';

export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> =>
  jsonResponse(200, { status: 'ok' });
