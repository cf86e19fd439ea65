/**
 * The shared shape of every endpoint's Lambda handler: build the request context, call the
 * route's function (which parses input and calls one core operation), and map the result or
 * the error. The same handler runs in Lambda and in the local stack.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Deps, getDeps } from '../runtime/deps.js';
import { type Logger, logger } from '../runtime/logger.js';
import { errorResponse, jsonResponse } from './respond.js';

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  deps: Deps;
  log: Logger;
  /** The caller; one implicit local owner until authentication is added. */
  owner: string;
}

export interface HttpResult {
  statusCode: number;
  body: unknown;
}

export type HttpRoute = (request: HttpRequest) => Promise<HttpResult>;

/** The caller's identity as API Gateway's JWT authorizer puts it in the event, else `local`. */
function ownerOf(event: APIGatewayProxyEventV2): string {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
  const sub = context.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : 'local';
}

export function httpHandler(route: HttpRoute) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const uploadId = event.pathParameters?.uploadId;
    const log = logger.child({ requestId, route: event.routeKey, ...(uploadId ? { uploadId } : {}) });
    try {
      const result = await route({ event, deps: getDeps(), log, owner: ownerOf(event) });
      log.info('request handled', { statusCode: result.statusCode });
      return jsonResponse(result.statusCode, result.body);
    } catch (error) {
      return errorResponse(error, log, requestId);
    }
  };
}
