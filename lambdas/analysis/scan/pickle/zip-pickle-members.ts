/**
 * The pickles inside a zip (PyTorch checkpoints since 1.6 keep the object graph in
 * `<root>/data.pkl`): lists the central directory with yauzl over ranged reads, and streams
 * each pickle member, inflated when deflated, to the walker without holding it whole.
 *
 * Zip-bomb guard, checked on the central directory BEFORE anything is inflated: a member whose
 * declared uncompressed size passes `maxPickleBytes`, whose declared ratio passes
 * `maxCompressionRatio`, or that would take the pickles' total past `maxTotalPickleBytes`, is
 * not inflated and ends `not_scanned`. The declared size is then enforced while inflating
 * (yauzl's `validateEntrySizes`): a member that inflates to more than it declared is an error,
 * never a longer read.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ReadBudgetExceededError } from '../../binary/binary-errors.js';
import type { BudgetedReader } from '../../binary/ranged-buffer.js';
import { entryName, RangedRandomAccessReader } from '../../binary/zip-directory.js';

export interface ZipPickleLimits {
  maxPickleBytes: number;
  maxTotalPickleBytes: number;
  maxCompressionRatio: number;
}

/** A pickle member: either its bytes can be streamed, or why they are not. */
export interface ZipPickleMember {
  name: string;
  uncompressedSize: number;
  /** Why the member is not inflated (a limit), if it is not. */
  refused?: string;
  open(): Promise<Readable>;
}

export interface ZipPickles {
  members: ZipPickleMember[];
  /** Why the directory walk stopped before its end, if it did: some pickle may be unlisted. */
  incomplete?: string;
  close(): void;
}

/** Members scanned as pickles: what `torch.load` and `pickle.load` users name them. */
export const isPickleMemberName = (name: string): boolean => /\.(pkl|pickle)$/i.test(name);

/** More pickle members than this are not all scanned (a real checkpoint has one). */
const maxPickleMembers = 1000;

/** Lists the zip's pickle members and applies the zip-bomb guard; throws when the zip is unreadable. */
export async function listZipPickles(reader: BudgetedReader, limits: ZipPickleLimits): Promise<ZipPickles> {
  const zipfile = await yauzl.fromRandomAccessReaderPromise(
    new RangedRandomAccessReader(reader),
    reader.size,
    {
      autoClose: false,
      // Unsafe names (`../x`) are the archive describer's finding, not a reason to skip a pickle.
      decodeStrings: false,
      validateEntrySizes: true,
    },
  );
  const result: ZipPickles = { members: [], close: () => zipfile.close() };
  let total = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      const name = entryName(entry);
      if (!isPickleMemberName(name)) continue;
      if (result.members.length >= maxPickleMembers) {
        result.incomplete = `the zip holds more than ${maxPickleMembers} pickle members`;
        break;
      }
      const refused = refusal(entry, limits, total);
      if (refused === undefined) total += entry.uncompressedSize;
      result.members.push({
        name,
        uncompressedSize: entry.uncompressedSize,
        refused,
        open: () => zipfile.openReadStreamPromise(entry),
      });
    }
  } catch (error) {
    if (!(error instanceof ReadBudgetExceededError)) {
      zipfile.close();
      throw error;
    }
    result.incomplete = `the central directory was not read to its end: ${error.message}`;
  }
  return result;
}

function refusal(entry: yauzl.Entry, limits: ZipPickleLimits, totalSoFar: number): string | undefined {
  const { uncompressedSize, compressedSize } = entry;
  if (uncompressedSize > limits.maxPickleBytes)
    return `it declares ${uncompressedSize} bytes uncompressed, more than the ${limits.maxPickleBytes}-byte limit`;
  // A stored member's sizes are equal; only a compressed one can declare a ratio, and an empty
  // compressed body that claims content is a ratio beyond any limit.
  if (uncompressedSize > 0 && uncompressedSize > compressedSize * limits.maxCompressionRatio) {
    const ratio =
      compressedSize === 0 ? 'an unbounded' : `a ${Math.round(uncompressedSize / compressedSize)}:1`;
    return `it declares ${ratio} compression ratio (${compressedSize} -> ${uncompressedSize} bytes), above the ${limits.maxCompressionRatio}:1 zip-bomb limit`;
  }
  if (totalSoFar + uncompressedSize > limits.maxTotalPickleBytes)
    return `the zip's pickles together pass the ${limits.maxTotalPickleBytes}-byte limit`;
  return undefined;
}
