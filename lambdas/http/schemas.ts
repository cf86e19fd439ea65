/** Request schemas of the public API (the compatibility contract in docs/openapi.json). */
import { z } from 'zod';
import { schemaNamePattern } from '../core/keys.js';

/** `init`'s `schema`: `auto`, or the one family every record must follow. */
export const schemaChoices = [
  'auto',
  'chat',
  'prompt_completion',
  'classification',
  'preference',
  'text',
] as const;

/** `init`'s `schema` naming a registered JSON Schema: `custom:<name>`. */
export const customSchemaChoicePattern = new RegExp(`^custom:${schemaNamePattern.source.slice(1)}`);

const schemaChoiceError = `schema must be one of ${schemaChoices.join(', ')} (auto detects the family of every record), or custom:<name> for a schema registered with PUT /api/schemas/<name>`;

/** The client's lineage metadata is stored with the session item (DynamoDB items are <= 400 KB). */
export const maxClientMetadataBytes = 8 * 1024;

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
    schema: z
      .union([z.enum(schemaChoices), z.string().regex(customSchemaChoicePattern)], {
        error: schemaChoiceError,
      })
      .optional(),
    purpose: z
      .string({ error: 'purpose must be a string, e.g. "fine-tune"' })
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'purpose must be a short lowercase word such as "fine-tune"')
      .optional(),
    metadata: z
      .record(z.string(), z.unknown(), { error: 'metadata must be a JSON object' })
      .refine(
        (value) => Buffer.byteLength(JSON.stringify(value)) <= maxClientMetadataBytes,
        `metadata must be at most ${maxClientMetadataBytes} bytes as JSON`,
      )
      .optional(),
  },
  { error: 'the body must be a JSON object' },
);

export const chunkFormFields = z.object({
  uploadId: z.string({ error: 'uploadId is required' }).min(1, 'uploadId is required'),
  chunkIndex: wholeNumber('chunkIndex'),
  totalChunks: wholeNumber('totalChunks').refine((n) => n >= 1, 'totalChunks must be at least 1'),
});

/** `{name}` of the schema routes. */
export const schemaNameParam = z
  .string({ error: 'the schema name is required' })
  .regex(
    schemaNamePattern,
    'the schema name must be 1 to 64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** The body of `PUT /api/schemas/{name}`: a JSON Schema document (Ajv compiles it in the core). */
export const schemaDocumentBody = z.record(z.string(), z.unknown(), {
  error: 'the body must be a JSON Schema document: a JSON object such as {"type": "object", ...}',
});
