/**
 * The expiry sweep (`expireStaleUploads`, run by the local stack): an upload nobody touches after
 * its expiry becomes `expired`, gets exactly one `Upload Expired` and gives its open-upload slot
 * back, through the same path a request takes.
 */
import { describe, expect, it } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { expireStaleUploads } from '../../../lambdas/core/expire-uploads.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { patternBytes } from '../../support/bytes.js';
import { createCoreDeps } from '../../support/core-deps.js';
import { RecordingEventPublisher } from '../../support/downstream-doubles.js';

function sweepDeps() {
  const events = new RecordingEventPublisher();
  return { deps: { ...createCoreDeps(), events }, events };
}

const start = (deps: ReturnType<typeof sweepDeps>['deps'], owner = 'team-a') =>
  initUpload(deps, { filename: 'a.bin', totalSize: 10, owner });

describe('expireStaleUploads', () => {
  it('expires an untouched upload past its expiry, publishes Upload Expired once and frees its slot', async () => {
    // Prepare
    const { deps, events } = sweepDeps();
    const { uploadId } = await start(deps);
    deps.clock.advance(deps.config.sessionTtlMs);

    // Act
    const first = await expireStaleUploads(deps);
    const second = await expireStaleUploads(deps);

    // Assess
    expect(first).toEqual({ expired: [uploadId], republished: [] });
    expect(second).toEqual({ expired: [], republished: [] });
    expect((await deps.sessions.get(uploadId))?.state).toBe('expired');
    expect(events.detailTypes).toEqual(['Upload Expired']);
    expect(events.events[0]?.detail).toMatchObject({
      eventId: `${uploadId}:expired`,
      uploadId,
      owner: 'team-a',
      state: 'expired',
    });
    expect((await deps.openUploads.read('team-a')).entries).toEqual([]);
  });

  it('publishes the same detail a request would have published', async () => {
    const swept = sweepDeps();
    const requested = sweepDeps();
    const a = await start(swept.deps);
    const b = await start(requested.deps);
    swept.deps.clock.advance(swept.deps.config.sessionTtlMs);
    requested.deps.clock.advance(requested.deps.config.sessionTtlMs);

    await expireStaleUploads(swept.deps);
    await expect(abortUpload(requested.deps, b.uploadId, 'team-a')).rejects.toThrow(/expired/);

    const normalize = (detail: Record<string, unknown>, uploadId: string) =>
      JSON.parse(JSON.stringify(detail).replaceAll(uploadId, '<id>'));
    expect(normalize({ ...swept.events.events[0]?.detail }, a.uploadId)).toEqual(
      normalize({ ...requested.events.events[0]?.detail }, b.uploadId),
    );
  });

  it('leaves open uploads before their expiry and final uploads alone', async () => {
    const { deps, events } = sweepDeps();
    const open = await start(deps);
    const aborted = await start(deps);
    await abortUpload(deps, aborted.uploadId, 'team-a');
    deps.clock.advance(deps.config.sessionTtlMs - 1);

    expect(await expireStaleUploads(deps)).toEqual({ expired: [], republished: [] });

    expect((await deps.sessions.get(open.uploadId))?.state).toBe('uploading');
    expect(events.detailTypes).toEqual(['Upload Aborted']);
  });

  it('publishes nothing more when a request expired the upload first', async () => {
    const { deps, events } = sweepDeps();
    const { uploadId, totalChunks } = await start(deps, 'local');
    deps.clock.advance(deps.config.sessionTtlMs);
    const chunk = { uploadId, chunkIndex: 0, totalChunks, bytes: patternBytes(10), owner: 'local' };
    await expect(putChunk(deps, chunk)).rejects.toThrow(/expired/);

    expect(await expireStaleUploads(deps)).toEqual({ expired: [], republished: [] });
    expect(events.detailTypes).toEqual(['Upload Expired']);
  });

  it('publishes on the next sweep when the bus refused the first publish', async () => {
    const { deps, events } = sweepDeps();
    const { uploadId } = await start(deps);
    deps.clock.advance(deps.config.sessionTtlMs);
    events.refuseNext = 1;

    expect(await expireStaleUploads(deps)).toEqual({ expired: [uploadId], republished: [] });
    expect(events.events).toEqual([]);
    expect(await expireStaleUploads(deps)).toEqual({ expired: [], republished: [uploadId] });
    expect(await expireStaleUploads(deps)).toEqual({ expired: [], republished: [] });

    expect(events.detailTypes).toEqual(['Upload Expired']);
    expect((await deps.sessions.get(uploadId))?.publishedEvents).toEqual([`${uploadId}:expired`]);
  });
});
