/**
 * The pickle opcode table, protocols 0 to 5, as in CPython's `pickletools.opcodes`: for each
 * opcode byte, its name, how its argument is encoded (so the walk skips exactly the bytes the
 * unpickler would read and stays in sync), and its effect on the stack. Opcodes with a meaning
 * for the scan (strings, the memo, imports) are handled by name in `walk-pickle.ts`; all the
 * others only move the stack as described here.
 */

/**
 * How an opcode's argument is laid out after the opcode byte.
 * - `line`: bytes up to `\n` (protocol 0 text arguments); `lines2`: two such lines;
 * - `u1`/`u2`/`u4`/`i4`/`u8`/`f8`: fixed-size little-endian values (`f8` is big-endian, unused);
 * - `counted1`/`counted4`/`counted4s`/`counted8`: a u1 / u4 / signed i4 / u8 length, then that
 *   many bytes (`counted4s` rejects a negative length, as CPython does for BINSTRING and LONG4).
 */
export type ArgumentKind =
  | 'none'
  | 'line'
  | 'lines2'
  | 'u1'
  | 'u2'
  | 'u4'
  | 'i4'
  | 'u8'
  | 'f8'
  | 'counted1'
  | 'counted4'
  | 'counted4s'
  | 'counted8';

export interface Opcode {
  name: string;
  argument: ArgumentKind;
  /** Items popped: a count, or `mark` for everything down to the topmost MARK (which goes too). */
  pops: number | 'mark';
  /** Items pushed after popping (0 or 1). */
  pushes: 0 | 1;
  /** The protocol that introduced it (documentation only: CPython accepts any opcode in any stream). */
  protocol: number;
}

const op = (
  code: string | number,
  name: string,
  argument: ArgumentKind,
  pops: number | 'mark',
  pushes: 0 | 1,
  protocol: number,
): [number, Opcode] => [
  typeof code === 'string' ? code.charCodeAt(0) : code,
  { name, argument, pops, pushes, protocol },
];

/** Keyed by opcode byte. */
export const opcodes: ReadonlyMap<number, Opcode> = new Map([
  // Protocol 0 and 1.
  op('(', 'MARK', 'none', 0, 0, 0),
  op('.', 'STOP', 'none', 1, 0, 0),
  op('0', 'POP', 'none', 1, 0, 0),
  op('1', 'POP_MARK', 'none', 'mark', 0, 1),
  op('2', 'DUP', 'none', 0, 1, 0),
  op('F', 'FLOAT', 'line', 0, 1, 0),
  op('I', 'INT', 'line', 0, 1, 0),
  op('J', 'BININT', 'i4', 0, 1, 1),
  op('K', 'BININT1', 'u1', 0, 1, 1),
  op('L', 'LONG', 'line', 0, 1, 0),
  op('M', 'BININT2', 'u2', 0, 1, 1),
  op('N', 'NONE', 'none', 0, 1, 0),
  op('P', 'PERSID', 'line', 0, 1, 0),
  op('Q', 'BINPERSID', 'none', 1, 1, 1),
  op('R', 'REDUCE', 'none', 2, 1, 0),
  op('S', 'STRING', 'line', 0, 1, 0),
  op('T', 'BINSTRING', 'counted4s', 0, 1, 1),
  op('U', 'SHORT_BINSTRING', 'counted1', 0, 1, 1),
  op('V', 'UNICODE', 'line', 0, 1, 0),
  op('X', 'BINUNICODE', 'counted4', 0, 1, 1),
  op('a', 'APPEND', 'none', 1, 0, 0),
  op('b', 'BUILD', 'none', 1, 0, 0),
  op('c', 'GLOBAL', 'lines2', 0, 1, 0),
  op('d', 'DICT', 'none', 'mark', 1, 0),
  op('}', 'EMPTY_DICT', 'none', 0, 1, 1),
  op('e', 'APPENDS', 'none', 'mark', 0, 1),
  op('g', 'GET', 'line', 0, 1, 0),
  op('h', 'BINGET', 'u1', 0, 1, 1),
  op('i', 'INST', 'lines2', 'mark', 1, 0),
  op('j', 'LONG_BINGET', 'u4', 0, 1, 1),
  op('l', 'LIST', 'none', 'mark', 1, 0),
  op(']', 'EMPTY_LIST', 'none', 0, 1, 1),
  op('o', 'OBJ', 'none', 'mark', 1, 1),
  op('p', 'PUT', 'line', 0, 0, 0),
  op('q', 'BINPUT', 'u1', 0, 0, 1),
  op('r', 'LONG_BINPUT', 'u4', 0, 0, 1),
  op('s', 'SETITEM', 'none', 2, 0, 0),
  op('t', 'TUPLE', 'none', 'mark', 1, 0),
  op(')', 'EMPTY_TUPLE', 'none', 0, 1, 1),
  op('u', 'SETITEMS', 'none', 'mark', 0, 1),
  op('G', 'BINFLOAT', 'f8', 0, 1, 1),
  // Protocol 2.
  op(0x80, 'PROTO', 'u1', 0, 0, 2),
  op(0x81, 'NEWOBJ', 'none', 2, 1, 2),
  op(0x82, 'EXT1', 'u1', 0, 1, 2),
  op(0x83, 'EXT2', 'u2', 0, 1, 2),
  op(0x84, 'EXT4', 'i4', 0, 1, 2),
  op(0x85, 'TUPLE1', 'none', 1, 1, 2),
  op(0x86, 'TUPLE2', 'none', 2, 1, 2),
  op(0x87, 'TUPLE3', 'none', 3, 1, 2),
  op(0x88, 'NEWTRUE', 'none', 0, 1, 2),
  op(0x89, 'NEWFALSE', 'none', 0, 1, 2),
  op(0x8a, 'LONG1', 'counted1', 0, 1, 2),
  op(0x8b, 'LONG4', 'counted4s', 0, 1, 2),
  // Protocol 3.
  op('B', 'BINBYTES', 'counted4', 0, 1, 3),
  op('C', 'SHORT_BINBYTES', 'counted1', 0, 1, 3),
  // Protocol 4.
  op(0x8c, 'SHORT_BINUNICODE', 'counted1', 0, 1, 4),
  op(0x8d, 'BINUNICODE8', 'counted8', 0, 1, 4),
  op(0x8e, 'BINBYTES8', 'counted8', 0, 1, 4),
  op(0x8f, 'EMPTY_SET', 'none', 0, 1, 4),
  op(0x90, 'ADDITEMS', 'none', 'mark', 0, 4),
  op(0x91, 'FROZENSET', 'none', 'mark', 1, 4),
  op(0x92, 'NEWOBJ_EX', 'none', 3, 1, 4),
  op(0x93, 'STACK_GLOBAL', 'none', 2, 1, 4),
  op(0x94, 'MEMOIZE', 'none', 0, 0, 4),
  op(0x95, 'FRAME', 'u8', 0, 0, 4),
  // Protocol 5.
  op(0x96, 'BYTEARRAY8', 'counted8', 0, 1, 5),
  op(0x97, 'NEXT_BUFFER', 'none', 0, 1, 5),
  op(0x98, 'READONLY_BUFFER', 'none', 1, 1, 5),
]);

/** CPython refuses streams whose PROTO names a higher protocol. */
export const highestProtocol = 5;
