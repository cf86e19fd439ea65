/**
 * Walks one pickle's opcode stream, from its first opcode to STOP, without executing anything,
 * and records every global it imports. The stack is simulated only as far as the scan needs:
 * each item is the string it holds (when an opcode pushed a literal string) or `null` (anything
 * else), and MARKs are kept as in CPython's unpickler (a separate stack of positions), so
 * STACK_GLOBAL resolves its two operands however they got there: pushed directly, fetched from
 * the memo, duplicated.
 *
 * The walk must never stop before CPython would, or it could miss an import CPython makes. So it
 * raises `MalformedPickleError` only where CPython certainly fails too (unknown opcode, bytes
 * ending before STOP, popping below a MARK, an unquoted STRING, a PROTO above 5, an undecodable
 * GLOBAL line), and is lenient wherever CPython might go on (a GET of a missing memo key, odd
 * INT text): it then continues with an unknown value. An operand it cannot resolve to a literal
 * string makes the import `<dynamic>`, which is never on the allowlist.
 */
import { highestProtocol, type Opcode, opcodes } from './opcodes.js';
import type { PickleByteStream } from './pickle-byte-stream.js';
import { MalformedPickleError, PickleLimitError } from './pickle-errors.js';
import { escapeDecode, rawUnicodeEscapeDecode } from './pickle-text.js';
import { isSafeGlobal, resolveGlobal } from './safe-globals.js';

/** What the walks of one pickle source found (one entry of `PickleScan.pickles`). */
export interface PickleImports {
  /** Every global imported, `module.name`, deduplicated, in first-seen order (first 1,000). */
  globals: string[];
  /** Those not on the allowlist (first 1,000). */
  unsafeGlobals: string[];
  /** True when any import was not on the allowlist (exact even when the lists are cut). */
  unsafe: boolean;
  opcodes: number;
}

export const newPickleImports = (): PickleImports => ({
  globals: [],
  unsafeGlobals: [],
  unsafe: false,
  opcodes: 0,
});

/** Strings longer than this are not kept: module and class names are short; a longer one is `<dynamic>`. */
const maxKeptStringBytes = 512;
/** Characters of strings held by the simulated stack and memo together; beyond, new ones are `null`. */
const maxKeptStringChars = 16 * 1024 * 1024;
/** CPython's stack has no limit; past this many items the walk gives up rather than grow without bound. */
const maxStackItems = 2_000_000;
const maxMemoEntries = 5_000_000;
const maxListedGlobals = 1000;

/** `torch.save` before 1.6 starts with a pickle of this number (`torch.serialization.MAGIC_NUMBER`), little-endian. */
const legacyTorchMagic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

type Value = string | null;

export interface WalkOutcome {
  /** The pickle held only the legacy torch magic number: four more pickles follow it. */
  legacyTorchMagic: boolean;
}

/** Walks the pickle starting at the stream's position up to and including its STOP. */
export async function walkPickle(stream: PickleByteStream, found: PickleImports): Promise<WalkOutcome> {
  return new PickleWalk(stream, found).run();
}

class PickleWalk {
  private readonly stack: Value[] = [];
  /** Stack lengths at each MARK, innermost last (CPython's metastack). */
  private readonly marks: number[] = [];
  /** Every memo key CPython would hold, with its string or `null`: MEMOIZE numbers by the key count. */
  private readonly memo = new Map<number, Value>();
  /** A PUT key we could not read as CPython does: later GETs may not be what we think. */
  private memoUncertain = false;
  private keptChars = 0;
  /** Protocol 0 until a PROTO says otherwise, as in CPython. */
  private protocol = 0;
  private long1Magic = false;
  private walked = 0;

  constructor(
    private readonly stream: PickleByteStream,
    private readonly found: PickleImports,
  ) {}

  async run(): Promise<WalkOutcome> {
    for (;;) {
      if (this.stream.buffered < 1 && !(await this.stream.fill(1))) {
        throw new MalformedPickleError(
          `the pickle is truncated: the stream ends at offset ${this.stream.offset} before a STOP opcode`,
        );
      }
      const at = this.stream.offset;
      const code = this.stream.u8Now();
      const opcode = opcodes.get(code);
      if (opcode === undefined) {
        throw new MalformedPickleError(
          `unknown pickle opcode 0x${code.toString(16).padStart(2, '0')} at offset ${at}`,
        );
      }
      this.walked++;
      this.found.opcodes++;
      if (opcode.name === 'STOP') {
        this.pop(opcode, at);
        return { legacyTorchMagic: this.long1Magic && this.walked <= 4 };
      }
      await this.step(opcode, at);
    }
  }

