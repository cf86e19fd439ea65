/**
 * The shared shape of every endpoint's Lambda handler: build the request context, call the
 * route's function (which parses input and calls one core operation), and map the result or
 * the error. The same handler runs in Lambda and in the local stack.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnauthorizedError } from '../core/errors.js';
import { type Deps, getDeps } from '../runtime/deps.js';
import { type Logger, logger } from '../runtime/logger.js';
import { errorResponse, jsonResponse } from './respond.js';

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  deps: Deps;
  log: Logger;
  /** The caller, from the authorizer's part of the event (see {@link ownerOf}). */
  owner: string;
}

export interface HttpResult {
  statusCode: number;
  body: unknown;
}

export type HttpRoute = (request: HttpRequest) => Promise<HttpResult>;

/** What API Gateway's authorizers put in a payload 2.0 event (only the parts read here). */
interface AuthorizerContext {
  /** JWT authorizer: the verified token's claims (API Gateway passes every value as a string). */
  jwt?: { claims?: Record<string, unknown> };
  /** IAM authorization: the SigV4 caller. */
  iam?: { userArn?: unknown };
}

/**
 * The caller: the `sub` claim the JWT authorizer verified, or with IAM authorization the caller's
 * ARN. On AWS API Gateway has refused requests without a valid identity before the function
 * runs; locally the API Gateway stand-in does the same (with `AUTH_MODE=none` it puts the claims
 * of the one implicit user, `sub: "local"`). An event with no identity at all therefore means a
 * misconfigured route, and is refused (fail closed) rather than given a default owner.
 */
export function ownerOf(event: APIGatewayProxyEventV2): string {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext } | undefined)?.authorizer;
  const sub = authorizer?.jwt?.claims?.sub;
  if (typeof sub === 'string' && sub.length > 0) return sub;
  const userArn = authorizer?.iam?.userArn;
  if (typeof userArn === 'string' && userArn.length > 0) return userArn;
  throw new UnauthorizedError(
    'The request carries no verified identity: send a JWT as "Authorization: Bearer <token>" (its sub claim names you).',
  );
}

/** The decoded size of the body, without decoding it. */
const bodySize = (event: APIGatewayProxyEventV2): number =>
  event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;

/** Refuses (413) a body above `MAX_REQUEST_BODY_SIZE` before anything parses it. */
function checkBodySize(event: APIGatewayProxyEventV2, maxRequestBodyBytes: number): void {
  const size = bodySize(event);
  if (size > maxRequestBodyBytes) {
    throw new PayloadTooLargeError(
      `The request body is ${size} bytes; at most ${maxRequestBodyBytes} bytes are accepted (MAX_REQUEST_BODY_SIZE).`,
      { field: 'body', limit: 'MAX_REQUEST_BODY_SIZE', limitBytes: maxRequestBodyBytes },
    );
  }
}

export function httpHandler(route: HttpRoute) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const uploadId = event.pathParameters?.uploadId;
    const log = logger.child({ requestId, route: event.routeKey, ...(uploadId ? { uploadId } : {}) });
    try {
      const owner = ownerOf(event);
      const deps = getDeps();
      checkBodySize(event, deps.config.maxRequestBodyBytes);
      const result = await route({ event, deps, log, owner });
      log.info('request handled', { statusCode: result.statusCode });
      return jsonResponse(result.statusCode, result.body);
    } catch (error) {
      return errorResponse(error, log, requestId);
    }
  };
}
