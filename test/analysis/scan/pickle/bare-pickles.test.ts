import { describe, expect, it } from 'vitest';
import { safeGlobals } from '../../../../lambdas/analysis/scan/pickle/safe-globals.js';
import {
  BUILD,
  binbytes,
  binget,
  binint1,
  binunicode,
  EMPTY_DICT,
  EMPTY_TUPLE,
  frame,
  global,
  inst,
  MARK,
  MEMOIZE,
  osSystemPickle,
  POP,
  pickle,
  proto,
  REDUCE,
  STACK_GLOBAL,
  STOP,
  scan,
  shortBinunicode,
  stateDictPickle,
  TUPLE1,
} from './pickle-fixtures.js';

describe('scanPickles on bare pickles', () => {
  it('finds a protocol-2 state dict safe and lists the globals it imports', async () => {
    // Prepare
    const file = stateDictPickle();

    // Act
    const { result } = await scan(file, 'weights.pkl');

    // Assess
    expect(result).toEqual({
      status: 'safe',
      pickles: [
        {
          name: 'weights.pkl',
          globals: ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage'],
          unsafeGlobals: [],
          opcodes: expect.any(Number),
        },
      ],
      unsafeGlobals: [],
    });
    expect(result?.pickles[0]?.opcodes).toBeGreaterThan(40);
  });

  it('resolves STACK_GLOBAL operands fetched from the memo in a protocol-4 pickle', async () => {
    // Prepare: the strings are memoized, popped, and fetched back by BINGET before STACK_GLOBAL.
    const body = pickle(
      shortBinunicode('collections'),
      MEMOIZE,
      shortBinunicode('OrderedDict'),
      MEMOIZE,
      STACK_GLOBAL,
      MEMOIZE,
      EMPTY_TUPLE,
      REDUCE,
      MEMOIZE,
      shortBinunicode('torch._utils'),
      MEMOIZE,
      POP,
      shortBinunicode('_rebuild_parameter'),
      MEMOIZE,
      POP,
      binget(0),
      binget(1),
      STACK_GLOBAL,
      POP,
      binget(4),
      binget(5),
      STACK_GLOBAL,
      POP,
      STOP,
    );
    const file = pickle(proto(4), frame(body.length), body);

    // Act
    const { result } = await scan(file, 'model.pkl');

    // Assess
    expect(result?.status).toBe('safe');
    expect(result?.pickles[0]?.globals).toEqual([
      'collections.OrderedDict',
      'torch._utils._rebuild_parameter',
    ]);
  });

  it('flags os.system imported by GLOBAL and called by REDUCE, naming it in the reason', async () => {
    // Act
    const { result } = await scan(osSystemPickle(), 'evil.pkl');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.unsafeGlobals).toEqual(['os.system']);
    expect(result?.pickles[0]?.unsafeGlobals).toEqual(['os.system']);
    expect(result?.reason).toContain('os.system (operating-system calls)');
  });

  it('flags builtins.eval imported by STACK_GLOBAL', async () => {
    // Prepare
    const file = pickle(
      proto(4),
      shortBinunicode('builtins'),
      shortBinunicode('eval'),
      STACK_GLOBAL,
      shortBinunicode('print(1)'),
      TUPLE1,
      REDUCE,
      STOP,
    );

    // Act
    const { result } = await scan(file, 'evil.pickle');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.unsafeGlobals).toEqual(['builtins.eval']);
    expect(result?.reason).toContain('builtins.eval (runs Python code)');
  });

  it('flags posix.system in a protocol-0 pickle, which has no magic but a .pkl name', async () => {
    // Prepare: `cposix\nsystem\n(S'ls'\ntR.`
    const file = pickle(global('posix', 'system'), MARK, "S'ls'\n", 0x74, REDUCE, STOP);

    // Act
    const { result } = await scan(file, 'legacy.pkl');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.unsafeGlobals).toEqual(['posix.system']);
  });

  it('flags a class instantiated by INST', async () => {
    // Prepare: `(S'ls'\nisubprocess\nPopen\n.`
    const file = pickle(MARK, "S'ls'\n", inst('subprocess', 'Popen'), STOP);

    // Act
    const { result } = await scan(file, 'x.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['subprocess.Popen']);
    expect(result?.reason).toContain('subprocess.Popen (runs programs)');
  });

  it('finds an unsafe import hidden behind a memoized string that was popped', async () => {
    // Prepare: 'os' is pushed, memoized and popped; later fetched back with BINGET.
    const file = pickle(
      proto(4),
      shortBinunicode('os'),
      MEMOIZE,
      POP,
      shortBinunicode('collections'),
      MEMOIZE,
      POP,
      binget(0),
      shortBinunicode('system'),
      STACK_GLOBAL,
      STOP,
    );

    // Act
    const { result } = await scan(file, 'sneaky.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['os.system']);
  });

  it('treats a STACK_GLOBAL whose module is computed at load time as unsafe', async () => {
    // Prepare: the module name is the result of builtins.str('os'), not a literal string.
    const file = pickle(
      proto(4),
      global('builtins', 'str'),
      shortBinunicode('os'),
      TUPLE1,
      REDUCE,
      shortBinunicode('system'),
      STACK_GLOBAL,
      STOP,
    );

    // Act
    const { result } = await scan(file, 'computed.pkl');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.unsafeGlobals).toEqual(['<dynamic>.system']);
  });

  it('treats an extension-registry import (EXT1) as unsafe', async () => {
    // Act
    const { result } = await scan(pickle(proto(2), 0x82, 1, STOP), 'ext.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['<extension code 1>']);
  });

  it('maps Python 2 names as CPython does for protocols 0-2', async () => {
    // Prepare: `__builtin__.set` is `builtins.set`; `__builtin__.eval` stays unknown, so unsafe.
    const safe = pickle(proto(2), global('__builtin__', 'set'), EMPTY_TUPLE, REDUCE, STOP);
    const unsafe = pickle(proto(2), global('__builtin__', 'eval'), STOP);

    // Act
    const safeScan = await scan(safe, 'a.pkl');
    const unsafeScan = await scan(unsafe, 'b.pkl');

    // Assess
    expect(safeScan.result?.status).toBe('safe');
    expect(safeScan.result?.pickles[0]?.globals).toEqual(['builtins.set']);
    expect(unsafeScan.result?.unsafeGlobals).toEqual(['builtins.eval']);
  });

  it('answers error, never safe, for a truncated stream', async () => {
    // Prepare
    const whole = stateDictPickle();
    const file = whole.subarray(0, whole.length - 20);

    // Act
    const { result } = await scan(file, 'cut.pkl');

    // Assess
    expect(result?.status).toBe('error');
    expect(result?.reason).toMatch(/truncated/);
    expect(result?.pickles[0]?.error).toMatch(/truncated/);
  });

  it('answers error for an unknown opcode and for popping an empty stack', async () => {
    // Act
    const unknown = await scan(pickle(proto(2), 0xff, STOP), 'a.pkl');
    const underflow = await scan(pickle(proto(2), MARK, REDUCE, STOP), 'b.pkl');

    // Assess
    expect(unknown.result?.status).toBe('error');
    expect(unknown.result?.reason).toContain('unknown pickle opcode 0xff');
    expect(underflow.result?.status).toBe('error');
    expect(underflow.result?.reason).toContain('REDUCE at offset 3 pops from an empty stack');
  });

  it('keeps an unsafe import found before the stream breaks: unsafe, not merely error', async () => {
    // Prepare: CPython would call os.system at REDUCE before reaching the broken byte.
    const file = pickle(osSystemPickle().subarray(0, -1), 0xff);

    // Act
    const { result } = await scan(file, 'evil.pkl');

    // Assess
    expect(result?.status).toBe('unsafe');
    expect(result?.reason).toContain('unknown pickle opcode');
  });

  it('skips large byte strings without keeping them and reads the file in bounded ranges', async () => {
    // Prepare: a numpy-like 3 MiB buffer inside the pickle, then an import after it.
    const file = pickle(
      proto(3),
      binbytes(Buffer.alloc(3 * 1024 * 1024, 1)),
      POP,
      global('numpy', 'dtype'),
      binunicode('f8'),
      TUPLE1,
      REDUCE,
      EMPTY_DICT,
      BUILD,
      STOP,
    );

    // Act
    const { result, reader } = await scan(file, 'array.pkl');

    // Assess
    expect(result?.status).toBe('safe');
    expect(result?.pickles[0]?.globals).toEqual(['numpy.dtype']);
    expect(reader.bytesRead).toBeLessThanOrEqual(file.length);
    expect(reader.reads).toBeLessThan(10);
  });

  it('answers not_scanned when the pickle continues past the size limit', async () => {
    // Prepare
    const file = pickle(proto(3), binbytes(Buffer.alloc(200_000)), POP, global('os', 'system'), STOP);

    // Act
    const { result } = await scan(file, 'big.pkl', { maxPickleBytes: 100_000 });

    // Assess
    expect(result?.status).toBe('not_scanned');
    expect(result?.reason).toContain('100000-byte scan limit');
  });

  it('walks the five pickles of a legacy torch.save file and not the raw storages after them', async () => {
    // Prepare: magic number, protocol version, sys_info, the state dict, the storage keys,
    // then storage bytes that are not pickle data.
    const magic = pickle(
      proto(2),
      0x8a,
      10,
      [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19],
      STOP,
    );
    const version = pickle(proto(2), binint1(0xe9), STOP);
    const sysInfo = pickle(proto(2), EMPTY_DICT, STOP);
    const keys = pickle(proto(2), 0x5d, binunicode('0'), 0x61, binunicode('1'), 0x61, STOP);
    const storages = pickle([0x80, 0x02, 0, 0, 0, 0, 0, 0], Buffer.alloc(64, 0xff));
    const file = pickle(magic, version, sysInfo, stateDictPickle(), keys, storages);

    // Act
    const { result } = await scan(file, 'old.pt');

    // Assess
    expect(result?.status).toBe('safe');
    expect(result?.pickles[0]?.globals).toContain('torch._utils._rebuild_tensor_v2');
  });

  it('also walks further pickles that follow the first one in a bare pickle file', async () => {
    // Act
    const { result } = await scan(pickle(stateDictPickle(), osSystemPickle()), 'stream.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['os.system']);
  });

  it('returns undefined for files that hold no pickle', async () => {
    // Act
    const text = await scan(Buffer.from('{"a": 1}\n'), 'data.jsonl');
    const binary = await scan(Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x42]), 'weights.bin');

    // Assess
    expect(text.result).toBeUndefined();
    expect(binary.result).toBeUndefined();
  });

  it('scans a protocol-0 pickle named .pt (torch.load unpickles any non-zip checkpoint)', async () => {
    // Act
    const { result } = await scan(pickle(global('os', 'system'), STOP), 'model.pt');

    // Assess
    expect(result?.status).toBe('unsafe');
  });
});

