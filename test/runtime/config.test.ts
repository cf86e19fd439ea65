import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/runtime/config.js';

const base = { TABLE_NAME: 'uploads', BUCKET_NAME: 'uploads' };

describe('S3_CONDITIONAL_WRITES', () => {
  it("is S3's own conditional write unless set, also with another S3 endpoint", () => {
    expect(loadConfig(base).s3ConditionalWrites).toBe('native');
    expect(loadConfig({ ...base, S3_ENDPOINT: 'https://minio.example:9000' }).s3ConditionalWrites).toBe(
      'native',
    );
  });

  it('takes in-process (the local stack) and refuses anything else, naming the setting', () => {
    expect(loadConfig({ ...base, S3_CONDITIONAL_WRITES: 'in-process' }).s3ConditionalWrites).toBe(
      'in-process',
    );
    expect(() => loadConfig({ ...base, S3_CONDITIONAL_WRITES: 'lock' })).toThrow(
      /S3_CONDITIONAL_WRITES must be native or in-process/,
    );
  });
});
