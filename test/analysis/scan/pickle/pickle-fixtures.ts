/**
 * Pickles written by hand, opcode by opcode (pickletools' table, no Python), and a helper that
 * runs `scanPickles` the way the pass does: the first 64 KiB as `head`, the rest by ranged reads.
 */
import { scanPickles } from '../../../../lambdas/analysis/scan/pickle/scan-pickles.js';
import { countingReader } from '../../binary/binary-fixtures.js';

type Part = number | readonly number[] | Uint8Array | string;

/** Concatenates opcodes (numbers), byte arrays and latin-1 text (protocol 0 arguments). */
export function pickle(...parts: Part[]): Buffer {
  return Buffer.concat(
    parts.map((part) =>
      typeof part === 'number'
        ? Buffer.from([part])
        : typeof part === 'string'
          ? Buffer.from(part, 'latin1')
          : Buffer.from(part as Uint8Array),
    ),
  );
}

const u32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
};
const u64 = (value: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
};

export const MARK = 0x28;
export const STOP = 0x2e;
export const POP = 0x30;
export const TUPLE = 0x74;
export const EMPTY_TUPLE = 0x29;
export const EMPTY_DICT = 0x7d;
export const REDUCE = 0x52;
export const BUILD = 0x62;
export const SETITEM = 0x73;
export const BINPERSID = 0x51;
export const NEWFALSE = 0x89;
export const TUPLE1 = 0x85;
export const TUPLE2 = 0x86;
export const STACK_GLOBAL = 0x93;
export const MEMOIZE = 0x94;

export const proto = (version: number): Buffer => Buffer.from([0x80, version]);
/** GLOBAL 'c': `module\nname\n`. */
export const global = (module: string, name: string): Buffer => pickle(0x63, `${module}\n${name}\n`);
/** INST 'i': `module\nname\n`, class instantiated from the items above the MARK. */
export const inst = (module: string, name: string): Buffer => pickle(0x69, `${module}\n${name}\n`);
export const binint1 = (value: number): Buffer => Buffer.from([0x4b, value]);
export const binput = (key: number): Buffer => Buffer.from([0x71, key]);
export const binget = (key: number): Buffer => Buffer.from([0x68, key]);
export const shortBinunicode = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf-8');
  return Buffer.concat([Buffer.from([0x8c, bytes.length]), bytes]);
};
export const binunicode = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf-8');
  return Buffer.concat([Buffer.from([0x58]), u32(bytes.length), bytes]);
};
export const binbytes = (data: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([0x42]), u32(data.length), data]);
/** Protocol 4 FRAME: the length of the frame that follows. */
export const frame = (length: number): Buffer => Buffer.concat([Buffer.from([0x95]), u64(length)]);

/** One tensor as `torch.save` (protocol 2) pickles it: `_rebuild_tensor_v2` with a persistent-id storage. */
export function torchTensor(key: string, memoBase: number): Buffer {
  return pickle(
    global('torch._utils', '_rebuild_tensor_v2'),
    binput(memoBase),
    MARK,
    // The persistent id: ('storage', FloatStorage, key, location, numel), loaded by BINPERSID.
    MARK,
    binunicode('storage'),
    global('torch', 'FloatStorage'),
    binput(memoBase + 1),
    binunicode(key),
    binunicode('cpu'),
    binint1(4),
    TUPLE,
    BINPERSID,
    binint1(0),
    binint1(2),
    binint1(2),
    TUPLE2,
    binint1(2),
    binint1(1),
    TUPLE2,
    NEWFALSE,
    global('collections', 'OrderedDict'),
    EMPTY_TUPLE,
    REDUCE,
    TUPLE,
    REDUCE,
  );
}

/** A protocol-2 state dict: `OrderedDict({'weight': tensor, 'bias': tensor})`. */
export function stateDictPickle(): Buffer {
  return pickle(
    proto(2),
    global('collections', 'OrderedDict'),
    binput(0),
    EMPTY_TUPLE,
    REDUCE,
    binput(1),
    binunicode('weight'),
    torchTensor('0', 2),
    SETITEM,
    binunicode('bias'),
    torchTensor('1', 4),
    SETITEM,
    STOP,
  );
}

/** `os.system('echo pwned')` the classic way: GLOBAL then REDUCE. */
export function osSystemPickle(): Buffer {
  return pickle(proto(2), global('os', 'system'), binput(0), binunicode('echo pwned'), TUPLE1, REDUCE, STOP);
}

export async function scan(
  file: Uint8Array,
  filename: string,
  limits: { maxPickleBytes?: number; maxTotalPickleBytes?: number; maxCompressionRatio?: number } = {},
) {
  const reader = countingReader(file);
  const result = await scanPickles({ reader, filename, head: file.subarray(0, 64 * 1024), ...limits });
  return { result, reader };
}
