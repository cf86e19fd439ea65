/**
 * The one error hierarchy of the upload core. Every error the core throws on purpose is an
 * `UploadError` with the HTTP status it maps to; the edge (`lambdas/http/respond.ts`) maps it
 * once. Anything that is not an `UploadError` is a fault: logged, and answered with a generic 500.
 */
export abstract class UploadError extends Error {
  /** HTTP status this error is answered with at the edge. */
  abstract readonly statusCode: number;
  /** Stable, machine-readable code for clients. */
  abstract readonly code: string;
  /** Extra fields merged into the JSON error body (never secrets). */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** 400: the request is malformed or breaks a protocol rule. */
export class ValidationError extends UploadError {
  readonly statusCode = 400;
  readonly code = 'VALIDATION_FAILED';
}

/** 400: `complete` was called before every chunk was received. */
export class MissingChunksError extends UploadError {
  readonly statusCode = 400;
  readonly code = 'MISSING_CHUNKS';
}

/**
 * 401: the request carries no identity the API accepts. API Gateway's authorizer answers this on
 * AWS before a handler runs; the handler raises it only when an event reaches it without one.
 */
export class UnauthorizedError extends UploadError {
  readonly statusCode = 401;
  readonly code = 'UNAUTHORIZED';
}

/**
 * 404: no upload with this id (also what a malformed id gets: no such upload can exist, and what
 * another owner's upload gets: the body never tells "exists, not yours" from "does not exist").
 */
export class UploadNotFoundError extends UploadError {
  readonly statusCode = 404;
  readonly code = 'UPLOAD_NOT_FOUND';
  constructor(uploadId: string) {
    super(
      `Upload ${JSON.stringify(uploadId)} was not found. Start a new upload with POST /api/upload/init.`,
      {
        uploadId,
      },
    );
  }
}

/** 404: no JSON Schema is registered under this name (also what a malformed name gets). */
export class SchemaNotFoundError extends UploadError {
  readonly statusCode = 404;
  readonly code = 'SCHEMA_NOT_FOUND';
  constructor(name: string) {
    super(
      `No schema is registered as ${JSON.stringify(name)}. Register it with PUT /api/schemas/{name} (a JSON Schema document as the body).`,
      { name },
    );
  }
}

/** 409: different bytes were sent for a chunk index that is already stored. */
export class ChunkConflictError extends UploadError {
  readonly statusCode = 409;
  readonly code = 'CHUNK_CONFLICT';
}

/** 409: the upload is not in a state that allows this request (e.g. a chunk after `complete`). */
export class UploadStateConflictError extends UploadError {
  readonly statusCode = 409;
  readonly code = 'UPLOAD_STATE_CONFLICT';
}

/** 409: a different JSON Schema document is already registered under this name (schemas are immutable). */
export class SchemaConflictError extends UploadError {
  readonly statusCode = 409;
  readonly code = 'SCHEMA_CONFLICT';
}

/** 410: the upload expired or was aborted; its chunks are gone or going. */
export class UploadGoneError extends UploadError {
  readonly statusCode = 410;
  readonly code = 'UPLOAD_GONE';
}

/** 413: a chunk or the declared upload is larger than allowed. */
export class PayloadTooLargeError extends UploadError {
  readonly statusCode = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** 429: a limit on how much one caller may have open or send at once; retry later. */
export class TooManyRequestsError extends UploadError {
  readonly statusCode = 429;
  readonly code = 'TOO_MANY_REQUESTS';
}

/** 415: the request's content type is not the one the endpoint takes. */
export class UnsupportedMediaTypeError extends UploadError {
  readonly statusCode = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

/**
 * Thrown by a `SessionRepository` when a conditional write loses: the item was not in the
 * state the write required. Internal to the core (callers reload and decide); never answered as is.
 */
export class ConditionFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConditionFailedError';
  }
}
