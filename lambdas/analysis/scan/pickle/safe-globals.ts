/**
 * Which imports a pickle may make. Unpickling calls whatever a pickle imports (REDUCE, NEWOBJ,
 * BUILD's `__setstate__`, INST, OBJ), so the only safe pickle is one whose every import is a
 * known data constructor. The allowlist follows `torch.load(weights_only=True)`'s
 * `_get_allowed_globals` and picklescan's safe globals: what torch state dicts, numpy arrays and
 * `collections` containers need, nothing else. Anything not listed is unsafe, including names
 * that look harmless: an allowlist fails closed, a denylist does not.
 *
 * Decisions:
 * - `builtins` data types (`set`, `frozenset`, `bytearray`, `complex`, `slice`, `range`, `dict`,
 *   `list`, `tuple`, `bool`, `int`, `float`, `str`, `bytes`) are allowed: they build values and
 *   run no code of the pickle's choosing (their arguments come from allowlisted imports too).
 *   `getattr`, `eval`, `exec`, `compile`, `open`, `__import__`, `type`, `object`... are not.
 * - `_codecs.encode` is allowed: protocol 0-2 pickles write every `bytes` value (numpy array
 *   buffers among them) as `_codecs.encode(text, 'latin1')`; torch's weights-only unpickler
 *   allows it for the same reason. It encodes a string, nothing more.
 * - `torch.storage._load_from_bytes` is NOT allowed: it calls `torch.load` on embedded bytes
 *   without `weights_only`, a second pickle this scan cannot see.
 * - Matching is on the exact (module, name) pair: `torch` + `_utils._rebuild_tensor_v2` (an
 *   attribute path, resolved by protocol 4+) is not the listed `torch._utils` +
 *   `_rebuild_tensor_v2`, and is reported unsafe rather than reasoned about.
 */

const torchDtypes = [
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'complex32',
  'chalf',
  'complex64',
  'cfloat',
  'complex128',
  'cdouble',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'bool',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
];

const torchStorages = [
  'FloatStorage',
  'HalfStorage',
  'BFloat16Storage',
  'DoubleStorage',
  'LongStorage',
  'IntStorage',
  'ShortStorage',
  'CharStorage',
  'ByteStorage',
  'BoolStorage',
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'QInt8Storage',
  'QUInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
  'UntypedStorage',
  'TypedStorage',
];

/** Layouts, memory formats and quantization schemes: enum-like values torch pickles by name. */
const torchConstants = [
  'strided',
  'sparse_coo',
  'sparse_csr',
  'sparse_csc',
  'sparse_bsr',
  'sparse_bsc',
  'contiguous_format',
  'channels_last',
  'channels_last_3d',
  'preserve_format',
  'per_tensor_affine',
  'per_channel_affine',
  'per_tensor_symmetric',
  'per_channel_symmetric',
  'per_channel_affine_float_qparams',
];

/** Module -> names that module may be asked for. */
const allowlist: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    collections: ['OrderedDict', 'defaultdict', 'Counter', 'deque'],
    builtins: [
      'set',
      'frozenset',
      'bytearray',
      'complex',
      'slice',
      'range',
      'dict',
      'list',
      'tuple',
      'bool',
      'int',
      'float',
      'str',
      'bytes',
    ],
    _codecs: ['encode'],
    torch: ['Size', 'device', 'Tensor', ...torchDtypes, ...torchStorages, ...torchConstants],
    'torch._utils': [
      '_rebuild_tensor',
      '_rebuild_tensor_v2',
      '_rebuild_tensor_v3',
      '_rebuild_parameter',
      '_rebuild_parameter_with_state',
      '_rebuild_sparse_tensor',
      '_rebuild_qtensor',
      '_rebuild_meta_tensor_no_storage',
      '_rebuild_nested_tensor',
      '_rebuild_device_tensor_from_numpy',
    ],
    'torch._tensor': ['_rebuild_from_type_v2'],
    'torch.nn.parameter': ['Parameter'],
    'torch.serialization': ['_get_layout'],
    'torch.storage': ['UntypedStorage', 'TypedStorage'],
    numpy: ['ndarray', 'dtype'],
    'numpy.core.multiarray': ['_reconstruct', 'scalar'],
    'numpy._core.multiarray': ['_reconstruct', 'scalar'],
  }).map(([module, names]) => [module, new Set(names)]),
);

/** Whether unpickling may import `name` from `module`. */
export function isSafeGlobal(module: string, name: string): boolean {
  return allowlist.get(module)?.has(name) ?? false;
}

