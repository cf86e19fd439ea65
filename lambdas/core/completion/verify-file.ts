/**
 * `VerifyFile`: reads the assembled staging object once, streaming, in bounded memory: counts
 * its bytes, hashes them (sha256) and keeps the first bytes for type detection. The file may be
 * published only if its size is the one init declared and, when init declared a checksum, its
 * sha256 is that checksum. A mismatch is a verdict (`ok: false`), not an error: the workflow
 * records a rejection instead of a failure.
 */
import { createHash } from 'node:crypto';
import type { Verification } from '../../workflow/contract.js';
import { detectFileType, fileTypeHeadBytes } from '../file-type.js';
import type { UploadSession } from '../model.js';
import type { ObjectStore } from '../ports.js';
import { type CompletionDeps, requireProcessingSession, taskLogger } from './completion-deps.js';
import type { AssembledState } from './workflow-states.js';

export interface StreamDigest {
  size: number;
  /** Lowercase hex. */
  sha256: string;
  /** The first `fileTypeHeadBytes` bytes (fewer if the object is shorter). */
  head: Uint8Array;
}

/** One streaming pass over an object: size, sha256 and its first bytes. */
export async function digestObject(objects: ObjectStore, key: string): Promise<StreamDigest> {
  const hash = createHash('sha256');
  const head = new Uint8Array(fileTypeHeadBytes);
  let size = 0;
  for await (const piece of await objects.getStream(key)) {
    const bytes: Uint8Array = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (size < head.length) head.set(bytes.subarray(0, head.length - size), size);
    size += bytes.length;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex'), head: head.subarray(0, Math.min(size, head.length)) };
}

/** Why a file may not be published, or `undefined` when it may. */
function rejection(
  session: UploadSession,
  digest: StreamDigest,
): Pick<Verification, 'code' | 'reason'> | undefined {
  if (digest.size !== session.totalSize) {
    return {
      code: 'SIZE_MISMATCH',
      reason: `The assembled file has ${digest.size} bytes but init declared totalSize ${session.totalSize}; nothing was published. Re-upload the file.`,
    };
  }
  const expected = session.checksum?.toLowerCase();
  if (expected !== undefined && expected !== digest.sha256) {
    return {
      code: 'CHECKSUM_MISMATCH',
      reason: `The file's sha256 is ${digest.sha256} but init declared checksum ${expected}; nothing was published. Re-upload the file or fix the checksum.`,
    };
  }
  return undefined;
}

export async function verifyFile(deps: CompletionDeps, state: AssembledState): Promise<Verification> {
  const { uploadId, assembled } = state;
  const log = taskLogger(deps, 'VerifyFile', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  const digest = await digestObject(deps.objects, assembled.stagingKey);
  const { fileType, detectedBy } = detectFileType(session.filename, digest.head);
  const rejected = rejection(session, digest);
  const verification: Verification = {
    ok: rejected === undefined,
    size: digest.size,
    sha256: digest.sha256,
    fileType,
    detectedBy,
    ...rejected,
  };
  if (rejected) log.warn('file rejected', { code: rejected.code, size: digest.size, sha256: digest.sha256 });
  else log.info('file verified', { size: digest.size, sha256: digest.sha256, fileType, detectedBy });
  return verification;
}
