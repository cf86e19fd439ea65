/** Reading request bodies and parameters, with schema validation that answers 400 on failure. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { UnsupportedMediaTypeError, UploadNotFoundError, ValidationError } from '../core/errors.js';

export function bodyBytes(event: APIGatewayProxyEventV2): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Validates `value` with `schema`, or throws a 400 naming every field that is wrong. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : what,
    message: issue.message,
  }));
  throw new ValidationError(
    `Invalid ${what}: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}.`,
    { issues },
  );
}

/** Parses a JSON request body; a missing or malformed body is a 400 that says so. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const contentType = header(event, 'content-type');
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be application/json, not ${JSON.stringify(contentType)}.`,
      { field: 'content-type' },
    );
  }
  const text = bodyBytes(event).toString('utf8');
  if (text.trim().length === 0) {
    throw new ValidationError('The request body is empty; send a JSON object.', { field: 'body' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON; send a JSON object.', { field: 'body' });
  }
}

/** The `{uploadId}` path parameter; routes without one never call this. */
export function uploadIdParam(event: APIGatewayProxyEventV2): string {
  const uploadId = event.pathParameters?.uploadId;
  if (!uploadId) throw new UploadNotFoundError('');
  return uploadId;
}
