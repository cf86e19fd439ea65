import { describe, expect, it } from 'vitest';
import { detectFamily } from '../../../lambdas/analysis/schema/detect-family.js';
import { validateRecord } from '../../../lambdas/analysis/schema/validate-record.js';

const at = { line: 7, index: 6 };
const pairs = (record: unknown, family: Parameters<typeof validateRecord>[1]) =>
  validateRecord(record, family, at).map((f) => [f.code, f.field]);

describe('detectFamily', () => {
  it.each([
    [{ messages: [] }, 'chat'],
    [{ prompt: 'p', completion: 'c' }, 'prompt_completion'],
    [{ text: 't', label: 1 }, 'classification'],
    [{ prompt: 'p', chosen: 'a', rejected: 'b' }, 'preference'],
    [{ input: { messages: [] }, preferred_output: [], non_preferred_output: [] }, 'preference'],
    [{ text: 't' }, 'text'],
    [{ other: 1 }, undefined],
    [[1], undefined],
  ])('recognizes %j as %s', (record, family) => {
    expect(detectFamily(record)).toBe(family);
  });
});

describe('validateRecord for chat', () => {
  it('accepts a well-formed example with tools, tool calls, content parts and weights', () => {
    // Prepare
    const record = {
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look at' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '42' },
        { role: 'assistant', content: 'It is 42.', weight: 1, name: 'bot' },
      ],
    };

    // Act / Assess
    expect(validateRecord(record, 'chat', at)).toEqual([]);
  });

  it('reports a record without an assistant message as MISSING_ASSISTANT_MESSAGE at its line', () => {
    expect(
      validateRecord({ messages: [{ role: 'user', content: 'hi' }] }, 'chat', { line: 2, index: 1 }),
    ).toEqual([
      {
        severity: 'error',
        code: 'MISSING_ASSISTANT_MESSAGE',
        line: 2,
        field: 'messages',
        message: 'messages has no assistant message; an example must contain at least one.',
      },
    ]);
  });

  it('reports each message problem with its field path', () => {
    // Prepare
    const record = {
      messages: [
        { content: 'no role' },
        { role: 'robot', content: 'x' },
        { role: 'user' },
        { role: 'user', content: '', extra: true },
        { role: 'assistant', content: 7 },
        { role: 'assistant', content: 'ok', weight: 0.5 },
        'not a message',
      ],
    };

    // Act / Assess
    expect(pairs(record, 'chat')).toEqual([
      ['MESSAGE_MISSING_KEY', 'messages[0].role'],
      ['UNRECOGNIZED_ROLE', 'messages[1].role'],
      ['MESSAGE_MISSING_KEY', 'messages[2].content'],
      ['UNRECOGNIZED_KEY', 'messages[3].extra'],
      ['MISSING_CONTENT', 'messages[3].content'],
      ['WRONG_DATA_TYPE', 'messages[4].content'],
      ['INVALID_WEIGHT', 'messages[5].weight'],
      ['WRONG_DATA_TYPE', 'messages[6]'],
    ]);
  });

  it('reports malformed tool calls and tool results', () => {
    // Prepare
    const record = {
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{bad' } },
            { type: 'tool', function: { arguments: {} } },
          ],
        },
        { role: 'tool', content: 'r' },
        { role: 'tool', tool_call_id: 'zzz', content: 'r' },
        { role: 'assistant', content: 'done' },
      ],
    };

    // Act / Assess
    expect(pairs(record, 'chat')).toEqual([
      ['INVALID_TOOL_CALL', 'messages[1].tool_calls[0].function.arguments'],
      ['INVALID_TOOL_CALL', 'messages[1].tool_calls[1].id'],
      ['INVALID_TOOL_CALL', 'messages[1].tool_calls[1].type'],
      ['INVALID_TOOL_CALL', 'messages[1].tool_calls[1].function.name'],
      ['INVALID_TOOL_CALL', 'messages[1].tool_calls[1].function.arguments'],
      ['MESSAGE_MISSING_KEY', 'messages[2].tool_call_id'],
      ['INVALID_TOOL_CALL', 'messages[3].tool_call_id'],
    ]);
  });

  it('reports a missing or mistyped messages list and a non-object record', () => {
    expect(pairs({ messages: [] }, 'chat')).toEqual([['MISSING_MESSAGES_LIST', 'messages']]);
    expect(pairs({ messages: 'hi' }, 'chat')).toEqual([['WRONG_DATA_TYPE', 'messages']]);
    expect(pairs([1, 2], 'chat')).toEqual([['WRONG_DATA_TYPE', undefined]]);
  });
});

describe('validateRecord for the other families', () => {
  it('checks prompt/completion, classification and text fields', () => {
    expect(pairs({ prompt: 'p', completion: 'c' }, 'prompt_completion')).toEqual([]);
    expect(pairs({ prompt: 1 }, 'prompt_completion')).toEqual([
      ['WRONG_DATA_TYPE', 'prompt'],
      ['MISSING_FIELD', 'completion'],
    ]);
    expect(pairs({ text: 't', label: true }, 'classification')).toEqual([]);
    expect(pairs({ text: 't', label: { a: 1 } }, 'classification')).toEqual([['WRONG_DATA_TYPE', 'label']]);
    expect(pairs({ text: '' }, 'text')).toEqual([['MISSING_CONTENT', 'text']]);
  });

  it('checks both preference layouts', () => {
    expect(pairs({ prompt: 'p', chosen: 'a', rejected: 'b' }, 'preference')).toEqual([]);
    expect(pairs({ prompt: 'p', chosen: 'a' }, 'preference')).toEqual([['MISSING_FIELD', 'rejected']]);
    const dpo = {
      input: { messages: [{ role: 'user', content: 'q' }] },
      preferred_output: [{ role: 'assistant', content: 'good' }],
      non_preferred_output: [{ role: 'user', content: 'bad' }],
    };
    expect(pairs(dpo, 'preference')).toEqual([
      ['UNRECOGNIZED_ROLE', 'non_preferred_output[0].role'],
      ['MISSING_ASSISTANT_MESSAGE', 'non_preferred_output'],
    ]);
  });
});
