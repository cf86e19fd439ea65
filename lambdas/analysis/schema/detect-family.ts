import type { SchemaFamily } from '../types.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The family a record claims by its keys, before any check of their values (so a record with a
 * broken `messages` list is still judged as chat and told what is wrong with it):
 *   `messages`                                                  -> chat
 *   `chosen`/`rejected`, or `preferred_output`/`non_preferred_output` -> preference
 *   `prompt` or `completion`                                    -> prompt_completion
 *   `label`                                                     -> classification
 *   `text`                                                      -> text
 */
export function detectFamily(record: unknown): SchemaFamily | undefined {
  if (!isPlainObject(record)) return undefined;
  if ('messages' in record) return 'chat';
  if (
    'chosen' in record ||
    'rejected' in record ||
    'preferred_output' in record ||
    'non_preferred_output' in record
  ) {
    return 'preference';
  }
  if ('prompt' in record || 'completion' in record) return 'prompt_completion';
  if ('label' in record) return 'classification';
  if ('text' in record) return 'text';
  return undefined;
}