  private async step(opcode: Opcode, at: number): Promise<void> {
    const what = `${opcode.name} at offset ${at}`;
    switch (opcode.name) {
      case 'MARK':
        this.marks.push(this.stack.length);
        return;
      case 'POP':
        // CPython keeps marks apart from objects: a POP right after a MARK removes the MARK.
        if (this.marks.length > 0 && this.marks[this.marks.length - 1] === this.stack.length)
          this.marks.pop();
        else this.pop(opcode, at);
        return;
      case 'DUP':
        this.push(this.peek(opcode, at));
        return;
      case 'PROTO': {
        const protocol = (await this.stream.take(1, what))[0] as number;
        if (protocol > highestProtocol)
          throw new MalformedPickleError(`unsupported pickle protocol ${protocol} at offset ${at}`);
        this.protocol = protocol;
        return;
      }
      case 'GLOBAL':
      case 'INST': {
        const module = this.decodeLine(await this.stream.line(what), what);
        const name = this.decodeLine(await this.stream.line(what), what);
        if (opcode.name === 'INST') this.popMark(opcode, at);
        this.importGlobal(module, name);
        this.push(null);
        return;
      }
      case 'STACK_GLOBAL': {
        const name = this.pop(opcode, at);
        const module = this.pop(opcode, at);
        this.importGlobal(module, name);
        this.push(null);
        return;
      }
      case 'EXT1':
      case 'EXT2':
      case 'EXT4': {
        // The copyreg extension registry maps the code to a global this scan cannot see.
        const code = readLittleEndian(
          await this.stream.take(argumentBytes(opcode), what),
          opcode.name === 'EXT4',
        );
        this.record(`<extension code ${code}>`, false);
        this.push(null);
        return;
      }
      case 'PUT':
      case 'BINPUT':
      case 'LONG_BINPUT': {
        const key =
          opcode.name === 'PUT'
            ? parseDecimal(await this.stream.line(what))
            : readLittleEndian(await this.stream.take(argumentBytes(opcode), what), false);
        const value = this.peek(opcode, at);
        if (key === undefined) this.memoUncertain = true;
        else this.memoPut(key, value);
        return;
      }
      case 'MEMOIZE':
        // The key is the number of keys so far: every entry counts, strings or not.
        this.memoPut(this.memo.size, this.peek(opcode, at));
        return;
      case 'GET':
      case 'BINGET':
      case 'LONG_BINGET': {
        const key =
          opcode.name === 'GET'
            ? parseDecimal(await this.stream.line(what))
            : readLittleEndian(await this.stream.take(argumentBytes(opcode), what), false);
        this.push(key === undefined || this.memoUncertain ? null : (this.memo.get(key) ?? null));
        return;
      }
      case 'STRING': {
        const line = await this.stream.line(what);
        const quote = line[0];
        if (line.length < 2 || (quote !== 0x22 && quote !== 0x27) || line[line.length - 1] !== quote)
          throw new MalformedPickleError(`the STRING argument at offset ${at} is not quoted`);
        this.push(
          line.length - 2 <= maxKeptStringBytes ? utf8.decode(escapeDecode(line.subarray(1, -1))) : null,
        );
        return;
      }
      case 'UNICODE': {
        const line = await this.stream.line(what);
        this.push(line.length <= maxKeptStringBytes ? rawUnicodeEscapeDecode(line) : null);
        return;
      }
      case 'SHORT_BINSTRING':
      case 'BINSTRING':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE':
      case 'BINUNICODE8': {
        const length = await this.countedLength(opcode, what);
        if (length <= maxKeptStringBytes) this.push(utf8.decode(await this.stream.take(length, what)));
        else {
          await this.stream.skip(length, what);
          this.push(null);
        }
        return;
      }
      case 'LONG1': {
        const length = await this.countedLength(opcode, what);
        const bytes = await this.stream.take(length, what);
        this.long1Magic =
          this.walked <= 3 && legacyTorchMagic.every((b, i) => bytes[i] === b) && length === 10;
        this.push(null);
        return;
      }
    }
    await this.skipArgument(opcode, what);
    this.applyStackEffect(opcode, at);
  }

  private memoPut(key: number, value: Value): void {
    if (this.memo.size >= maxMemoEntries && !this.memo.has(key))
      throw new PickleLimitError(`the pickle's memo grows past ${maxMemoEntries} entries`);
    if (value !== null && this.keptChars + value.length > maxKeptStringChars) {
      this.memo.set(key, null);
      return;
    }
    if (value !== null) this.keptChars += value.length;
    this.memo.set(key, value);
  }

