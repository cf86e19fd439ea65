/**
 * Unsafe-pickle scanning for model checkpoints and bare pickles (issue 4, item 6).
 *
 * Loading a pickle runs code: every global it imports can be called (REDUCE, NEWOBJ, INST, OBJ,
 * BUILD's `__setstate__`). This scan walks the opcode stream without executing anything
 * (`walk-pickle.ts`), lists the globals imported, and checks them against an allowlist of what
 * torch, numpy and `collections` need for state dicts (`safe-globals.ts`).
 *
 * What is scanned:
 *   - a zip (PyTorch checkpoints since 1.6, or any zip): every member named `*.pkl` / `*.pickle`
 *     (`archive/data.pkl`), streamed and inflated through ranged reads, behind a zip-bomb guard
 *     (`zip-pickle-members.ts`);
 *   - a bare pickle: a file starting with PROTO (0x80, protocol 2-5), any `.pkl`/`.pickle` file
 *     (protocols 0 and 1 have no magic), and a legacy `torch.save` file (`.pt`, `.pth`, `.bin`,
 *     `.ckpt` that is not a zip): read front to back by ranged reads in a small window. A legacy
 *     torch file is five pickles (magic number, protocol, system info, the object, the storage
 *     keys) followed by raw tensor storages, which are not pickle data and are not walked; other
 *     files are walked pickle after pickle while another PROTO follows a STOP.
 *
 * Fail closed: `safe` only when every pickle was read to its STOP and imports nothing outside the
 * allowlist. Any unsafe import makes the result `unsafe` (even if another part is broken: the
 * import is reached before the break); otherwise a malformed stream is `error`, and a pickle left
 * unread (size, ratio or total limits; a directory not read to its end) is `not_scanned`.
 */
import { extensionOf } from '../../../core/file-type.js';
import { findSourceReadError, messageOf, ReadBudgetExceededError } from '../../binary/binary-errors.js';
import { BudgetedReader } from '../../binary/ranged-buffer.js';
import type { RangedReader } from '../../types.js';
import { PickleByteStream } from './pickle-byte-stream.js';
import { PickleLimitError } from './pickle-errors.js';
import { dangerOf } from './safe-globals.js';
import { newPickleImports, type PickleImports, walkPickle } from './walk-pickle.js';
import { listZipPickles, type ZipPickles } from './zip-pickle-members.js';

/** The `metadata.scan.pickle` result. */
export interface PickleScan {
  status: 'safe' | 'unsafe' | 'error' | 'not_scanned';
  /** One entry per pickle source: the bare file, or each pickle member of a zip. */
  pickles: {
    name: string;
    /** Globals imported, `module.name`, deduplicated in first-seen order (first 1,000). */
    globals: string[];
    /** Those outside the allowlist. */
    unsafeGlobals: string[];
    /** Opcodes walked. */
    opcodes: number;
    /** Why this pickle was not read to its end (malformed, or a limit), if it was not. */
    error?: string;
  }[];
  /** Every unsafe global over all pickles, deduplicated. */
  unsafeGlobals: string[];
  /** Why the status is not `safe`, naming the dangerous imports. */
  reason?: string;
}

export interface ScanPicklesInput {
  reader: RangedReader;
  filename: string;
  /** The object's first bytes (up to 64 KiB). */
  head: Uint8Array;
  /** Largest pickle walked (a bare file's pickles, or one zip member uncompressed). @default 256 MiB */
  maxPickleBytes?: number;
  /** Largest total of a zip's pickle members, uncompressed. @default 512 MiB */
  maxTotalPickleBytes?: number;
  /** Largest declared uncompressed/compressed ratio of a zip member inflated. @default 200 */
  maxCompressionRatio?: number;
}

export const defaultMaxPickleBytes = 256 * 1024 * 1024;
export const defaultMaxTotalPickleBytes = 512 * 1024 * 1024;
export const defaultMaxCompressionRatio = 200;
/** Ranged reads allowed for a zip's central directory, on top of its pickle members. */
const zipDirectoryBudgetBytes = 64 * 1024 * 1024;
const readChunkBytes = 1024 * 1024;

/** `torch.load` treats these as checkpoints: a zip, or else a legacy pickle. */
const pytorchExtensions = new Set(['pt', 'pth', 'bin', 'ckpt']);
const pickleExtensions = new Set(['pkl', 'pickle']);

