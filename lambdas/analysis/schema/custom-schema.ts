/**
 * A team's own record format, registered as a JSON Schema and checked with Ajv (compiled once per
 * file). The schema's `$schema` picks the draft: 2020-12, 2019-09, or draft-07 by default. Ajv's
 * strict mode is off so that schemas with annotations or formats Ajv does not know still load.
 *
 * Nothing in a registered schema runs a backtracking regular expression on the data:
 * - `pattern` and `patternProperties` run on RE2 (`linear-regexp.ts`, Ajv's `code.regExp`), and
 *   a pattern RE2 cannot run (backreferences, lookaround) fails the compilation with
 *   `UnsupportedPatternError`, so registration refuses it;
 * - `format` is an annotation only (`validateFormats: false`; no format library is loaded);
 * - with strict mode off, Ajv does not test `patternProperties` against the names in
 *   `properties` with a native RegExp at compile time (its `allowMatchingProperties` check);
 * - `$data` references are off, so a pattern cannot come from the record itself.
 * Findings carry Ajv's instance path as the field (`/messages/2/role` -> `messages[2].role`) and
 * its message, never the offending value.
 */

import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019Module from 'ajv/dist/2019.js';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { Finding, RecordLocation } from '../types.js';
import { linearRegExp } from './linear-regexp.js';

// Ajv is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv = AjvModule.default;
const Ajv2019 = Ajv2019Module.default;
const Ajv2020 = Ajv2020Module.default;

/** Errors reported per record: the first ones say enough and the rest would flood the report. */
const maxErrorsPerRecord = 10;

export type CustomValidator = (record: unknown, at: RecordLocation) => Finding[];

/**
 * Compiles `jsonSchema`; throws Ajv's error when the schema itself is invalid, and
 * `UnsupportedPatternError` for a pattern the linear-time engine cannot run.
 */
export function compileCustomSchema(name: string, jsonSchema: Record<string, unknown>): CustomValidator {
  const draft = String(jsonSchema.$schema ?? '');
  const options = {
    allErrors: true,
    strict: false,
    logger: false as const,
    validateFormats: false,
    $data: false,
    unicodeRegExp: true,
    code: { regExp: linearRegExp() },
  };
  const ajv = draft.includes('2020-12')
    ? new Ajv2020(options)
    : draft.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  const validate: ValidateFunction = ajv.compile(jsonSchema);
  return (record, at) => {
    if (validate(record)) return [];
    return (validate.errors ?? []).slice(0, maxErrorsPerRecord).map((error) => toFinding(error, name, at));
  };
}

function toFinding(error: ErrorObject, name: string, at: RecordLocation): Finding {
  let field = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (typeof params.missingProperty === 'string') field = join(field, params.missingProperty);
  if (typeof params.additionalProperty === 'string') field = join(field, params.additionalProperty);
  const allowed = Array.isArray(params.allowedValues)
    ? ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
    : '';
  return {
    severity: 'error',
    code: 'SCHEMA_VIOLATION',
    line: at.line,
    ...(field === '' ? {} : { field }),
    message: `${field === '' ? 'The record' : field} ${error.message ?? 'is invalid'}${allowed} (schema "${name}").`,
  };
}

/** `/messages/2/role` -> `messages[2].role` (JSON Pointer escapes ~1 and ~0 decoded). */
export function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(token) ? `${path}[${token}]` : join(path, token);
  }
  return path;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
