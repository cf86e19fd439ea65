/**
 * Parquet, read with hyparquet through ranged reads. The file is `PAR1`, column chunks, the
 * Thrift-encoded footer (`FileMetaData`), the footer's length (u32 LE) and `PAR1` again. The
 * description comes from the footer alone: `num_rows`, the schema's top-level columns with
 * their logical (else physical) type, and null counts from the column-chunk statistics when
 * every row group has them. Column chunks are checked to lie before the footer (a cut file is
 * caught without reading any data).
 *
 * Rows for the `RecordVisitor`s are read only when visitors are given and the file is at most
 * `maxRowVisitBytes`: one row group at a time (hyparquet decodes a whole column chunk even for
 * part of a group), so memory is bounded by the largest row group, which must itself be at most
 * `maxRowGroupBytes` uncompressed. These reads have their own budget (the file size), separate
 * from the header budget. Larger files get a warning and no row checks.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  type Compressors,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type SchemaTree,
} from 'hyparquet';
import type { DatasetDescription, FieldInfo } from '../types.js';
import { ascii, type BinaryContext } from './binary-context.js';
import {
  BinaryFormatError,
  findSourceReadError,
  messageOf,
  ReadBudgetExceededError,
} from './binary-errors.js';
import { BudgetedReader } from './ranged-buffer.js';

const code = 'CORRUPT_PARQUET';
export const maxRowVisitBytes = 512 * 1024 * 1024;
export const maxRowGroupBytes = 128 * 1024 * 1024;

/** Codecs hyparquet decodes itself (UNCOMPRESSED, SNAPPY) plus those node:zlib provides. */
const compressors: Compressors = {
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
};
const readableCodecs = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI']);

export async function describeParquet(ctx: BinaryContext): Promise<DatasetDescription> {
  const { reader } = ctx;
  if (reader.size < 12 || ascii(ctx.head, 0, 4) !== 'PAR1') {
    throw new BinaryFormatError(code, 'the file does not start with the Parquet magic PAR1');
  }
  const tail = await reader.readExact(reader.size - 8, 8, 'the Parquet footer length');
  const tailMagic = ascii(tail, 4, 4);
  if (tailMagic === 'PARE') {
    throw new BinaryFormatError(
      'ENCRYPTED_PARQUET',
      'the Parquet footer is encrypted: it cannot be described',
    );
  }
  if (tailMagic !== 'PAR1') {
    throw new BinaryFormatError(
      code,
      'the Parquet footer magic PAR1 is missing at the end: the file is truncated or damaged',
    );
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (footerLength + 12 > reader.size) {
    throw new BinaryFormatError(code, `the footer length ${footerLength} is larger than the file`);
  }
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(reader.asAsyncBuffer(), { initialFetchSize: footerLength + 8 });
  } catch (error) {
    if (error instanceof ReadBudgetExceededError || findSourceReadError(error)) throw error;
    throw new BinaryFormatError(code, `the Parquet footer cannot be decoded: ${messageOf(error)}`);
  }
  const recordCount = Number(metadata.num_rows);
  checkColumnChunks(metadata, reader.size - 8 - footerLength, ctx);
  const dataset: DatasetDescription = {
    format: 'parquet',
    recordCount,
    fields: describeColumns(metadata, recordCount),
    schemaFamily: 'unknown',
  };
  if (ctx.visitors.length > 0) {
    await visitRows(metadata, new BudgetedReader(ctx.source, ctx.head, maxRowVisitBytes), ctx);
  }
  return dataset;
}

function typeOf(tree: SchemaTree): string {
  const { element } = tree;
  if (element.logical_type !== undefined) return element.logical_type.type;
  // Writers that predate logical types mark strings with the converted type UTF8.
  if (element.converted_type !== undefined)
    return element.converted_type === 'UTF8' ? 'STRING' : element.converted_type;
  if (element.type !== undefined) return element.type;
  return 'STRUCT';
}

function describeColumns(metadata: FileMetaData, rowCount: number): FieldInfo[] {
  const root = parquetSchema(metadata);
  return root.children.map((column) => {
    const type = typeOf(column);
    const missing = column.children.length === 0 ? nullCount(metadata, column.element.name) : 0;
    const types: Record<string, number> = { [type]: rowCount - missing };
    if (missing > 0) types.null = missing;
    return { name: column.element.name, type, types, missing };
  });
}

/** The column's null count summed over row groups, when every row group's statistics give it; else 0. */
function nullCount(metadata: FileMetaData, name: string): number {
  let total = 0;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find(
      (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name,
    );
    const count = chunk?.meta_data?.statistics?.null_count;
    if (count === undefined) return 0;
    total += Number(count);
  }
  return total;
}

function checkColumnChunks(metadata: FileMetaData, dataEnd: number, { findings }: BinaryContext): void {
  let rows = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    rows += Number(group.num_rows);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || chunk.file_path !== undefined) continue;
      // Some writers store 0 for an absent dictionary page.
      const dictionary = Number(meta.dictionary_page_offset ?? 0);
      const start = dictionary > 0 ? dictionary : Number(meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (start < 4 || end > dataEnd) {
        findings.report({
          severity: 'error',
          code,
          field: meta.path_in_schema.join('.'),
          message: `row group ${index + 1}: column chunk spans bytes ${start}..${end}, outside the data region 4..${dataEnd} (truncated or damaged file)`,
        });
        return;
      }
    }
  }
  if (rows !== Number(metadata.num_rows)) {
    findings.report({
      severity: 'error',
      code,
      message: `the footer says ${metadata.num_rows} rows but its row groups hold ${rows}`,
    });
  }
}

/** Row values as plain JSON-like data for the visitors: bigint -> number (or string past 2^53), Date -> ISO. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

async function visitRows(
  metadata: FileMetaData,
  rowReader: BudgetedReader,
  ctx: BinaryContext,
): Promise<void> {
  const { findings, visitors } = ctx;
  const skip = (why: string) =>
    findings.report({
      severity: 'warning',
      code: 'PARQUET_ROWS_NOT_CHECKED',
      message: `rows were not checked: ${why}`,
    });
  if (rowReader.size > maxRowVisitBytes) return skip(`the file is larger than ${maxRowVisitBytes} bytes`);
  const codecs = new Set(
    metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED')),
  );
  const unreadable = [...codecs].filter((c) => !readableCodecs.has(c));
  if (unreadable.length > 0) return skip(`codec ${unreadable.join(', ')} is not supported`);
  const largest = Math.max(0, ...metadata.row_groups.map((g) => Number(g.total_byte_size)));
  if (largest > maxRowGroupBytes)
    return skip(`a row group holds ${largest} bytes, more than ${maxRowGroupBytes}`);

  const file = rowReader.asAsyncBuffer();
  let index = 0;
  try {
    for (const [groupIndex, group] of metadata.row_groups.entries()) {
      const rowStart = index;
      const rowEnd = rowStart + Number(group.num_rows);
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
      } catch (error) {
        if (error instanceof ReadBudgetExceededError || findSourceReadError(error)) throw error;
        findings.report({
          severity: 'error',
          code,
          row: rowStart + 1,
          message: `row group ${groupIndex + 1} cannot be decoded: ${messageOf(error)}`,
        });
        return;
      }
      for (const row of rows) {
        const record = plain(row);
        for (const visitor of visitors) visitor.onRecord(record, { line: index + 1, index });
        index++;
      }
    }
  } finally {
    // Visitors started: let them finish their summaries even when a row group failed.
    for (const visitor of visitors) visitor.onEnd?.();
  }
}
