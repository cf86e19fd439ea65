/**
 * A zip that is not a model: entry count (from the end-of-central-directory record), sizes and
 * compression ratio summed over the central directory, the first entries. A ratio above 100
 * is a warning (a zip bomb's signature; the full guard is a later issue): nothing is inflated.
 */
import type { ArchiveDescription } from '../types.js';
import type { BinaryContext } from './binary-context.js';
import { listZip, type ZipListing } from './zip-directory.js';

const maxSampleEntries = 20;
const highCompressionRatio = 100;

export async function describeZipArchive(ctx: BinaryContext): Promise<ArchiveDescription> {
  const listing = await listZip(ctx.reader);
  reportListingProblems(listing, ctx);
  let uncompressed = 0;
  let compressed = 0;
  for (const entry of listing.entries) {
    uncompressed += entry.uncompressedSize;
    compressed += entry.compressedSize;
  }
  const archive: ArchiveDescription = {
    format: 'zip',
    entryCount: listing.entryCount,
    totalUncompressedBytes: uncompressed,
    sampleEntries: listing.entries
      .slice(0, maxSampleEntries)
      .map((e) => ({ name: e.name, size: e.uncompressedSize })),
  };
  if (compressed > 0) {
    archive.compressionRatio = Math.round((uncompressed / compressed) * 1000) / 1000;
    if (archive.compressionRatio > highCompressionRatio) {
      ctx.findings.report({
        severity: 'warning',
        code: 'HIGH_COMPRESSION_RATIO',
        message: `the archive expands ${archive.compressionRatio} times (${compressed} bytes to ${uncompressed}): possibly a zip bomb`,
      });
    }
  }
  return archive;
}

/** Shared by every zip-based describer: a partial listing and unsafe names are warnings. */
export function reportListingProblems(listing: ZipListing, { findings }: BinaryContext): void {
  if (!listing.complete) {
    findings.report({
      severity: 'warning',
      code: 'ANALYSIS_BUDGET_EXCEEDED',
      message: `listed ${listing.entries.length} of ${listing.entryCount} zip entries (${listing.stoppedBecause}): sizes cover the listed entries only`,
    });
  }
  for (const name of listing.unsafeNames) {
    findings.report({
      severity: 'warning',
      code: 'UNSAFE_ARCHIVE_PATH',
      field: name,
      message: `entry "${name}" is absolute, contains "..", or uses backslashes: extracting it could write outside the target directory`,
    });
  }
}
