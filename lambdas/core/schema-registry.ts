/**
 * The registry of teams' own record formats: JSON Schema documents registered by name with
 * `PUT /api/schemas/{name}`, named by `init` as `schema: "custom:<name>"`, and checked record by
 * record in the AnalyzeFile step (`analysis/schema/custom-schema.ts`, Ajv).
 *
 * A registered schema is immutable: uploads name it, and a dataset validated against `qa` today
 * must have been validated against the same `qa` tomorrow. Registering the same document again
 * (the same canonical JSON) answers the stored registration; a different document under a taken
 * name is a 409. A new version of a format is a new name (`qa.v2`).
 *
 * Each schema is one object, `schemas/{name}.json` (`keys.schema`), holding the
 * {@link RegisteredSchema}. Its `version` is the hex sha256 of the document's canonical JSON
 * (object keys sorted at every level, no whitespace), so formatting and key order do not make a
 * new version.
 *
 * A name is taken atomically: the object is created with `ObjectStore.putIfAbsent`, so of two
 * different documents registered under one new name at the same instant exactly one is stored
 * and answered 200; the other finds the winner and gets the 409 (or 200 with the winner's
 * registration when it is the same document). On AWS that is S3's conditional PutObject
 * (`If-None-Match: *`); on the local stack, whose s3rver ignores the header, the S3 adapter
 * takes turns in-process (`adapters/s3-object-store.ts`).
 *
 * Patterns in a document run on a linear-time engine (`analysis/schema/linear-regexp.ts`): one
 * it cannot run (backreferences, lookaround) is refused here with 400, naming the pattern.
 */
import { createHash } from 'node:crypto';
import { compileCustomSchema } from '../analysis/schema/custom-schema.js';
import { UnsupportedPatternError } from '../analysis/schema/linear-regexp.js';
import { PayloadTooLargeError, SchemaConflictError, SchemaNotFoundError, ValidationError } from './errors.js';
import { keys, schemaNamePattern } from './keys.js';
import type { Clock, ObjectStore } from './ports.js';

/** Largest document accepted, measured as its canonical (compact) JSON. */
export const maxSchemaBytes = 64 * 1024;

/**
 * Deepest nesting accepted. Real schemas nest a few dozen levels; the limit keeps the recursive
 * canonicalization and Ajv's compiler far from the stack limit on a hostile document.
 */
export const maxSchemaDepth = 64;

/** How `init`'s `schema` names a registered schema. */
const customPrefix = 'custom:';

export interface RegisteredSchema {
  name: string;
  /** Hex sha256 of the document's canonical JSON. */
  version: string;
  /** ISO 8601; the time of the first registration. */
  createdAt: string;
  /** The JSON Schema document, as it was sent. */
  schema: Record<string, unknown>;
}

export interface SchemaRegistryDeps {
  objects: ObjectStore;
  clock: Clock;
}

/** The registered name in an `init` schema choice (`custom:qa` -> `qa`); `undefined` for a family. */
export function customSchemaName(choice: string | undefined): string | undefined {
  return choice?.startsWith(customPrefix) ? choice.slice(customPrefix.length) : undefined;
}

/**
 * Canonical JSON (RFC 8785 for the values `JSON.parse` yields): object keys sorted by UTF-16 code
 * units at every level, no whitespace, numbers as ECMAScript prints them.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > maxSchemaDepth) {
    throw new ValidationError(
      `The schema nests deeper than ${maxSchemaDepth} levels; flatten it (e.g. with $defs and $ref).`,
      { field: 'body' },
    );
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) =>
          `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], depth + 1)}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Registers `schema` under `name`, or answers the existing registration when the same document
 * is already registered there. Throws `ValidationError` (400) for a bad name or a document Ajv
 * cannot compile, `PayloadTooLargeError` (413) above {@link maxSchemaBytes}, and
 * `SchemaConflictError` (409) when another document holds the name.
 */
