/**
 * ONNX: a bare protobuf `ModelProto` (onnx.proto), decoded field by field with a small
 * wire-format reader instead of a protobuf runtime and the full schema. Top-level fields read:
 * ir_version (1), producer_name (2), producer_version (3), domain (4), model_version (5),
 * graph (7), opset_import (8: OperatorSetIdProto {domain 1, version 2}), metadata_props
 * (14: StringStringEntryProto {key 1, value 2}); every other field is skipped by its wire type.
 *
 * The graph holds the weights (initializers, field 5 of GraphProto, each a TensorProto with
 * dims 1, data_type 2) and can be gigabytes. It is walked only to count nodes and initializers
 * and sum the initializers' dims products; tensor payloads (raw_data and the typed *_data
 * fields) are skipped by length, never read. When that walk passes the read budget the graph
 * is skipped and the model described without a parameter count.
 */
import type { ArtifactDescription } from '../types.js';
import { type BinaryContext, shortString } from './binary-context.js';
import {
  BinaryFormatError,
  MalformedStructureError,
  ReadBudgetExceededError,
  TruncatedFileError,
} from './binary-errors.js';
import { ByteCursor } from './ranged-buffer.js';

const code = 'CORRUPT_ONNX';
const maxMetadataProps = 64;

/** TensorProto.DataType. */
const dataTypeNames: Record<number, string> = {
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

const WireType = { varint: 0, fixed64: 1, len: 2, fixed32: 5 } as const;

interface Field {
  number: number;
  wire: number;
}

async function readField(cursor: ByteCursor): Promise<Field> {
  const key = await cursor.varint('a protobuf field key');
  const field = { number: Math.floor(key / 8), wire: key % 8 };
  if (field.number === 0)
    throw new MalformedStructureError(`protobuf field number 0 at offset ${cursor.position}`);
  return field;
}

async function skipField(cursor: ByteCursor, field: Field): Promise<void> {
  switch (field.wire) {
    case WireType.varint:
      await cursor.varint(`field ${field.number}`);
      return;
    case WireType.fixed64:
      cursor.skip(8, `field ${field.number}`);
      return;
    case WireType.len:
      cursor.skip(await cursor.varint(`field ${field.number} length`), `field ${field.number}`);
      return;
    case WireType.fixed32:
      cursor.skip(4, `field ${field.number}`);
      return;
    default:
      // Groups (3, 4) were never used by onnx.proto; 6 and 7 do not exist.
      throw new MalformedStructureError(`protobuf field ${field.number} has wire type ${field.wire}`);
  }
}

function expectWire(field: Field, wire: number, what: string): void {
  if (field.wire !== wire) {
    throw new MalformedStructureError(
      `${what} (field ${field.number}) has wire type ${field.wire}, expected ${wire}`,
    );
  }
}

/** A length-delimited submessage: a cursor bounded to it, and the parent moved past it. */
async function submessage(reader: ByteCursor, ctx: BinaryContext, what: string): Promise<ByteCursor> {
  const length = await reader.varint(`${what} length`);
  const start = reader.position;
  reader.skip(length, what);
  return new ByteCursor(ctx.reader, start, start + length);
}

async function shortText(cursor: ByteCursor, what: string): Promise<string> {
  const length = await cursor.varint(`${what} length`);
  const kept = Math.min(length, 1024);
  const text = await cursor.string(kept, what);
  cursor.skip(length - kept, what);
  return shortString(text);
}

export async function describeOnnx(ctx: BinaryContext): Promise<ArtifactDescription> {
  try {
    return await describeModelProto(ctx);
  } catch (error) {
    // ONNX has no magic: bytes that do not hold together as a ModelProto are "not ONNX or cut
    // short", and a truncation cannot be told apart from any other non-ONNX content.
    if (!(error instanceof TruncatedFileError || error instanceof MalformedStructureError)) throw error;
    throw new BinaryFormatError(
      code,
      `not a readable ONNX ModelProto (damaged, truncated or not ONNX): ${error.message}`,
    );
  }
}

async function describeModelProto(ctx: BinaryContext): Promise<ArtifactDescription> {
  const cursor = new ByteCursor(ctx.reader, 0);
  const details: Record<string, unknown> = {};
  const opsets: { domain: string; version: number }[] = [];
  const metadata: Record<string, string> = {};
  let graph: ByteCursor | undefined;
  while (cursor.remaining > 0) {
    const field = await readField(cursor);
    switch (field.number) {
      case 1:
        expectWire(field, WireType.varint, 'ir_version');
        details.irVersion = await cursor.varint('ir_version');
        break;
      case 2:
      case 3:
      case 4: {
        expectWire(field, WireType.len, 'a ModelProto string');
        const name = ({ 2: 'producerName', 3: 'producerVersion', 4: 'domain' } as const)[field.number];
        details[name] = await shortText(cursor, name);
        break;
      }
      case 5:
        expectWire(field, WireType.varint, 'model_version');
        details.modelVersion = await cursor.varint('model_version');
        break;
      case 7:
        expectWire(field, WireType.len, 'graph');
        graph = await submessage(cursor, ctx, 'graph');
        break;
      case 8:
        expectWire(field, WireType.len, 'opset_import');
        opsets.push(await readOpset(await submessage(cursor, ctx, 'opset_import')));
        break;
      case 14: {
        expectWire(field, WireType.len, 'metadata_props');
        const entry = await readStringPair(await submessage(cursor, ctx, 'metadata_props'));
        if (Object.keys(metadata).length < maxMetadataProps) metadata[entry.key] = entry.value;
        break;
      }
      default:
        await skipField(cursor, field);
    }
  }
  // ir_version is required by the ONNX IR spec; without it these bytes are not a model.
  if (details.irVersion === undefined)
    throw new BinaryFormatError(code, 'no ir_version: not an ONNX ModelProto');
  if (opsets.length > 0) details.opsetImport = opsets;
  if (Object.keys(metadata).length > 0) details.metadata = metadata;

  const artifact: ArtifactDescription = { format: 'onnx', framework: 'onnx', details };
  if (graph === undefined) {
    ctx.findings.report({
      severity: 'warning',
      code: 'ONNX_WITHOUT_GRAPH',
      message: 'the ONNX model has no graph',
    });
    return artifact;
  }
  try {
    const summary = await summarizeGraph(graph);
    details.nodeCount = summary.nodeCount;
    artifact.tensorCount = summary.initializerCount;
    artifact.parameterCount = summary.parameterCount;
    artifact.dtypes = summary.dtypes;
  } catch (error) {
    if (!(error instanceof ReadBudgetExceededError)) throw error;
    ctx.findings.report({
      severity: 'warning',
      code: 'ANALYSIS_BUDGET_EXCEEDED',
      message: `the ONNX graph is larger than the read budget: parameter count not computed (${error.message})`,
    });
  }
  return artifact;
}

async function readOpset(cursor: ByteCursor): Promise<{ domain: string; version: number }> {
  let domain = '';
  let version = 0;
  while (cursor.remaining > 0) {
    const field = await readField(cursor);
    if (field.number === 1 && field.wire === WireType.len) domain = await shortText(cursor, 'opset domain');
    else if (field.number === 2 && field.wire === WireType.varint)
      version = await cursor.varint('opset version');
    else await skipField(cursor, field);
  }
  // The empty domain is the default operator set, `ai.onnx`.
  return { domain: domain === '' ? 'ai.onnx' : domain, version };
}

async function readStringPair(cursor: ByteCursor): Promise<{ key: string; value: string }> {
  let key = '';
  let value = '';
  while (cursor.remaining > 0) {
    const field = await readField(cursor);
    if (field.number === 1 && field.wire === WireType.len) key = await shortText(cursor, 'metadata key');
    else if (field.number === 2 && field.wire === WireType.len)
      value = await shortText(cursor, 'metadata value');
    else await skipField(cursor, field);
  }
  return { key, value };
}

interface GraphSummary {
  nodeCount: number;
  initializerCount: number;
  parameterCount: number;
  dtypes: Record<string, number>;
}

async function summarizeGraph(graph: ByteCursor): Promise<GraphSummary> {
  const summary: GraphSummary = { nodeCount: 0, initializerCount: 0, parameterCount: 0, dtypes: {} };
  while (graph.remaining > 0) {
    const field = await readField(graph);
    if (field.number === 1 && field.wire === WireType.len) {
      summary.nodeCount++;
      await skipField(graph, field);
    } else if (field.number === 5 && field.wire === WireType.len) {
      const length = await graph.varint('initializer length');
      const end = graph.position + length;
      const tensor = await readTensorShape(graph, end);
      graph.seek(end);
      summary.initializerCount++;
      summary.parameterCount += tensor.elements;
      const type = dataTypeNames[tensor.dataType] ?? `type ${tensor.dataType}`;
      summary.dtypes[type] = (summary.dtypes[type] ?? 0) + 1;
    } else {
      await skipField(graph, field);
    }
  }
  return summary;
}

/** TensorProto dims (1, packed or not) and data_type (2); everything else, the payload included, skipped. */
async function readTensorShape(
  cursor: ByteCursor,
  end: number,
): Promise<{ elements: number; dataType: number }> {
  if (end > cursor.end) throw new MalformedStructureError('an initializer runs past the end of the graph');
  let elements = 1;
  let dataType = 0;
  while (cursor.position < end) {
    const field = await readField(cursor);
    if (field.number === 1 && field.wire === WireType.varint) {
      elements *= await cursor.varint('dims');
    } else if (field.number === 1 && field.wire === WireType.len) {
      const packedEnd = cursor.position + (await cursor.varint('dims length'));
      while (cursor.position < packedEnd) elements *= await cursor.varint('dims');
    } else if (field.number === 2 && field.wire === WireType.varint) {
      dataType = await cursor.varint('data_type');
    } else {
      await skipField(cursor, field);
    }
  }
  if (cursor.position !== end) throw new MalformedStructureError('an initializer field runs past its end');
  return { elements, dataType };
}