  private async countedLength(opcode: Opcode, what: string): Promise<number> {
    switch (opcode.argument) {
      case 'counted1':
        return (await this.stream.take(1, what))[0] as number;
      case 'counted4':
        return readLittleEndian(await this.stream.take(4, what), false);
      case 'counted4s': {
        const length = readLittleEndian(await this.stream.take(4, what), true);
        if (length < 0) throw new MalformedPickleError(`${what} has a negative byte count`);
        return length;
      }
      case 'counted8': {
        const bytes = await this.stream.take(8, what);
        const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
        if (length > BigInt(Number.MAX_SAFE_INTEGER))
          throw new MalformedPickleError(`${what} has a byte count of ${length}, larger than any file`);
        return Number(length);
      }
      default:
        return 0;
    }
  }

  private async skipArgument(opcode: Opcode, what: string): Promise<void> {
    switch (opcode.argument) {
      case 'none':
        return;
      case 'line':
        await this.stream.line(what);
        return;
      case 'lines2':
        await this.stream.line(what);
        await this.stream.line(what);
        return;
      case 'counted1':
      case 'counted4':
      case 'counted4s':
      case 'counted8':
        await this.stream.skip(await this.countedLength(opcode, what), what);
        return;
      default:
        await this.stream.skip(argumentBytes(opcode), what);
    }
  }

  private applyStackEffect(opcode: Opcode, at: number): void {
    if (opcode.pops === 'mark') {
      // OBJ takes the class from above the mark: at least one item.
      if (opcode.name === 'OBJ' && this.marks.length > 0 && this.stack.length <= this.fence())
        throw new MalformedPickleError(`OBJ at offset ${at} has no class above its MARK`);
      this.popMark(opcode, at);
    } else {
      for (let i = 0; i < opcode.pops; i++) this.pop(opcode, at);
    }
    if (opcode.pushes === 1) this.push(null);
  }

  /** Removes everything above the innermost MARK, and the MARK. */
  private popMark(opcode: Opcode, at: number): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new MalformedPickleError(`${opcode.name} at offset ${at} finds no MARK`);
    for (let i = mark; i < this.stack.length; i++) this.forget(this.stack[i] ?? null);
    this.stack.length = mark;
  }

  private fence(): number {
    return this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : 0;
  }

  private pop(opcode: Opcode, at: number): Value {
    if (this.stack.length <= this.fence())
      throw new MalformedPickleError(`${opcode.name} at offset ${at} pops from an empty stack`);
    const value = this.stack.pop() ?? null;
    this.forget(value);
    return value;
  }

  private peek(opcode: Opcode, at: number): Value {
    if (this.stack.length <= this.fence())
      throw new MalformedPickleError(`${opcode.name} at offset ${at} reads from an empty stack`);
    return this.stack[this.stack.length - 1] ?? null;
  }

  private push(value: Value): void {
    if (this.stack.length >= maxStackItems)
      throw new PickleLimitError(`the pickle's stack grows past ${maxStackItems} items`);
    if (value !== null) {
      if (this.keptChars + value.length > maxKeptStringChars) {
        this.stack.push(null);
        return;
      }
      this.keptChars += value.length;
    }
    this.stack.push(value);
  }

  private forget(value: Value): void {
    if (value !== null) this.keptChars -= value.length;
  }

  private decodeLine(bytes: Uint8Array, what: string): string {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw new MalformedPickleError(`${what}: the module or name is not valid UTF-8`);
    }
  }

  private importGlobal(module: Value, name: Value): void {
    if (module === null || name === null) {
      this.record(`${module ?? '<dynamic>'}.${name ?? '<dynamic>'}`, false);
      return;
    }
    const [resolvedModule, resolvedName] = resolveGlobal(module, name, this.protocol);
    this.record(`${resolvedModule}.${resolvedName}`, isSafeGlobal(resolvedModule, resolvedName));
  }

  private record(global: string, safe: boolean): void {
    const { found } = this;
    if (found.globals.length < maxListedGlobals && !found.globals.includes(global))
      found.globals.push(global);
    if (safe) return;
    found.unsafe = true;
    if (found.unsafeGlobals.length < maxListedGlobals && !found.unsafeGlobals.includes(global))
      found.unsafeGlobals.push(global);
  }
}

function argumentBytes(opcode: Opcode): number {
  switch (opcode.argument) {
    case 'u1':
      return 1;
    case 'u2':
      return 2;
    case 'u4':
    case 'i4':
      return 4;
    case 'u8':
    case 'f8':
      return 8;
    default:
      return 0;
  }
}

function readLittleEndian(bytes: Uint8Array, signed: boolean): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) value = value * 256 + (bytes[i] as number);
  if (signed && bytes.length === 4 && value >= 2 ** 31) value -= 2 ** 32;
  return value;
}

/** A GET/PUT text argument; `undefined` when CPython's parse might differ from ours. */
function parseDecimal(line: Uint8Array): number | undefined {
  const text = String.fromCharCode(...line.subarray(0, 32)).trim();
  return /^\d{1,15}$/.test(text) && line.length <= 32 ? Number(text) : undefined;
}