export async function registerSchema(
  deps: SchemaRegistryDeps,
  name: string,
  schema: Record<string, unknown>,
): Promise<RegisteredSchema> {
  if (!schemaNamePattern.test(name)) {
    throw new ValidationError(
      `Invalid schema name ${JSON.stringify(name)}: use 1 to 64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.`,
      { field: 'name' },
    );
  }
  const canonical = canonicalJson(schema);
  const size = Buffer.byteLength(canonical);
  if (size > maxSchemaBytes) {
    throw new PayloadTooLargeError(
      `The schema is ${size} bytes as compact JSON; at most ${maxSchemaBytes} bytes (64 KiB) are accepted. Split it or drop annotations such as descriptions and examples.`,
      { field: 'body', limit: 'SCHEMA_SIZE', limitBytes: maxSchemaBytes },
    );
  }
  try {
    // The same compiler, drafts and options the analysis uses, so a schema accepted here compiles there.
    compileCustomSchema(name, schema);
  } catch (error) {
    if (error instanceof UnsupportedPatternError) {
      throw new ValidationError(
        `The schema ${JSON.stringify(name)} is refused. ${error.message}, then PUT the document again.`,
        { field: 'body', pattern: error.pattern },
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      `The schema ${JSON.stringify(name)} does not compile with Ajv: ${reason}. Fix the document (JSON Schema draft-07 by default; 2019-09 or 2020-12 when its $schema says so) and PUT it again.`,
      { field: 'body' },
    );
  }
  const version = createHash('sha256').update(canonical).digest('hex');

  // Answers a repeated registration without a write; the conditional write below settles races.
  const existing = await findSchema(deps.objects, name);
  if (existing !== undefined) return sameOrConflict(existing, version);
  const registered: RegisteredSchema = {
    name,
    version,
    createdAt: new Date(deps.clock.now()).toISOString(),
    schema,
  };
  // Immutability under races: the first writer of the name wins, atomically (see the top).
  if (await deps.objects.putIfAbsent(keys.schema(name), JSON.stringify(registered), 'application/json')) {
    return registered;
  }
  const winner = await findSchema(deps.objects, name);
  if (winner === undefined) {
    throw new Error(`The conditional write of ${keys.schema(name)} was refused, but no object is there`);
  }
  return sameOrConflict(winner, version);
}

/** The stored registration when `version` is its document's; `SchemaConflictError` (409) otherwise. */
function sameOrConflict(existing: RegisteredSchema, version: string): RegisteredSchema {
  if (existing.version === version) return existing;
  const name = existing.name;
  throw new SchemaConflictError(
    `A different schema is already registered as ${JSON.stringify(name)} (version ${existing.version}; this document is version ${version}). Registered schemas are immutable because uploads name them and are validated against them; register the new document under a new name, e.g. "${name}.v2".`,
    { name, version: existing.version, sentVersion: version },
  );
}

/** The registration of `name`; `undefined` when there is none. */
export async function findSchema(objects: ObjectStore, name: string): Promise<RegisteredSchema | undefined> {
  if (!schemaNamePattern.test(name)) return undefined;
  const bytes = await objects.getBytes(keys.schema(name));
  if (bytes === undefined) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as RegisteredSchema;
}

/** The registration of `name`; `SchemaNotFoundError` (404) when there is none. */
export async function getSchema(deps: { objects: ObjectStore }, name: string): Promise<RegisteredSchema> {
  const found = await findSchema(deps.objects, name);
  if (found === undefined) throw new SchemaNotFoundError(name);
  return found;
}

/**
 * Refuses (400) an `init` schema choice `custom:<name>` when nothing is registered as `name`, so
 * an upload never waits for `complete` to learn that its schema does not exist.
 */
export async function requireSchemaChoice(objects: ObjectStore, choice: string | undefined): Promise<void> {
  const name = customSchemaName(choice);
  if (name === undefined) return;
  if (schemaNamePattern.test(name) && (await objects.head(keys.schema(name))) !== undefined) return;
  throw new ValidationError(
    `Unknown schema ${JSON.stringify(choice)}: nothing is registered as ${JSON.stringify(name)}; register it with PUT /api/schemas/${name}.`,
    { field: 'schema' },
  );
}
