import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../../lambdas/core/errors.js';
import { sanitizeFilename } from '../../../lambdas/core/filename.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { createCoreDeps } from '../../support/core-deps.js';

describe('initUpload', () => {
  it('answers the server chunk size and ceil(totalSize / chunkSize) chunks', async () => {
    const deps = createCoreDeps();

    const result = await initUpload(deps, { filename: 'train.jsonl', totalSize: 2049, owner: 'local' });

    expect(result).toMatchObject({
      chunkSize: 1024,
      totalChunks: 3,
      filename: 'train.jsonl',
      state: 'uploading',
    });
    expect(result.uploadId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stores the checksum in lowercase and the session expiry', async () => {
    const deps = createCoreDeps();
    const checksum = 'AB'.repeat(32);

    const { uploadId } = await initUpload(deps, {
      filename: 'a.bin',
      totalSize: 10,
      checksum,
      owner: 'local',
    });

    const session = await deps.sessions.get(uploadId);
    expect(session?.checksum).toBe('ab'.repeat(32));
    expect(session?.expiresAt).toBe(deps.clock.now() + deps.config.sessionTtlMs);
  });

  it('refuses an upload above the maximum size with 413 naming the limit', async () => {
    const deps = createCoreDeps();

    const attempt = initUpload(deps, { filename: 'big.bin', totalSize: 1024 * 1024 + 1, owner: 'local' });

    await expect(attempt).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(attempt).rejects.toThrow(/maximum upload size of 1048576 bytes \(MAX_UPLOAD_SIZE\)/);
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\train.jsonl', 'train.jsonl'],
    ['data\u0000\u001b[31m.jsonl', 'data_31m.jsonl'],
    ['..hidden', 'hidden'],
    ['report\u202egnp.exe', 'reportgnp.exe'],
    ['train set (v2).jsonl', 'train set (v2).jsonl'],
    ['données.csv', 'données.csv'],
    ['a#b?c*d.txt', 'a_b_c_d.txt'],
  ])('turns %j into %j', (raw, safe) => {
    expect(sanitizeFilename(raw)).toBe(safe);
  });

  it('bounds the name to 255 UTF-8 bytes and keeps the extension', () => {
    const safe = sanitizeFilename(`${'é'.repeat(300)}.jsonl`);

    expect(new TextEncoder().encode(safe).length).toBeLessThanOrEqual(255);
    expect(safe.endsWith('.jsonl')).toBe(true);
  });

  it.each(['../', '///', '\u0000\u0001', '..', '???'])('refuses %j, which has no usable name', (raw) => {
    expect(() => sanitizeFilename(raw)).toThrow(ValidationError);
  });
});
