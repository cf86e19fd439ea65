import { expect, describe as group, it } from 'vitest';
import { describe, tarFile } from './binary-fixtures.js';

group('describeBinary on tar', () => {
  it('walks the headers, skipping member data, and lists the first entries', async () => {
    // Prepare
    const longName = `${'deep/'.repeat(30)}file.txt`;
    const file = tarFile([
      { name: 'data/train.jsonl', data: Buffer.alloc(3_000_000, 0x61) },
      { name: 'data/labels.csv', data: Buffer.from('a,b\n1,2\n') },
      { name: longName, data: Buffer.from('long') },
    ]);

    // Act
    const { result, reader, sink } = await describe(file, 'bundle.tar');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.archive).toEqual({
      format: 'tar',
      entryCount: 3,
      totalUncompressedBytes: 3_000_000 + 8 + 4,
      sampleEntries: [
        { name: 'data/train.jsonl', size: 3_000_000 },
        { name: 'data/labels.csv', size: 8 },
        { name: longName, size: 4 },
      ],
    });
    expect(reader.bytesRead).toBeLessThan(200 * 1024);
  });

  it('reports TRUNCATED_FILE when a member runs past the end', async () => {
    // Prepare
    const whole = tarFile([
      { name: 'a.txt', data: Buffer.from('first') },
      { name: 'b.bin', data: Buffer.alloc(100_000) },
    ]);
    const file = whole.subarray(0, 50_000);

    // Act
    const { result, sink } = await describe(file, 'cut.tar');

    // Assess
    expect(result?.archive?.entryCount).toBe(1);
    expect(sink.findings).toEqual([expect.objectContaining({ code: 'TRUNCATED_FILE', field: 'b.bin' })]);
  });

  it('reports CORRUPT_TAR when a header checksum is wrong', async () => {
    // Prepare
    const file = tarFile([{ name: 'a.txt', data: Buffer.from('first') }]);
    file[0] = 0x42;

    // Act
    const { sink } = await describe(file, 'bad.tar');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_TAR']);
  });
});
