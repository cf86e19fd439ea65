/**
 * Checks of chat messages, at least as fine as OpenAI's fine-tuning data-prep script (the codes
 * map one to one: data_type, missing_messages_list, message_missing_key, message_unrecognized_key,
 * unrecognized_role, missing_content, example_missing_assistant_message), plus tool calls, content
 * parts and weights, which that script does not check.
 *
 * Roles: `system`, `user`, `assistant`, `tool`, and also `developer` (OpenAI's name for system
 * instructions on newer models) and `function` (the legacy tool result role that OpenAI's script
 * still accepts). `developer` counts as a system message for NO_SYSTEM_MESSAGE.
 */
import type { Finding, RecordLocation } from '../types.js';
import { isPlainObject } from './detect-family.js';

export const chatRoles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const messageKeys = new Set([
  'role',
  'content',
  'name',
  'weight',
  'tool_calls',
  'tool_call_id',
  'function_call',
]);
const contentPartTypes = new Set(['text', 'image_url', 'input_audio', 'refusal']);

export type Report = (code: string, field: string | undefined, message: string) => void;

export function findingsAt(at: RecordLocation, out: Finding[]): Report {
  return (code, field, message) =>
    out.push({ severity: 'error', code, line: at.line, ...(field === undefined ? {} : { field }), message });
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

export interface MessagesCheck {
  /** Require at least one assistant message (a chat example; not a preference prompt). */
  requireAssistant: boolean;
  /** Allow only this role (preference outputs are assistant messages). */
  onlyRole?: string;
}

/** Checks a `messages` list at `path`; returns whether it holds a system (or developer) message. */
export function checkMessages(
  messages: unknown,
  path: string,
  check: MessagesCheck,
  report: Report,
): boolean {
  if (messages === undefined || messages === null || (Array.isArray(messages) && messages.length === 0)) {
    report(
      'MISSING_MESSAGES_LIST',
      path,
      `${path} is missing or empty; a chat example needs a non-empty list of messages.`,
    );
    return false;
  }
  if (!Array.isArray(messages)) {
    report('WRONG_DATA_TYPE', path, `${path} is ${typeName(messages)}; it must be an array of messages.`);
    return false;
  }
  let hasSystem = false;
  let hasAssistant = false;
  const toolCallIds = new Set<string>();
  messages.forEach((message: unknown, k) => {
    const at = `${path}[${k}]`;
    if (!isPlainObject(message)) {
      report('WRONG_DATA_TYPE', at, `${at} is ${typeName(message)}; each message must be an object.`);
      return;
    }
    const role = checkRole(message, at, check.onlyRole, report);
    if (role === 'system' || role === 'developer') hasSystem = true;
    if (role === 'assistant') hasAssistant = true;
    for (const key of Object.keys(message)) {
      if (!messageKeys.has(key)) {
        report('UNRECOGNIZED_KEY', `${at}.${key}`, `${at} has the key "${key}", which is not a message key.`);
      }
    }
    const hasToolCalls =
      role === 'assistant' && (message.tool_calls !== undefined || message.function_call !== undefined);
    checkContent(message, at, hasToolCalls, report);
    if (message.name !== undefined && typeof message.name !== 'string') {
      report(
        'WRONG_DATA_TYPE',
        `${at}.name`,
        `${at}.name is ${typeName(message.name)}; it must be a string.`,
      );
    }
    if (message.weight !== undefined) {
      if (role !== 'assistant') {
        report(
          'INVALID_WEIGHT',
          `${at}.weight`,
          `${at} has a weight, but only assistant messages can be weighted.`,
        );
      } else if (message.weight !== 0 && message.weight !== 1) {
        report('INVALID_WEIGHT', `${at}.weight`, `${at}.weight must be 0 or 1.`);
      }
    }
    if (message.tool_calls !== undefined)
      checkToolCalls(message.tool_calls, `${at}.tool_calls`, role, toolCallIds, report);
    if (role === 'tool') checkToolResult(message, at, toolCallIds, report);
  });
  if (check.requireAssistant && !hasAssistant) {
    report(
      'MISSING_ASSISTANT_MESSAGE',
      path,
      `${path} has no assistant message; an example must contain at least one.`,
    );
  }
  return hasSystem;
}

function checkRole(
  message: Record<string, unknown>,
  at: string,
  onlyRole: string | undefined,
  report: Report,
) {
  const role = message.role;
  if (role === undefined) {
    report('MESSAGE_MISSING_KEY', `${at}.role`, `${at} has no role.`);
    return undefined;
  }
  if (typeof role !== 'string') {
    report('WRONG_DATA_TYPE', `${at}.role`, `${at}.role is ${typeName(role)}; it must be a string.`);
    return undefined;
  }
  if (!chatRoles.has(role) || (onlyRole !== undefined && role !== onlyRole)) {
    const allowed = onlyRole ?? [...chatRoles].join(', ');
    report('UNRECOGNIZED_ROLE', `${at}.role`, `${at}.role is "${role.slice(0, 40)}"; expected ${allowed}.`);
    return undefined;
  }
  return role;
}

function checkContent(
  message: Record<string, unknown>,
  at: string,
  hasToolCalls: boolean,
  report: Report,
): void {
  const content = message.content;
  const field = `${at}.content`;
  if (content === undefined) {
    if (!hasToolCalls) report('MESSAGE_MISSING_KEY', field, `${at} has no content.`);
    return;
  }
  if (content === null) {
    if (!hasToolCalls)
      report('MISSING_CONTENT', field, `${field} is null and the message has no tool calls.`);
    return;
  }
  if (typeof content === 'string') {
    if (content === '' && !hasToolCalls) report('MISSING_CONTENT', field, `${field} is empty.`);
    return;
  }
  if (!Array.isArray(content)) {
    report(
      'WRONG_DATA_TYPE',
      field,
      `${field} is ${typeName(content)}; it must be a string or an array of content parts.`,
    );
    return;
  }
  if (content.length === 0 && !hasToolCalls) report('MISSING_CONTENT', field, `${field} is an empty array.`);
  for (const [k, part] of content.entries()) checkContentPart(part, `${field}[${k}]`, report);
}

function checkContentPart(part: unknown, at: string, report: Report): void {
  if (!isPlainObject(part)) {
    report('WRONG_DATA_TYPE', at, `${at} is ${typeName(part)}; a content part must be an object.`);
    return;
  }
  if (typeof part.type !== 'string' || !contentPartTypes.has(part.type)) {
    report(
      'INVALID_CONTENT_PART',
      `${at}.type`,
      `${at}.type must be one of ${[...contentPartTypes].join(', ')}.`,
    );
    return;
  }
  if (part.type === 'text' && typeof part.text !== 'string') {
    report('INVALID_CONTENT_PART', `${at}.text`, `${at} is a text part without a string "text".`);
  }
  if (part.type === 'image_url') {
    const image = part.image_url;
    if (!isPlainObject(image) || typeof image.url !== 'string') {
      report('INVALID_CONTENT_PART', `${at}.image_url`, `${at} is an image part without image_url.url.`);
    }
  }
}

function checkToolCalls(
  calls: unknown,
  at: string,
  role: string | undefined,
  ids: Set<string>,
  report: Report,
): void {
  if (role !== 'assistant') {
    report('INVALID_TOOL_CALL', at, `${at}: only assistant messages can make tool calls.`);
    return;
  }
  if (!Array.isArray(calls) || calls.length === 0) {
    report('INVALID_TOOL_CALL', at, `${at} must be a non-empty array of tool calls.`);
    return;
  }
  calls.forEach((call: unknown, k) => {
    const path = `${at}[${k}]`;
    if (!isPlainObject(call)) {
      report('INVALID_TOOL_CALL', path, `${path} must be an object {id, type: "function", function}.`);
      return;
    }
    if (typeof call.id !== 'string' || call.id === '') {
      report('INVALID_TOOL_CALL', `${path}.id`, `${path}.id must be a non-empty string.`);
    } else ids.add(call.id);
    if (call.type !== 'function')
      report('INVALID_TOOL_CALL', `${path}.type`, `${path}.type must be "function".`);
    const fn = call.function;
    if (!isPlainObject(fn)) {
      report(
        'INVALID_TOOL_CALL',
        `${path}.function`,
        `${path}.function must be an object {name, arguments}.`,
      );
      return;
    }
    if (typeof fn.name !== 'string' || fn.name === '') {
      report(
        'INVALID_TOOL_CALL',
        `${path}.function.name`,
        `${path}.function.name must be a non-empty string.`,
      );
    }
    if (typeof fn.arguments !== 'string') {
      report(
        'INVALID_TOOL_CALL',
        `${path}.function.arguments`,
        `${path}.function.arguments must be a string of JSON.`,
      );
    } else if (!isJson(fn.arguments)) {
      report(
        'INVALID_TOOL_CALL',
        `${path}.function.arguments`,
        `${path}.function.arguments is not valid JSON.`,
      );
    }
  });
}

function checkToolResult(
  message: Record<string, unknown>,
  at: string,
  ids: Set<string>,
  report: Report,
): void {
  const id = message.tool_call_id;
  if (id === undefined) {
    report('MESSAGE_MISSING_KEY', `${at}.tool_call_id`, `${at} is a tool message without tool_call_id.`);
  } else if (typeof id !== 'string') {
    report('WRONG_DATA_TYPE', `${at}.tool_call_id`, `${at}.tool_call_id must be a string.`);
  } else if (!ids.has(id)) {
    report(
      'INVALID_TOOL_CALL',
      `${at}.tool_call_id`,
      `${at}.tool_call_id matches no tool call of an earlier assistant message.`,
    );
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Checks the optional top-level `tools` list of a chat (or DPO input) record. */
export function checkTools(tools: unknown, path: string, report: Report): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools)) {
    report(
      'WRONG_DATA_TYPE',
      path,
      `${path} is ${typeName(tools)}; it must be an array of tool definitions.`,
    );
    return;
  }
  tools.forEach((tool: unknown, k) => {
    const at = `${path}[${k}]`;
    const fn = isPlainObject(tool) ? tool.function : undefined;
    if (
      !isPlainObject(tool) ||
      tool.type !== 'function' ||
      !isPlainObject(fn) ||
      typeof fn.name !== 'string'
    ) {
      report(
        'INVALID_TOOL_DEFINITION',
        at,
        `${at} must be {type: "function", function: {name, description?, parameters?}}.`,
      );
    } else if (fn.parameters !== undefined && !isPlainObject(fn.parameters)) {
      report(
        'INVALID_TOOL_DEFINITION',
        `${at}.function.parameters`,
        `${at}.function.parameters must be a JSON Schema object.`,
      );
    }
  });
}
