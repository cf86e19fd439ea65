/**
 * PyTorch checkpoints. Since 1.6, `torch.save` writes a zip (stored, not deflated) with one top
 * folder: `<name>/data.pkl` (the pickled object graph), `<name>/data/<key>` (one entry per
 * tensor storage), `<name>/version`, and since 2.x `<name>/byteorder`. Before 1.6 it wrote a
 * bare pickle. Both are described from the directory or the first bytes only; scanning the
 * pickle's opcodes is a later issue.
 */
import type { ArtifactDescription } from '../types.js';
import type { BinaryContext } from './binary-context.js';
import { reportListingProblems } from './zip-archive.js';
import { listZip, readSmallEntry, type ZipListing } from './zip-directory.js';

const storagePattern = /(^|\/)data\/[^/]+$/;

export async function describePytorchZip(ctx: BinaryContext): Promise<ArtifactDescription> {
  const listing = await listZip(ctx.reader, (name) => /(^|\/)(byteorder|version)$/.test(name));
  reportListingProblems(listing, ctx);
  const names = listing.entries.map((e) => e.name);
  const dataPkl = names.find((name) => name === 'data.pkl' || name.endsWith('/data.pkl'));
  const details: Record<string, unknown> = {
    container: 'zip',
    entryCount: listing.entryCount,
    hasDataPkl: dataPkl !== undefined,
    storageCount: names.filter((name) => storagePattern.test(name)).length,
  };
  if (dataPkl !== undefined) {
    const root = dataPkl.slice(0, dataPkl.length - 'data.pkl'.length);
    if (root !== '') details.rootFolder = root.slice(0, -1);
    const byteorder = await smallText(listing, `${root}byteorder`);
    if (byteorder !== undefined) details.byteorder = byteorder;
    const version =
      (await smallText(listing, `${root}version`)) ?? (await smallText(listing, `${root}.data/version`));
    if (version !== undefined) details.serializationVersion = version;
  } else {
    ctx.findings.report({
      severity: 'warning',
      code: 'PYTORCH_PICKLE_MISSING',
      message: 'the zip has a PyTorch extension but no data.pkl entry: torch.load will not read it',
    });
  }
  return { format: 'pytorch', framework: 'pytorch', details };
}

async function smallText(listing: ZipListing, name: string): Promise<string | undefined> {
  const entry = listing.entries.find((e) => e.name === name);
  if (entry === undefined) return undefined;
  const bytes = await readSmallEntry(listing, entry, 256);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes).trim().slice(0, 64);
}

/** Pickle protocols 2-5 start with PROTO (0x80) and the protocol number; 0 and 1 have no marker. */
function pickleProtocol(head: Uint8Array): number | undefined {
  return head[0] === 0x80 && head.length > 1 ? head[1] : undefined;
}

/** A legacy (pre-1.6) `torch.save` file: a pickle with a PyTorch extension. */
export function describePytorchPickle(ctx: BinaryContext): ArtifactDescription {
  return {
    format: 'pytorch',
    framework: 'pytorch',
    details: { container: 'legacy pickle', protocol: pickleProtocol(ctx.head) },
  };
}

export function describePickle(ctx: BinaryContext): ArtifactDescription {
  const protocol = pickleProtocol(ctx.head);
  return {
    format: 'pickle',
    details: { protocol: protocol ?? 'unknown (no PROTO opcode: protocol 0 or 1)' },
  };
}
