/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): routes requests with the
 * shared route table, builds the v2 event the Lambda handler would get, calls the same handler,
 * and writes its structured result back. Limits mirror API Gateway's where they matter: a 10 MB
 * request payload, binary bodies passed base64-encoded, throttling per route (a token bucket, 429)
 * and, on every route but the public health check, the authorizer (401 before any handler runs;
 * the verified claims go into the event at `requestContext.authorizer.jwt.claims`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RouteDefinition } from '../../lambdas/routes.js';
import type { Logger } from '../../lambdas/runtime/logger.js';
import type { Authentication, JwtAuthorizerContext } from './local-auth.js';
import { TokenBucket } from './token-bucket.js';

/** API Gateway HTTP APIs refuse payloads above 10 MB. */
export const maxPayloadBytes = 10 * 1024 * 1024;

type LambdaHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  parameterNames: string[];
  handler: LambdaHttpHandler;
}

function compilePath(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), parameterNames };
}

/** Imports every route's handler module, the same module Lambda runs. */
export async function loadRoutes(
  routes: readonly RouteDefinition[],
  projectRoot: string,
): Promise<CompiledRoute[]> {
  return Promise.all(
    routes.map(async (route) => {
      const module = (await import(pathToFileURL(resolve(projectRoot, route.entry)).href)) as {
        handler: LambdaHttpHandler;
      };
      return { route, ...compilePath(route.path), handler: module.handler };
    }),
  );
}

const isTextual = (contentType: string | undefined) =>
  !!contentType &&
  /^(text\/|application\/([\w.+-]+\+)?(json|xml)|application\/x-www-form-urlencoded)/i.test(contentType);

function toEvent(
  request: IncomingMessage,
  url: URL,
  match: { route: RouteDefinition; pathParameters: Record<string, string> },
  body: Buffer,
  authorizer: JwtAuthorizerContext | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const routeKey = `${match.route.method} ${match.route.path}`;
  const now = new Date();
  const textual = isTextual(headers['content-type']);
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    pathParameters: Object.keys(match.pathParameters).length > 0 ? match.pathParameters : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      ...(authorizer ? { authorizer } : {}),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString(textual ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/** Path parameters, decoded; a malformed escape is kept as sent (the handler then answers 404). */
function decodePathParameters(names: string[], found: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(
    names.map((name, i) => {
      const raw = found[i + 1] ?? '';
      try {
        return [name, decodeURIComponent(raw)];
      } catch {
        return [name, raw];
      }
    }),
  );
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers = { ...(result.headers ?? {}) } as Record<string, string>;
  const body = result.body
    ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  response.writeHead(result.statusCode ?? 200, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

const sendJson = (response: ServerResponse, statusCode: number, body: unknown) =>
  send(response, {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });

/** Reads the body, refusing (without buffering) anything above API Gateway's payload limit. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxPayloadBytes) return Promise.resolve(undefined);
  return new Promise((resolveBody, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (data: Buffer) => {
      size += data.length;
      if (size <= maxPayloadBytes) parts.push(data);
    });
    request.on('end', () => resolveBody(size > maxPayloadBytes ? undefined : Buffer.concat(parts)));
    request.on('error', reject);
  });
}

export interface GatewayOptions {
  /** Verifies the `Authorization` header of requests to non-public routes. */
  authenticate: (authorization: string | undefined) => Promise<Authentication>;
  /** Each route's token bucket: refill per second and size (API Gateway's rate and burst limits). */
  throttle: { rateLimitPerSecond: number; burstLimit: number };
}

export function createApiGatewayServer(
  routes: CompiledRoute[],
  log: Logger,
  options: GatewayOptions,
): Server {
  const buckets = new Map(
    routes.map((compiled) => [
      compiled,
      new TokenBucket(options.throttle.rateLimitPerSecond, options.throttle.burstLimit),
    ]),
  );
  return createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      for (const compiled of routes) {
        const found = compiled.pattern.exec(url.pathname);
        if (!found) continue;
        if (compiled.route.method !== method) continue;
        const pathParameters = decodePathParameters(compiled.parameterNames, found);
        if (!buckets.get(compiled)?.take()) {
          request.resume();
          const { rateLimitPerSecond, burstLimit } = options.throttle;
          sendJson(response, 429, {
            message: `Too many requests to ${compiled.route.method} ${compiled.route.path}: it accepts ${rateLimitPerSecond} requests per second with bursts of ${burstLimit} (THROTTLE_RATE_LIMIT, THROTTLE_BURST_LIMIT). Retry after a short pause.`,
            code: 'TOO_MANY_REQUESTS',
            limit: 'THROTTLE_RATE_LIMIT',
            rateLimitPerSecond,
            burstLimit,
          });
          return;
        }
        let authorizer: JwtAuthorizerContext | undefined;
        if (!compiled.route.public) {
          const authentication = await options.authenticate(request.headers.authorization);
          if (!authentication.ok) {
            request.resume();
            send(response, {
              statusCode: 401,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                'www-authenticate': `Bearer error="invalid_token", error_description="${authentication.reason.replaceAll('"', "'")}"`,
              },
              body: JSON.stringify({
                message: `Unauthorized: ${authentication.reason}.`,
                code: 'UNAUTHORIZED',
              }),
            });
            return;
          }
          authorizer = authentication.authorizer;
        }
        const body = await readBody(request);
        if (!body) {
          sendJson(response, 413, {
            message: `The request body is larger than API Gateway's payload limit of ${maxPayloadBytes} bytes.`,
            code: 'PAYLOAD_TOO_LARGE',
            limit: 'API_GATEWAY_PAYLOAD',
            limitBytes: maxPayloadBytes,
          });
          return;
        }
        send(
          response,
          await compiled.handler(
            toEvent(request, url, { route: compiled.route, pathParameters }, body, authorizer),
          ),
        );
        return;
      }
      // API Gateway answers 404 for a known path with another method too.
      request.resume();
      sendJson(response, 404, {
        message: `No route for ${method} ${url.pathname}. See docs/openapi.json for the API.`,
        code: 'ROUTE_NOT_FOUND',
      });
    } catch (error) {
      log.error('local gateway failed', { error });
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal error in the local gateway.' });
    }
  });
}
