import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { chatTokenCounter, exampleTokenUpperBound } from '../../../lambdas/analysis/metadata/tokens.js';

const o200k = (text: string) => o200kCount(text);

describe('chatTokenCounter', () => {
  it('counts 3 per message, role and content tokens, and 3 for the reply priming', () => {
    // Prepare
    const text = 'Resumable uploads survive a dropped connection.';
    const messages = [
      { role: 'user', content: text },
      { role: 'assistant', content: 'Yes.' },
    ];

    // Act
    const counted = chatTokenCounter('o200k_base').count(messages);

    // Assess
    const expected = 3 + (3 + o200k('user') + o200k(text)) + (3 + o200k('assistant') + o200k('Yes.'));
    expect(counted).toEqual({ total: expected, billable: o200k('Yes.') });
  });

  it('counts the text of content parts, names, and tool call names and arguments', () => {
    // Prepare
    const messages = [
      {
        role: 'user',
        name: 'ana',
        content: [{ type: 'text', text: 'Weather in Paris?' }, { type: 'image_url' }],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
    ];

    // Act
    const counted = chatTokenCounter().count(messages);

    // Assess
    const toolCall = o200k('get_weather') + o200k('{"city":"Paris"}');
    const user = 3 + o200k('user') + o200k('ana') + 1 + o200k('Weather in Paris?');
    expect(counted).toEqual({ total: 3 + user + (3 + o200k('assistant') + toolCall), billable: toolCall });
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    // Prepare
    const messages = [{ role: 'user', content: 'end <|endoftext|> here' }];

    // Act
    const counted = chatTokenCounter().count(messages);

    // Assess
    expect(counted.total).toBeGreaterThan(3 + 3 + 1 + 3);
  });

  it('bounds the count from above by UTF-8 bytes, for ASCII, CJK and emoji', () => {
    // Prepare
    const counter = chatTokenCounter();
    const texts = ['plain english words', '你好世界，数据集', '🎉🧪🦀'.repeat(20), 'a'.repeat(1000)];

    for (const text of texts) {
      const messages = [{ role: 'user', content: text }];
      // Act
      const bound = exampleTokenUpperBound(messages, (t) => Buffer.byteLength(t));
      // Assess
      expect(bound).toBeGreaterThanOrEqual(counter.count(messages).total);
    }
  });
});
