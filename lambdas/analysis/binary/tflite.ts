/**
 * TensorFlow Lite: a FlatBuffer whose file identifier `TFL3` sits at byte 4. The root table
 * (`Model`) is found through the u32 at byte 0; its first field is the schema `version` (u32).
 */
import type { ArtifactDescription } from '../types.js';
import { ascii, type BinaryContext } from './binary-context.js';
import { BinaryFormatError, TruncatedFileError } from './binary-errors.js';
import type { BudgetedReader } from './ranged-buffer.js';

const code = 'CORRUPT_TFLITE';

export async function describeTflite(ctx: BinaryContext): Promise<ArtifactDescription> {
  const { reader } = ctx;
  const start = await reader.readExact(0, 8, 'the FlatBuffer header');
  if (ascii(start, 4, 4) !== 'TFL3') throw new BinaryFormatError(code, 'no TFL3 file identifier at byte 4');
  const details: Record<string, unknown> = { fileIdentifier: 'TFL3' };
  try {
    details.schemaVersion = await readVersion(reader, view(start).getUint32(0, true));
  } catch (error) {
    if (!(error instanceof TruncatedFileError)) throw error;
    throw new BinaryFormatError(code, `the root table is not inside the file: ${error.message}`);
  }
  return { format: 'tflite', framework: 'tflite', details };
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

async function readVersion(reader: BudgetedReader, table: number): Promise<number | undefined> {
  const vtable = table - view(await reader.readExact(table, 4, 'the root table')).getInt32(0, true);
  const vtableHeader = view(await reader.readExact(vtable, 6, 'the root vtable'));
  // vtable: u16 vtable size, u16 table size, then one u16 offset per field (0 = absent).
  const fieldOffset = vtableHeader.getUint16(0, true) >= 6 ? vtableHeader.getUint16(4, true) : 0;
  if (fieldOffset === 0) return undefined;
  return view(await reader.readExact(table + fieldOffset, 4, 'the model version')).getUint32(0, true);
}