type Outcome = 'complete' | 'error' | 'not_scanned';
type Entry = PickleScan['pickles'][number] & { outcome: Outcome };

/**
 * Scans the pickles of a file for imports outside the allowlist of safe globals.
 *
 * @returns the scan, or `undefined` when the file holds no pickle (not a bare pickle, not a zip
 *   with pickle members; a non-zip `.pt`/`.bin` whose bytes do not even start a pickle).
 * @throws only when `reader` itself fails (a `SourceReadError` with the cause), so the caller retries.
 */
export async function scanPickles(input: ScanPicklesInput): Promise<PickleScan | undefined> {
  const extension = extensionOf(input.filename);
  const { head } = input;
  const pickleNamed = extension !== undefined && pickleExtensions.has(extension);
  const checkpointNamed = extension !== undefined && pytorchExtensions.has(extension);
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const zip = await scanZip(input);
    if (!('unreadable' in zip)) return zip.scan;
    if (!pickleNamed && !checkpointNamed) return undefined;
    // `PK` also starts a protocol-0 pickle (PERSID): a `.pkl`, or a `.pt` that `torch.load`
    // does not take for a zip, is unpickled as such. Whichever reading holds together is reported.
    const bare = await scanBarePickle(input);
    if (pickleNamed || bare.outcome !== 'error' || bare.unsafeGlobals.length > 0) return summarize([bare]);
    return {
      status: 'error',
      pickles: [],
      unsafeGlobals: [],
      reason: `the checkpoint's zip directory could not be read, so its pickles were not scanned: ${zip.unreadable}`,
    };
  }
  const startsWithProto = head[0] === 0x80 && (head[1] ?? 0xff) >= 2 && (head[1] ?? 0xff) <= 5;
  if (!startsWithProto && !pickleNamed && !checkpointNamed) return undefined;
  // A `.bin` that is not a zip and has no PROTO may be any binary: it counts as a pickle only if
  // the walk gets as far as an import (CPython would import it too) or to a STOP.
  const speculative = !startsWithProto && !pickleNamed;
  const entry = await scanBarePickle(input);
  if (speculative && entry.outcome !== 'complete' && entry.globals.length === 0) return undefined;
  return summarize([entry]);
}

async function scanBarePickle(input: ScanPicklesInput): Promise<Entry> {
  const maxBytes = input.maxPickleBytes ?? defaultMaxPickleBytes;
  const reader = new BudgetedReader(input.reader, input.head, maxBytes + readChunkBytes);
  const end = Math.min(reader.size, maxBytes);
  const cutShort =
    reader.size > maxBytes
      ? `the pickle data continues past the ${maxBytes}-byte scan limit: the rest was not read`
      : undefined;
  const stream = new PickleByteStream(
    rangedChunks(reader, end, input.head.length)[Symbol.asyncIterator](),
    cutShort,
  );
  return walkSource(input.filename, stream);
}

async function* rangedChunks(
  reader: BudgetedReader,
  end: number,
  headBytes: number,
): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < end; ) {
    // The head is in memory already: serve it first, then read the rest in large ranges.
    const size = at === 0 && headBytes > 0 ? Math.min(headBytes, end) : Math.min(readChunkBytes, end - at);
    const chunk = await reader.readUpTo(at, size);
    if (chunk.length === 0) return;
    at += chunk.length;
    yield chunk;
  }
}

/** Walks the pickles of one source; every failure but a failing reader becomes the entry's outcome. */
async function walkSource(name: string, stream: PickleByteStream): Promise<Entry> {
  const found = newPickleImports();
  try {
    const { legacyTorchMagic } = await walkPickle(stream, found);
    if (legacyTorchMagic) {
      for (let i = 0; i < 4; i++) await walkPickle(stream, found);
    } else {
      while (await anotherPickleFollows(stream)) await walkPickle(stream, found);
    }
    return toEntry(name, found, 'complete');
  } catch (error) {
    const sourceError = findSourceReadError(error);
    if (sourceError !== undefined) throw sourceError;
    const outcome: Outcome =
      error instanceof PickleLimitError || error instanceof ReadBudgetExceededError ? 'not_scanned' : 'error';
    return toEntry(name, found, outcome, messageOf(error));
  }
}

