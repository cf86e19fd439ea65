/**
 * The local stack's expiry sweep: its setting is validated like every other, it sweeps on its
 * interval through the core, and it stops with the stack (no sweep after `stop`).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startExpirySweeper } from '../../bin/local/expiry-sweeper.js';
import { initUpload } from '../../lambdas/core/init-upload.js';
import { loadConfig } from '../../lambdas/runtime/config.js';
import { createLogger } from '../../lambdas/runtime/logger.js';
import { createCoreDeps } from '../support/core-deps.js';
import { RecordingEventPublisher } from '../support/downstream-doubles.js';

const base = { TABLE_NAME: 'uploads', BUCKET_NAME: 'uploads' };
const quiet = createLogger({}, 'error', () => {});

afterEach(() => {
  vi.useRealTimers();
});

describe('EXPIRY_SWEEP_SECONDS', () => {
  it('defaults to a sweep every 60 seconds', () => {
    expect(loadConfig(base).expirySweepMs).toBe(60_000);
  });

  it.each(['0', '-5', '1.5', 'soon', '86401'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ ...base, EXPIRY_SWEEP_SECONDS: value })).toThrow(/EXPIRY_SWEEP_SECONDS/);
  });
});

describe('startExpirySweeper', () => {
  it('expires an untouched upload on its next tick, and sweeps no more once stopped', async () => {
    // Prepare
    vi.useFakeTimers();
    const events = new RecordingEventPublisher();
    const deps = { ...createCoreDeps(), events };
    const listed = vi.spyOn(deps.sessions, 'listByState');
    const { uploadId } = await initUpload(deps, { filename: 'a.bin', totalSize: 10, owner: 'local' });
    deps.clock.advance(deps.config.sessionTtlMs);
    const sweeper = startExpirySweeper(() => deps, 1000, quiet);

    // Act
    await vi.advanceTimersByTimeAsync(1000);
    await sweeper.stop();
    const sweeps = listed.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);

    // Assess
    expect(sweeps).toBe(1);
    expect(listed.mock.calls.length).toBe(1);
    expect((await deps.sessions.get(uploadId))?.state).toBe('expired');
    expect(events.detailTypes).toEqual(['Upload Expired']);
  });

  it('logs a failed sweep and tries again on the next tick', async () => {
    vi.useFakeTimers();
    const deps = createCoreDeps();
    const lines: string[] = [];
    const log = createLogger({}, 'error', (line) => lines.push(line));
    vi.spyOn(deps.sessions, 'listByState').mockRejectedValueOnce(new Error('dynalite restarting'));
    const sweeper = startExpirySweeper(() => deps, 1000, log);

    await vi.advanceTimersByTimeAsync(2000);
    await sweeper.stop();

    expect(lines.map((line) => JSON.parse(line).message)).toEqual([
      'expiry sweep failed; the next one retries',
    ]);
    expect(deps.sessions.listByState).toHaveBeenCalledTimes(2);
  });
});
