/**
 * How a pickle walk stops early. Both end in a non-`safe` status: a stream that is not a
 * well-formed pickle is `error`, one the scanner refused to read whole is `not_scanned`.
 * A failing `RangedReader` is neither: its `SourceReadError` (binary/binary-errors.ts) is
 * rethrown so the caller retries instead of judging the file.
 */

/** The opcode stream does not hold together (unknown opcode, truncation, stack underflow ...). */
export class MalformedPickleError extends Error {
  override readonly name = 'MalformedPickleError';
}

/** Scanning would pass a size, ratio or count limit: the rest was not looked at. */
export class PickleLimitError extends Error {
  override readonly name = 'PickleLimitError';
}