async function anotherPickleFollows(stream: PickleByteStream): Promise<boolean> {
  const next = await stream.peek(2);
  return next[0] === 0x80 && next[1] !== undefined && next[1] >= 2 && next[1] <= 5;
}

function toEntry(name: string, found: PickleImports, outcome: Outcome, error?: string): Entry {
  return {
    name,
    globals: found.globals,
    unsafeGlobals: found.unsafeGlobals,
    opcodes: found.opcodes,
    outcome,
    ...(error === undefined ? {} : { error }),
  };
}

/** The zip's pickle scan (`undefined`: no pickle member), or why its directory is unreadable. */
async function scanZip(
  input: ScanPicklesInput,
): Promise<{ scan: PickleScan | undefined } | { unreadable: string }> {
  const limits = {
    maxPickleBytes: input.maxPickleBytes ?? defaultMaxPickleBytes,
    maxTotalPickleBytes: input.maxTotalPickleBytes ?? defaultMaxTotalPickleBytes,
    maxCompressionRatio: input.maxCompressionRatio ?? defaultMaxCompressionRatio,
  };
  const reader = new BudgetedReader(
    input.reader,
    input.head,
    zipDirectoryBudgetBytes + limits.maxTotalPickleBytes + readChunkBytes,
  );
  let zip: ZipPickles;
  try {
    zip = await listZipPickles(reader, limits);
  } catch (error) {
    const sourceError = findSourceReadError(error);
    if (sourceError !== undefined) throw sourceError;
    return { unreadable: messageOf(error) };
  }
  try {
    if (zip.members.length === 0 && zip.incomplete === undefined) return { scan: undefined };
    const entries: Entry[] = [];
    for (const member of zip.members) entries.push(await scanMember(member));
    return { scan: summarize(entries, zip.incomplete) };
  } finally {
    zip.close();
  }
}

async function scanMember(member: ZipPickles['members'][number]): Promise<Entry> {
  if (member.refused !== undefined) {
    return toEntry(member.name, newPickleImports(), 'not_scanned', `not inflated: ${member.refused}`);
  }
  let data: Awaited<ReturnType<typeof member.open>>;
  try {
    data = await member.open();
  } catch (error) {
    const sourceError = findSourceReadError(error);
    if (sourceError !== undefined) throw sourceError;
    const outcome = error instanceof ReadBudgetExceededError ? 'not_scanned' : 'error';
    return toEntry(
      member.name,
      newPickleImports(),
      outcome,
      `the member could not be opened: ${messageOf(error)}`,
    );
  }
  // Errors raised while inflating (a corrupt deflate stream, more bytes than declared) arrive
  // through the iterator and end the walk like any malformed stream.
  data.on('error', () => {});
  try {
    return await walkSource(member.name, new PickleByteStream(data[Symbol.asyncIterator]()));
  } finally {
    data.destroy();
  }
}

function summarize(entries: Entry[], incomplete?: string): PickleScan {
  const unsafeGlobals = [...new Set(entries.flatMap((e) => e.unsafeGlobals))];
  const reasons: string[] = [];
  if (unsafeGlobals.length > 0)
    reasons.push(`imports globals outside the allowlist: ${unsafeGlobals.map(describeGlobal).join(', ')}`);
  for (const e of entries) if (e.error !== undefined) reasons.push(`${e.name}: ${e.error}`);
  if (incomplete !== undefined) reasons.push(incomplete);
  const status: PickleScan['status'] =
    unsafeGlobals.length > 0
      ? 'unsafe'
      : entries.some((e) => e.outcome === 'error')
        ? 'error'
        : incomplete !== undefined || entries.some((e) => e.outcome === 'not_scanned')
          ? 'not_scanned'
          : 'safe';
  return {
    status,
    pickles: entries.map(({ outcome: _outcome, ...entry }) => entry),
    unsafeGlobals,
    ...(status === 'safe' ? {} : { reason: reasons.join('; ') }),
  };
}

/** `os.system (operating-system calls)`: the global, with why it is dangerous when that is known. */
function describeGlobal(global: string): string {
  for (let dot = global.indexOf('.'); dot > 0; dot = global.indexOf('.', dot + 1)) {
    const danger = dangerOf(global.slice(0, dot), global.slice(dot + 1));
    if (danger !== undefined) return `${global} (${danger})`;
  }
  return global;
}
