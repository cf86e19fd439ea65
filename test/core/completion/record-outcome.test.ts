import { describe, expect, it } from 'vitest';
import { boundedResult, maxResultBytes } from '../../../lambdas/core/completion/record-outcome.js';

describe('boundedResult', () => {
  it('keeps a result that fits unchanged', () => {
    const result = { statusCode: 200, body: { success: true, metadata: { size: 1 } } };

    expect(boundedResult(result)).toBe(result);
  });

  it('drops the descriptive parts of a result above the DynamoDB budget, keeping verdict and report', () => {
    const huge = 'x'.repeat(maxResultBytes);
    const result = {
      statusCode: 422,
      body: {
        success: false,
        state: 'rejected',
        code: 'DATASET_INVALID',
        message: `bad ${huge}`,
        errors: Array.from({ length: 20 }, () => ({ line: 1, code: 'SCHEMA_VIOLATION', message: huge })),
        warnings: [{ code: 'W', message: 'w' }],
        metadata: { uploadId: 'u', size: 5, reportPath: 's3://b/r', dataset: { labels: { [huge]: 1 } } },
      },
    };

    const bounded = boundedResult(result);

    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThan(16 * 1024);
    expect(bounded.statusCode).toBe(422);
    expect(bounded.body).toMatchObject({
      state: 'rejected',
      code: 'DATASET_INVALID',
      metadata: { uploadId: 'u', size: 5, reportPath: 's3://b/r' },
      warnings: [],
      resultTruncated: expect.stringContaining('reportPath'),
    });
    expect(bounded.body.metadata).not.toHaveProperty('dataset');
    expect((bounded.body.errors as unknown[]).length).toBe(3);
  });
});
