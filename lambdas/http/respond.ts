/**
 * Mapping results and errors to HTTP responses, in one place. Only errors meant for the client
 * (`UploadError`, status < 500) show their message; anything else is logged with its stack and
 * answered with a generic 500 that names the request id, never the error's text.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { UploadError } from '../core/errors.js';
import type { Logger } from '../runtime/logger.js';

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  error: unknown,
  log: Logger,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof UploadError && error.statusCode < 500) {
    log.info('request refused', { statusCode: error.statusCode, code: error.code, reason: error.message });
    return jsonResponse(error.statusCode, { message: error.message, code: error.code, ...error.details });
  }
  log.error('request failed', { error });
  return jsonResponse(500, {
    message: `Internal error while handling the request; nothing was lost. Retry, and if it persists report request id ${requestId}.`,
    code: 'INTERNAL_ERROR',
    requestId,
  });
}
