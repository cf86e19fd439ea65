/**
 * The events the routes publish: `Upload Aborted` by abort, `Upload Expired` where expiry is
 * detected (any request that loads a live session), each once, and re-published by the next
 * request when the bus refused it the first time.
 */
import { describe, expect, it } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { completeUpload } from '../../../lambdas/core/complete-upload.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { patternBytes } from '../../support/bytes.js';
import { createCoreDeps } from '../../support/core-deps.js';
import { RecordingEventPublisher } from '../../support/downstream-doubles.js';

function routeDeps() {
  const events = new RecordingEventPublisher();
  return { deps: { ...createCoreDeps(), events }, events };
}

const gone = expect.objectContaining({ name: 'UploadGoneError' });

describe('route events', () => {
  it('publishes Upload Aborted once when an upload is aborted', async () => {
    const { deps, events } = routeDeps();
    const { uploadId } = await initUpload(deps, { filename: 'a.bin', totalSize: 10, owner: 'team-a' });

    await abortUpload(deps, uploadId, 'team-a');
    await expect(abortUpload(deps, uploadId, 'team-a')).rejects.toThrow(gone);

    expect(events.detailTypes).toEqual(['Upload Aborted']);
    expect(events.events[0]?.detail).toMatchObject({
      eventId: `${uploadId}:aborted`,
      uploadId,
      owner: 'team-a',
      state: 'aborted',
      filename: 'a.bin',
      size: 10,
      bucket: null,
      key: null,
      findings: null,
    });
  });

  it('answers abort 200 when the bus refuses, and the next request publishes the event', async () => {
    const { deps, events } = routeDeps();
    const { uploadId } = await initUpload(deps, { filename: 'a.bin', totalSize: 10, owner: 'local' });
    events.refuseNext = 1;

    expect(await abortUpload(deps, uploadId, 'local')).toMatchObject({ state: 'aborted' });
    expect(events.events).toEqual([]);
    await expect(completeUpload(deps, uploadId, 'local')).rejects.toThrow(gone);
    await expect(completeUpload(deps, uploadId, 'local')).rejects.toThrow(gone);

    expect(events.detailTypes).toEqual(['Upload Aborted']);
  });

  it('publishes Upload Expired once, when a request finds the upload past its expiry', async () => {
    const { deps, events } = routeDeps();
    const { uploadId, totalChunks } = await initUpload(deps, {
      filename: 'a.bin',
      totalSize: 10,
      owner: 'local',
    });
    deps.clock.advance(deps.config.sessionTtlMs + 1);

    const chunk = { uploadId, chunkIndex: 0, totalChunks, bytes: patternBytes(10), owner: 'local' };
    await expect(putChunk(deps, chunk)).rejects.toThrow(gone);
    await expect(putChunk(deps, chunk)).rejects.toThrow(gone);
    await expect(abortUpload(deps, uploadId, 'local')).rejects.toThrow(gone);

    expect(events.detailTypes).toEqual(['Upload Expired']);
    expect(events.events[0]?.detail).toMatchObject({ state: 'expired', uploadId });
  });
});