/** Every allowed global as `module.name`, sorted (for documentation and reports). */
export function safeGlobals(): string[] {
  return [...allowlist].flatMap(([module, names]) => [...names].map((name) => `${module}.${name}`)).sort();
}

/** Modules whose import alone means code execution, file or network access: named in reasons. */
const dangerousModules: ReadonlyMap<string, string> = new Map([
  ['os', 'operating-system calls'],
  ['posix', 'operating-system calls'],
  ['nt', 'operating-system calls'],
  ['subprocess', 'runs programs'],
  ['pty', 'runs programs'],
  ['commands', 'runs programs'],
  ['sys', 'interpreter internals'],
  ['socket', 'network access'],
  ['shutil', 'file-system changes'],
  ['runpy', 'runs Python modules'],
  ['code', 'runs Python code'],
  ['pickle', 'nested unpickling'],
  ['_pickle', 'nested unpickling'],
  ['cPickle', 'nested unpickling'],
  ['marshal', 'loads code objects'],
  ['importlib', 'imports modules'],
  ['ctypes', 'native calls'],
  ['webbrowser', 'opens URLs'],
  ['requests', 'network access'],
  ['urllib', 'network access'],
  ['urllib.request', 'network access'],
  ['http.client', 'network access'],
  ['asyncio', 'runs programs'],
  ['multiprocessing', 'runs processes'],
  ['operator', 'reaches arbitrary attributes'],
  ['functools', 'composes calls'],
  ['types', 'builds functions and code'],
  ['torch.storage', 'nested torch.load without weights_only'],
]);

const dangerousBuiltins: ReadonlyMap<string, string> = new Map([
  ['eval', 'runs Python code'],
  ['exec', 'runs Python code'],
  ['compile', 'compiles Python code'],
  ['__import__', 'imports modules'],
  ['getattr', 'reaches arbitrary attributes'],
  ['setattr', 'changes arbitrary attributes'],
  ['delattr', 'changes arbitrary attributes'],
  ['globals', 'reaches interpreter state'],
  ['locals', 'reaches interpreter state'],
  ['vars', 'reaches interpreter state'],
  ['open', 'opens files'],
  ['input', 'reads the terminal'],
  ['breakpoint', 'starts a debugger'],
  ['type', 'builds classes'],
  ['object', 'reaches every class'],
]);

/** Why a global is known to be dangerous, for the reason text; `undefined` for merely unlisted ones. */
export function dangerOf(module: string, name: string): string | undefined {
  if (module === 'builtins' || module === '__builtin__') return dangerousBuiltins.get(name);
  if (module === 'torch.storage' && name === '_load_from_bytes') return dangerousModules.get(module);
  if (module === 'torch.storage') return undefined;
  return dangerousModules.get(module) ?? dangerousModules.get(module.split('.')[0] ?? module);
}

/**
 * Python 2 names that CPython renames when a protocol 0-2 stream is loaded with `fix_imports`
 * (the default): `_compat_pickle.NAME_MAPPING` and `IMPORT_MAPPING`, the entries that matter for
 * state dicts and for naming dangerous imports. Unmapped Python 2 names stay as written, and so
 * are not on the allowlist: unsafe, the fail-closed side.
 */
const compatNames: ReadonlyMap<string, [string, string]> = new Map([
  ['__builtin__.xrange', ['builtins', 'range']],
  ['__builtin__.unicode', ['builtins', 'str']],
  ['__builtin__.basestring', ['builtins', 'str']],
  ['__builtin__.long', ['builtins', 'int']],
  ['__builtin__.unichr', ['builtins', 'chr']],
  ['__builtin__.raw_input', ['builtins', 'input']],
  ['__builtin__.reduce', ['functools', 'reduce']],
  ['__builtin__.intern', ['sys', 'intern']],
]);
const compatModules: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['copy_reg', 'copyreg'],
  ['cPickle', 'pickle'],
  ['commands', 'subprocess'],
  ['urllib2', 'urllib.request'],
  ['httplib', 'http.client'],
  ['thread', '_thread'],
  ['cStringIO', 'io'],
  ['StringIO', 'io'],
]);

/** The (module, name) CPython actually imports for a GLOBAL/STACK_GLOBAL/INST under `protocol`. */
export function resolveGlobal(module: string, name: string, protocol: number): [string, string] {
  if (protocol >= 3) return [module, name];
  const renamed = compatNames.get(`${module}.${name}`);
  if (renamed !== undefined) return renamed;
  return [compatModules.get(module) ?? module, name];
}