describe('scanPickles on protocol-0 text arguments', () => {
  it('reads a .pkl starting with PK as the protocol-0 pickle it is (PERSID), not as a zip', async () => {
    // Prepare: `PK\n` is PERSID 'K'; then an import.
    const file = pickle('PK\n', global('os', 'system'), STOP);

    // Act
    const { result } = await scan(file, 'odd.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['os.system']);
  });

  it('decodes escapes in STRING and UNICODE operands of STACK_GLOBAL as CPython does', async () => {
    // Prepare: 'o\x73' is 'os'; V'sys\u0074em' is 'system'.
    const file = pickle(proto(4), "S'o\\x73'\n", 'Vsys\\u0074em\n', STACK_GLOBAL, STOP);

    // Act
    const { result } = await scan(file, 'escaped.pkl');

    // Assess
    expect(result?.unsafeGlobals).toEqual(['os.system']);
  });
});

describe('the allowlist of safe globals', () => {
  it('holds what state dicts need and nothing that runs code or loads a nested pickle', () => {
    // Act
    const allowed = safeGlobals();

    // Assess
    expect(allowed).toEqual(
      expect.arrayContaining([
        'collections.OrderedDict',
        'torch._utils._rebuild_tensor_v2',
        'torch.BFloat16Storage',
        'numpy.core.multiarray._reconstruct',
        '_codecs.encode',
      ]),
    );
    for (const dangerous of [
      'builtins.eval',
      'builtins.getattr',
      'os.system',
      'torch.storage._load_from_bytes',
    ])
      expect(allowed).not.toContain(dangerous);
  });
});
