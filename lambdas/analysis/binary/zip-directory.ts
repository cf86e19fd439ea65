/**
 * The central directory of a zip (PyTorch checkpoints, `.keras` files and plain archives), read
 * by yauzl through our ranged reads. yauzl finds the end-of-central-directory record (and the
 * zip64 locator and record, so checkpoints past 4 GiB and 65,535 entries list correctly) in the
 * last 64 KiB, then reads one central-directory record at a time; the `RandomAccessReader`
 * below serves those small reads from a read-ahead window, so a directory of 100,000 entries
 * costs a handful of ranged reads, not 200,000. Entry data is read only on request, for small
 * entries (`readSmallEntry`), and inflated by yauzl.
 */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import {
  BinaryFormatError,
  findSourceReadError,
  ReadBudgetExceededError,
  TruncatedFileError,
} from './binary-errors.js';
import { type BudgetedReader, ByteCursor } from './ranged-buffer.js';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** yauzl's entry, to open its data: kept only for small entries `listZip` was asked to keep. */
  raw?: yauzl.Entry;
}

export interface ZipListing {
  /** From the end-of-central-directory record: exact even when the walk stopped early. */
  entryCount: number;
  /** The entries walked, in directory order (all of them unless `complete` is false). */
  entries: ZipEntry[];
  complete: boolean;
  /** Why the walk stopped early. */
  stoppedBecause?: string;
  /** Entry names that would escape the extraction directory (absolute, `..`, backslashes); first 20. */
  unsafeNames: string[];
  zipfile: yauzl.ZipFile;
}

/** Walking more entries than this describes the rest from the entry count only. */
export const maxListedZipEntries = 100_000;
const maxSmallEntryBytes = 64 * 1024;

/** An entry's name decoded as the zip says (UTF-8 flag or CP437), not rejected when unsafe. */
export const entryName = (entry: yauzl.Entry): string =>
  yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);

/** yauzl's random access over our budgeted ranged reads (also used by the pickle scanner). */
export class RangedRandomAccessReader extends yauzl.RandomAccessReader {
  private readonly cursor: ByteCursor;

  constructor(private readonly reader: BudgetedReader) {
    super();
    this.cursor = new ByteCursor(reader, 0);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    this.cursor.seek(position);
    this.cursor.bytes(Math.min(length, this.reader.size - position), 'a zip record').then(
      (bytes) => {
        buffer.set(bytes, offset);
        callback(null, bytes.length);
      },
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const reader = this.reader;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; ) {
          const chunk = await reader.readExact(at, Math.min(end - at, 256 * 1024), 'zip entry data');
          at += chunk.length;
          yield Buffer.from(chunk);
        }
      })(),
    );
  }
}

/** Opens the zip and walks its central directory; `CORRUPT_ZIP` when there is none to walk. */
export async function listZip(
  reader: BudgetedReader,
  keepData: (name: string) => boolean = () => false,
): Promise<ZipListing> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromRandomAccessReaderPromise(new RangedRandomAccessReader(reader), reader.size, {
      autoClose: false,
      // Names are decoded here rather than by yauzl, which stops the whole listing at the first
      // unsafe name (`../x`, `/etc/x`); an unsafe name is a finding, not an unreadable archive.
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw asZipError(error, 'no readable end of central directory');
  }
  const listing: ZipListing = {
    entryCount: zipfile.entryCount,
    entries: [],
    complete: true,
    unsafeNames: [],
    zipfile,
  };
  try {
    for await (const entry of zipfile.eachEntry()) {
      const name = entryName(entry);
      if (yauzl.validateFileName(name) !== null && listing.unsafeNames.length < 20)
        listing.unsafeNames.push(name);
      listing.entries.push({
        name,
        compressedSize: entry.compressedSize,
        uncompressedSize: entry.uncompressedSize,
        // yauzl's entries hold buffers: keep them only where data will be read, so memory stays
        // at a name and two sizes per entry.
        raw: keepData(name) && entry.uncompressedSize <= maxSmallEntryBytes ? entry : undefined,
      });
      if (listing.entries.length >= maxListedZipEntries) {
        listing.complete = listing.entries.length === listing.entryCount;
        if (!listing.complete) listing.stoppedBecause = `listing stops after ${maxListedZipEntries} entries`;
        break;
      }
    }
  } catch (error) {
    if (error instanceof ReadBudgetExceededError) {
      listing.complete = false;
      listing.stoppedBecause = error.message;
    } else {
      throw asZipError(error, `central directory entry ${listing.entries.length + 1} is unreadable`);
    }
  }
  return listing;
}

function asZipError(error: unknown, what: string): Error {
  if (error instanceof ReadBudgetExceededError || findSourceReadError(error) !== undefined)
    return error as Error;
  if (error instanceof TruncatedFileError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BinaryFormatError('CORRUPT_ZIP', `${what}: ${message}`);
}

/** An entry's bytes, inflated, when it was kept and is at most `maxBytes` long; `undefined` otherwise. */
export async function readSmallEntry(
  listing: ZipListing,
  entry: ZipEntry,
  maxBytes = maxSmallEntryBytes,
): Promise<Uint8Array | undefined> {
  if (entry.raw === undefined || entry.uncompressedSize > maxBytes || entry.compressedSize > maxBytes * 2) {
    return undefined;
  }
  try {
    const stream = await listing.zipfile.openReadStreamPromise(entry.raw);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (error) {
    throw asZipError(error, `entry ${entry.name} is unreadable`);
  }
}
