/** Request schemas of the public API (the compatibility contract in docs/openapi.json). */
import { z } from 'zod';

const wholeNumber = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .regex(/^\d{1,9}$/, `${field} must be a non-negative whole number`)
    .transform(Number);

export const initUploadBody = z.object(
  {
    filename: z
      .string({ error: 'filename is required and must be a string' })
      .min(1, 'filename must not be empty')
      .max(1024, 'filename must be at most 1024 characters'),
    totalSize: z
      .number({ error: 'totalSize is required and must be a number of bytes' })
      .int('totalSize must be a whole number of bytes')
      .min(1, 'totalSize must be at least 1 byte')
      .max(Number.MAX_SAFE_INTEGER, 'totalSize is too large'),
    checksum: z
      .string({ error: 'checksum must be a string' })
      .regex(/^[0-9a-fA-F]{64}$/, 'checksum must be the hex sha256 of the whole file (64 hex digits)')
      .optional(),
  },
  { error: 'the body must be a JSON object' },
);

export const chunkFormFields = z.object({
  uploadId: z.string({ error: 'uploadId is required' }).min(1, 'uploadId is required'),
  chunkIndex: wholeNumber('chunkIndex'),
  totalChunks: wholeNumber('totalChunks').refine((n) => n >= 1, 'totalChunks must be at least 1'),
});
