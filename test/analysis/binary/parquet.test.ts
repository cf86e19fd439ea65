import { parquetWriteBuffer } from 'hyparquet-writer';
import { expect, describe as group, it } from 'vitest';
import type { RecordLocation } from '../../../lambdas/analysis/types.js';
import { describe } from './binary-fixtures.js';

const rows = 999;

/** 999 rows written by hyparquet-writer: 3 row groups of 400/400/199 rows, one nullable column. */
function parquetFile(): Buffer {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: Array.from({ length: rows }, (_, i) => BigInt(i)), type: 'INT64' },
      { name: 'text', data: Array.from({ length: rows }, (_, i) => `example ${i}`), type: 'STRING' },
      {
        name: 'label',
        data: Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? null : `l${i % 3}`)),
        type: 'STRING',
      },
      { name: 'score', data: Array.from({ length: rows }, (_, i) => i / 7), type: 'DOUBLE' },
    ],
    rowGroupSize: 400,
  });
  return Buffer.from(buffer);
}

group('describeBinary on Parquet', () => {
  it('gives the record count and columns of a 999-row file from its footer', async () => {
    // Prepare
    const file = parquetFile();

    // Act
    const { result, sink } = await describe(file, 'train.parquet');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.dataset).toEqual({
      format: 'parquet',
      recordCount: 999,
      schemaFamily: 'unknown',
      fields: [
        { name: 'id', type: 'INT64', types: { INT64: 999 }, missing: 0 },
        { name: 'text', type: 'STRING', types: { STRING: 999 }, missing: 0 },
        { name: 'label', type: 'STRING', types: { STRING: 899, null: 100 }, missing: 100 },
        { name: 'score', type: 'DOUBLE', types: { DOUBLE: 999 }, missing: 0 },
      ],
    });
  });

  it('feeds every row to the visitors, in order, with 1-based row numbers', async () => {
    // Prepare
    const seen: { record: unknown; at: RecordLocation }[] = [];
    let ended = 0;
    const visitor = {
      onRecord: (record: unknown, at: RecordLocation) => seen.push({ record, at }),
      onEnd: () => ended++,
    };

    // Act
    const { sink } = await describe(parquetFile(), 'train.parquet', { visitors: [visitor] });

    // Assess
    expect(sink.findings).toEqual([]);
    expect(seen).toHaveLength(999);
    expect(seen[0]).toEqual({
      record: { id: 0, text: 'example 0', label: null, score: 0 },
      at: { line: 1, index: 0 },
    });
    expect(seen[998]?.at).toEqual({ line: 999, index: 998 });
    expect(seen[998]?.record).toMatchObject({ id: 998, text: 'example 998', label: 'l2' });
    expect(ended).toBe(1);
  });

  it('reports CORRUPT_PARQUET when the footer magic is missing', async () => {
    // Prepare
    const file = parquetFile().subarray(0, 5000);

    // Act
    const { result, sink } = await describe(file, 'cut.parquet');

    // Assess
    expect(result).toBeUndefined();
    expect(sink.codes()).toEqual(['CORRUPT_PARQUET']);
    expect(sink.findings[0]?.message).toMatch(/footer magic/);
  });

  it('reports CORRUPT_PARQUET when the footer does not decode', async () => {
    // Prepare: keep length and magic, scramble the Thrift footer.
    const file = parquetFile();
    const footerLength = file.readUInt32LE(file.length - 8);
    file.fill(0xff, file.length - 8 - footerLength, file.length - 8);

    // Act
    const { sink } = await describe(file, 'scrambled.parquet');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_PARQUET']);
  });

  it('reports CORRUPT_PARQUET for a .parquet file that is not Parquet', async () => {
    // Act
    const { sink } = await describe(Buffer.from('id,text\n1,hello\n'), 'data.parquet');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_PARQUET']);
  });
});
