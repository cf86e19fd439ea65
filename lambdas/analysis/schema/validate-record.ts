/**
 * Pure checks of one record against one family. Every finding is an error located at the
 * record's line, with the field path (`messages[2].role`, `preferred_output[0].content`).
 * Warnings that need the whole file (no system message, duplicates, too few examples) are the
 * schema visitor's job.
 */
import type { Finding, RecordLocation, SchemaFamily } from '../types.js';
import { checkMessages, checkTools, findingsAt, type Report, typeName } from './chat-rules.js';
import { isPlainObject } from './detect-family.js';

export function validateRecord(record: unknown, family: SchemaFamily, at: RecordLocation): Finding[] {
  const out: Finding[] = [];
  const report = findingsAt(at, out);
  if (!isPlainObject(record)) {
    report('WRONG_DATA_TYPE', undefined, `The record is ${typeName(record)}; it must be a JSON object.`);
    return out;
  }
  rules[family](record, report);
  return out;
}

/** Whether a chat record has a system (or developer) message; for the file-level warning. */
export function hasSystemMessage(record: unknown): boolean {
  if (!isPlainObject(record) || !Array.isArray(record.messages)) return false;
  return record.messages.some(
    (message: unknown) =>
      isPlainObject(message) && (message.role === 'system' || message.role === 'developer'),
  );
}

const rules: Record<SchemaFamily, (record: Record<string, unknown>, report: Report) => void> = {
  chat(record, report) {
    checkMessages(record.messages, 'messages', { requireAssistant: true }, report);
    checkTools(record.tools, 'tools', report);
    if (record.parallel_tool_calls !== undefined && typeof record.parallel_tool_calls !== 'boolean') {
      report('WRONG_DATA_TYPE', 'parallel_tool_calls', 'parallel_tool_calls must be a boolean.');
    }
  },
  prompt_completion(record, report) {
    requireString(record, 'prompt', report, { allowEmpty: true });
    requireString(record, 'completion', report, { allowEmpty: false });
  },
  classification(record, report) {
    requireString(record, 'text', report, { allowEmpty: false });
    const label = record.label;
    if (label === undefined || label === null) {
      report('MISSING_FIELD', 'label', 'The record has no label.');
    } else if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
      report(
        'WRONG_DATA_TYPE',
        'label',
        `label is ${typeName(label)}; it must be a string, number or boolean.`,
      );
    }
  },
  preference(record, report) {
    if ('input' in record || 'preferred_output' in record || 'non_preferred_output' in record) {
      checkDpo(record, report);
      return;
    }
    if (record.prompt === undefined)
      report('MISSING_FIELD', 'prompt', 'The record has chosen/rejected but no prompt.');
    else checkTextOrMessages(record.prompt, 'prompt', false, report);
    for (const key of ['chosen', 'rejected']) {
      if (record[key] === undefined) report('MISSING_FIELD', key, `The record has no ${key}.`);
      else checkTextOrMessages(record[key], key, true, report);
    }
  },
  text(record, report) {
    requireString(record, 'text', report, { allowEmpty: false });
  },
};

function requireString(
  record: Record<string, unknown>,
  key: string,
  report: Report,
  { allowEmpty }: { allowEmpty: boolean },
): void {
  const value = record[key];
  if (value === undefined || value === null) report('MISSING_FIELD', key, `The record has no ${key}.`);
  else if (typeof value !== 'string')
    report('WRONG_DATA_TYPE', key, `${key} is ${typeName(value)}; it must be a string.`);
  else if (!allowEmpty && value === '') report('MISSING_CONTENT', key, `${key} is empty.`);
}

/** TRL-style preference fields: a string, or a conversation (a list of messages). */
function checkTextOrMessages(value: unknown, key: string, isAnswer: boolean, report: Report): void {
  if (typeof value === 'string') {
    if (isAnswer && value === '') report('MISSING_CONTENT', key, `${key} is empty.`);
    return;
  }
  if (Array.isArray(value)) {
    checkMessages(value, key, { requireAssistant: isAnswer }, report);
    return;
  }
  report('WRONG_DATA_TYPE', key, `${key} is ${typeName(value)}; it must be a string or a list of messages.`);
}

/** OpenAI DPO: `input: {messages, tools?}`, `preferred_output` and `non_preferred_output` (assistant messages). */
function checkDpo(record: Record<string, unknown>, report: Report): void {
  const input = record.input;
  if (input === undefined)
    report('MISSING_FIELD', 'input', 'The record has no input (an object with messages).');
  else if (!isPlainObject(input))
    report('WRONG_DATA_TYPE', 'input', `input is ${typeName(input)}; it must be an object.`);
  else {
    checkMessages(input.messages, 'input.messages', { requireAssistant: false }, report);
    checkTools(input.tools, 'input.tools', report);
  }
  for (const key of ['preferred_output', 'non_preferred_output']) {
    if (record[key] === undefined) report('MISSING_FIELD', key, `The record has no ${key}.`);
    else checkMessages(record[key], key, { requireAssistant: true, onlyRole: 'assistant' }, report);
  }
}
