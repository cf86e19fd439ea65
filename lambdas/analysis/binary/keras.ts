/**
 * Keras models. Keras 3 `.keras` files are zips holding `config.json` (the architecture),
 * `metadata.json` (`keras_version`, `date_saved`) and `model.weights.h5` (or `.npz`); Keras 2
 * `.h5` files are HDF5, whose format signature `\x89HDF\r\n\x1a\n` sits at byte 0, 512, 1024,
 * 2048 ... (a user block may precede it), followed by the superblock version byte.
 */
import type { ArtifactDescription } from '../types.js';
import type { BinaryContext } from './binary-context.js';
import { BinaryFormatError } from './binary-errors.js';
import { reportListingProblems } from './zip-archive.js';
import { listZip, readSmallEntry } from './zip-directory.js';

const hdf5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function describeKerasZip(ctx: BinaryContext): Promise<ArtifactDescription> {
  const listing = await listZip(ctx.reader, (name) => name === 'metadata.json');
  reportListingProblems(listing, ctx);
  const names = listing.entries.map((e) => e.name);
  if (listing.complete && !names.includes('config.json')) {
    throw new BinaryFormatError('CORRUPT_KERAS', 'the .keras zip has no config.json: Keras cannot load it');
  }
  const details: Record<string, unknown> = {
    container: 'zip',
    entryCount: listing.entryCount,
    entries: names.slice(0, 20),
  };
  const metadataEntry = listing.entries.find((e) => e.name === 'metadata.json');
  const bytes = metadataEntry === undefined ? undefined : await readSmallEntry(listing, metadataEntry);
  if (bytes !== undefined) {
    try {
      const metadata = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      if (typeof metadata.keras_version === 'string')
        details.kerasVersion = metadata.keras_version.slice(0, 64);
      if (typeof metadata.date_saved === 'string') details.dateSaved = metadata.date_saved.slice(0, 64);
    } catch {
      ctx.findings.report({
        severity: 'warning',
        code: 'CORRUPT_KERAS',
        field: 'metadata.json',
        message: 'metadata.json is not valid JSON',
      });
    }
  }
  return { format: 'keras', framework: 'keras', details };
}

/** The HDF5 signature's offset within the first bytes, or -1. */
function findHdf5Signature(head: Uint8Array): number {
  for (let at = 0; at + hdf5Signature.length <= head.length; at = at === 0 ? 512 : at * 2) {
    if (hdf5Signature.every((byte, i) => head[at + i] === byte)) return at;
  }
  return -1;
}

export function describeHdf5(ctx: BinaryContext): ArtifactDescription {
  const at = findHdf5Signature(ctx.head);
  if (at < 0 && ctx.extension === 'keras') {
    throw new BinaryFormatError(
      'CORRUPT_KERAS',
      'a .keras file must be a zip (Keras 3) or HDF5 (Keras 2); this is neither',
    );
  }
  if (at < 0) {
    throw new BinaryFormatError(
      'CORRUPT_HDF5',
      'no HDF5 signature at byte 0, 512, 1024 ...: not an HDF5 file',
    );
  }
  const details: Record<string, unknown> = { container: 'hdf5', signatureOffset: at };
  const superblockVersion = ctx.head[at + 8];
  if (superblockVersion !== undefined) details.superblockVersion = superblockVersion;
  return { format: 'keras', framework: 'keras/hdf5', details };
}
