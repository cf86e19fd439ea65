import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { createChatStatisticsVisitor } from '../../../lambdas/analysis/metadata/chat-statistics.js';
import { chatTokenCounter } from '../../../lambdas/analysis/metadata/tokens.js';
import { chatExample, feed, recordingSink, words } from './chat-fixtures.js';

/** The cookbook formula, written out independently of the code under test. */
function expectedTokens(messages: { role: string; content: string }[]): number {
  return 3 + messages.reduce((sum, m) => sum + 3 + countTokens(m.role) + countTokens(m.content), 0);
}

describe('createChatStatisticsVisitor', () => {
  it('counts messages and tokens of a 5-example file exactly', () => {
    // Prepare
    const records = [1, 2, 3, 4, 5].map((n) => chatExample(n * 10, n));
    const findings = recordingSink();
    const visitor = createChatStatisticsVisitor(findings);

    // Act
    feed(visitor, records);
    const stats = visitor.statistics();

    // Assess
    const perExample = records.map((r) => expectedTokens(r.messages));
    const total = perExample.reduce((a, b) => a + b, 0);
    const billable = records.reduce((sum, r) => sum + countTokens(r.messages[2]?.content ?? ''), 0);
    expect(stats).toEqual({
      messagesPerExample: { min: 3, mean: 3, max: 3, total: 15 },
      tokensPerExample: {
        min: Math.min(...perExample),
        mean: total / 5,
        max: Math.max(...perExample),
        total,
        encoding: 'o200k_base',
        sampledExamples: 5,
        estimated: false,
      },
      billableTrainingTokensPerEpoch: billable,
      examplesOverTokenLimit: 0,
    });
    expect(findings.findings).toEqual([]);
  });

  it('counts a fixed string as gpt-tokenizer does', () => {
    // Prepare
    const text = 'The quick brown fox jumps over the lazy dog.';
    const visitor = createChatStatisticsVisitor(recordingSink());

    // Act
    feed(visitor, [{ messages: [{ role: 'assistant', content: text }] }]);

    // Assess
    expect(visitor.statistics()?.tokensPerExample.total).toBe(
      3 + 3 + countTokens('assistant') + countTokens(text),
    );
    expect(visitor.statistics()?.billableTrainingTokensPerEpoch).toBe(countTokens(text));
  });

  it('estimates the tokens of 40,000 examples from a sample of sampleSize, within 3% of the exact count', () => {
    // Prepare: examples grow longer through the file, so the head alone would underestimate.
    const records = Array.from({ length: 40_000 }, (_, i) =>
      chatExample(5 + (i % 37) + Math.floor(i / 1000), i),
    );
    const counter = chatTokenCounter();
    let exactTotal = 0;
    let exactBillable = 0;
    for (const record of records) {
      const tokens = counter.count(record.messages);
      exactTotal += tokens.total;
      exactBillable += tokens.billable;
    }
    const visitor = createChatStatisticsVisitor(recordingSink(), { sampleSize: 2_000 });

    // Act
    feed(visitor, records);
    const stats = visitor.statistics();

    // Assess
    expect(stats?.messagesPerExample).toEqual({ min: 3, mean: 3, max: 3, total: 120_000 });
    expect(stats?.tokensPerExample.sampledExamples).toBe(2_000);
    expect(stats?.tokensPerExample.estimated).toBe(true);
    expect(Math.abs((stats?.tokensPerExample.total ?? 0) / exactTotal - 1)).toBeLessThan(0.03);
    expect(Math.abs((stats?.billableTrainingTokensPerEpoch ?? 0) / exactBillable - 1)).toBeLessThan(0.03);
    expect(stats?.tokensPerExample.mean).toBeCloseTo((stats?.tokensPerExample.total ?? 0) / 40_000, 6);
  });

  it('gives the same estimate every time for the same file', () => {
    // Prepare
    const records = Array.from({ length: 5_000 }, (_, i) => chatExample(1 + (i % 50), i));
    const first = createChatStatisticsVisitor(recordingSink(), { sampleSize: 100 });
    const second = createChatStatisticsVisitor(recordingSink(), { sampleSize: 100 });

    // Act
    feed(first, records);
    feed(second, records);

    // Assess
    expect(first.statistics()).toEqual(second.statistics());
  });

  it('warns about every example over the token limit, also those outside the sample', () => {
    // Prepare: a sample of 2 (the first example and a reservoir of one) among 3,000 examples.
    const limit = 200;
    const emoji = '🎉'.repeat(130);
    // Characters / 2 would call this example short; its real count is over the limit.
    expect(emoji.length / 2).toBeLessThanOrEqual(limit);
    expect(countTokens(emoji)).toBeGreaterThan(limit);
    const longLines = [700, 1_500, 2_999];
    const records = Array.from({ length: 3_000 }, (_, i) => {
      const line = i + 1;
      if (line === 2_999) return { messages: [{ role: 'user', content: emoji }] };
      return longLines.includes(line) ? chatExample(400, i) : chatExample(10, i);
    });
    const findings = recordingSink();
    const visitor = createChatStatisticsVisitor(findings, { maxExampleTokens: limit, sampleSize: 2 });

    // Act
    feed(visitor, records);
    const stats = visitor.statistics();

    // Assess
    expect(stats?.tokensPerExample.sampledExamples).toBe(2);
    expect(stats?.examplesOverTokenLimit).toBe(3);
    expect(findings.findings.map((f) => [f.severity, f.code, f.line])).toEqual(
      longLines.map((line) => ['warning', 'EXAMPLE_TOO_LONG', line]),
    );
    expect(stats?.tokensPerExample.max).toBe(
      Math.max(
        ...longLines.map(
          (l) => chatTokenCounter().count((records[l - 1] as ReturnType<typeof chatExample>).messages).total,
        ),
      ),
    );
  });

  it('excludes assistant messages with weight 0 from the billable tokens', () => {
    // Prepare
    const kept = words(30, 1);
    const record = {
      messages: [
        { role: 'user', content: 'Say it twice.' },
        { role: 'assistant', content: words(50, 2), weight: 0 },
        { role: 'user', content: 'Again.' },
        { role: 'assistant', content: kept, weight: 1 },
      ],
    };
    const visitor = createChatStatisticsVisitor(recordingSink());

    // Act
    feed(visitor, [record]);

    // Assess
    expect(visitor.statistics()?.billableTrainingTokensPerEpoch).toBe(countTokens(kept));
  });

  it('ignores records without a messages array and answers undefined when there are none', () => {
    // Prepare
    const visitor = createChatStatisticsVisitor(recordingSink());

    // Act
    feed(visitor, [{ prompt: 'a', completion: 'b' }, 'text', null, { messages: 'not an array' }]);

    // Assess
    expect(visitor.statistics()).toBeUndefined();
  });
});
