import { describe, expect, it } from 'vitest';
import { createSchemaVisitor } from '../../../lambdas/analysis/schema/schema-visitor.js';
import type { Finding, SchemaExpectation } from '../../../lambdas/analysis/types.js';
import { chat, jsonl, parse } from '../formats/parse-helpers.js';

async function check(input: string, expectation: SchemaExpectation = { kind: 'auto' }, limits = {}) {
  const findings: Finding[] = [];
  const visitor = createSchemaVisitor(expectation, { report: (f) => findings.push(f) }, {}, limits);
  const parsed = await parse('jsonl', input, { visitors: [visitor] });
  return { findings: [...parsed.findings, ...findings], family: visitor.family(), count: parsed.count };
}

const tenChats = Array.from({ length: 10 }, (_, k) => chat(`q${k}`, `a${k}`, 'sys'));

describe('schema visitor', () => {
  it('accepts a valid chat file and names its family', async () => {
    // Act
    const result = await check(jsonl(...tenChats));

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.family).toBe('chat');
  });

  it('rejects line 2 without an assistant message, naming the line', async () => {
    // Prepare
    const input = jsonl(
      tenChats[0],
      {
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'u' },
        ],
      },
      ...tenChats.slice(1),
    );

    // Act
    const result = await check(input);

    // Assess
    expect(result.findings.map((f) => [f.severity, f.code, f.line, f.field])).toEqual([
      ['error', 'MISSING_ASSISTANT_MESSAGE', 2, 'messages'],
    ]);
  });

  it('reports mixed families once, at the first line of the minority family, with the counts', async () => {
    // Prepare
    const input = jsonl(...tenChats.slice(0, 5), { prompt: 'p', completion: 'c' }, ...tenChats.slice(5), {
      prompt: 'p2',
      completion: 'c2',
    });

    // Act
    const result = await check(input);

    // Assess
    expect(result.family).toBe('mixed');
    expect(result.findings).toEqual([
      {
        severity: 'error',
        code: 'MIXED_FAMILIES',
        line: 6,
        message:
          'The file mixes example families (10 chat, 2 prompt_completion); the first prompt_completion example is on line 6. Use one format per file.',
      },
    ]);
  });

  it('warns about duplicates with the line of the first occurrence, and about few examples and system messages', async () => {
    // Prepare
    const input = jsonl(
      chat('a', 'b'),
      chat('c', 'd'),
      { messages: chat('a', 'b').messages },
      chat('c', 'd'),
    );

    // Act
    const result = await check(input);

    // Assess
    expect(result.findings).toEqual([
      { severity: 'warning', code: 'DUPLICATE_EXAMPLE', line: 3, message: 'Line 3 duplicates line 1.' },
      { severity: 'warning', code: 'DUPLICATE_EXAMPLE', line: 4, message: 'Line 4 duplicates line 2.' },
      {
        severity: 'warning',
        code: 'NO_SYSTEM_MESSAGE',
        line: 1,
        message: '4 of 4 chat examples have no system message (the first on line 1).',
      },
      {
        severity: 'warning',
        code: 'TOO_FEW_EXAMPLES',
        message: 'The file has 4 example(s); fine-tuning needs at least 10.',
      },
    ]);
  });

  it('stops checking duplicates at the tracking limit and says so', async () => {
    // Act
    const result = await check(jsonl(...tenChats, tenChats[0]), { kind: 'auto' }, { maxTrackedRecords: 4 });

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['DUPLICATE_CHECK_LIMITED', 4]]);
  });

  it('reports records of another family than the declared one as FAMILY_MISMATCH', async () => {
    // Act
    const result = await check(jsonl(...tenChats, { text: 'x' }, { foo: 1 }), {
      kind: 'family',
      family: 'chat',
    });

    // Assess
    expect(result.family).toBe('chat');
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ['FAMILY_MISMATCH', 11],
      ['MISSING_MESSAGES_LIST', 12],
    ]);
  });

  it('reports records that fit no family as UNRECOGNIZED_RECORD', async () => {
    // Act
    const result = await check(jsonl(...tenChats, { foo: 1 }));

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['UNRECOGNIZED_RECORD', 11]]);
  });

  it('validates a registered custom JSON Schema with the instance path as field', async () => {
    // Prepare
    const expectation: SchemaExpectation = {
      kind: 'custom',
      name: 'qa-v1',
      jsonSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['question', 'answers'],
        properties: {
          question: { type: 'string' },
          answers: { type: 'array', items: { type: 'object', properties: { score: { type: 'number' } } } },
        },
        additionalProperties: false,
      },
    };
    const rows = Array.from({ length: 10 }, (_, k) => ({ question: `q${k}`, answers: [{ score: k }] }));
    const input = jsonl(...rows, { question: 'q', answers: [{ score: 'high' }] }, { answers: [], extra: 1 });

    // Act
    const result = await check(input, expectation);

    // Assess
    expect(result.family).toBe('custom:qa-v1');
    expect(result.findings.map((f) => [f.code, f.line, f.field, f.message])).toEqual([
      ['SCHEMA_VIOLATION', 11, 'answers[0].score', 'answers[0].score must be number (schema "qa-v1").'],
      [
        'SCHEMA_VIOLATION',
        12,
        'question',
        'question must have required property \'question\' (schema "qa-v1").',
      ],
      ['SCHEMA_VIOLATION', 12, 'extra', 'extra must NOT have additional properties (schema "qa-v1").'],
    ]);
  });

  it('reports an invalid registered schema once instead of throwing', async () => {
    // Act
    const result = await check(jsonl(...tenChats), {
      kind: 'custom',
      name: 'broken',
      jsonSchema: { type: 'no-such-type' },
    });

    // Assess
    expect(result.findings.map((f) => f.code)).toEqual(['INVALID_CUSTOM_SCHEMA']);
  });

  it('rejects the file, naming the line, once the registered schema has used its time budget', async () => {
    // Prepare: each check takes 400 ms on this clock; the budget is one second
    let clock = 0;
    const now = () => {
      clock += 400;
      return clock;
    };
    const records = Array.from({ length: 5 }, (_, k) => ({ question: `q${k}` }));
    const expectation: SchemaExpectation = {
      kind: 'custom',
      name: 'qa-v1',
      jsonSchema: { type: 'object', required: ['question', 'answer'] },
    };

    // Act
    const result = await check(jsonl(...records), expectation, { customSchemaBudgetMs: 1000, now });

    // Assess: lines 1-3 were checked (the third passed the budget), 4 and 5 were not
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ['SCHEMA_VIOLATION', 1],
      ['SCHEMA_VIOLATION', 2],
      ['SCHEMA_VIOLATION', 3],
      ['CUSTOM_SCHEMA_TOO_SLOW', 3],
      ['TOO_FEW_EXAMPLES', undefined],
    ]);
    expect(result.findings[3]?.severity).toBe('error');
    expect(result.findings[3]?.message).toContain(
      '"qa-v1" took more than 1 s (records after line 3 were not checked)',
    );
  });
});
