/**
 * How the binary describers stop. None of these escapes `describeBinary` except
 * `SourceReadError`: a failing reader (S3 down) says nothing about the file, so the workflow
 * retries instead of rejecting the upload. Everything else becomes a `Finding`.
 */

/** The file is of the format but broken; `code` is the finding's code (e.g. `CORRUPT_GGUF`). */
export class BinaryFormatError extends Error {
  override readonly name = 'BinaryFormatError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A structure does not hold together; reported under the current format's `CORRUPT_*` code. */
export class MalformedStructureError extends Error {
  override readonly name = 'MalformedStructureError';
}

/** Something lies past the end of the object: reported as `TRUNCATED_FILE`. */
export class TruncatedFileError extends Error {
  override readonly name = 'TruncatedFileError';
}

/** The next read would pass the read budget: a warning, and the description stops where it is. */
export class ReadBudgetExceededError extends Error {
  override readonly name = 'ReadBudgetExceededError';
}

/** The underlying `RangedReader` failed; rethrown to the caller with the original as `cause`. */
export class SourceReadError extends Error {
  override readonly name = 'SourceReadError';

  constructor(cause: unknown) {
    super(`reading the object failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The `SourceReadError` anywhere in `error`'s cause chain (libraries may wrap it). */
export function findSourceReadError(error: unknown): SourceReadError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof SourceReadError) return current;
    current = current.cause;
  }
  return undefined;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
