/**
 * Reading ClamAV's answers: the engine and signature versions recorded with each scan, and the
 * answers that must never become `clean` (limits exceeded, errors, nothing said).
 */
import { describe, expect, it } from 'vitest';
import { interpretReply, parseVersion } from '../../lambdas/adapters/clamav/clamav-verdict.js';

const official = parseVersion('ClamAV 1.4.3/27830/Fri Nov 27 09:27:02 2026\n');

describe('parseVersion', () => {
  it('splits the engine from the signature database version and date', () => {
    expect(official).toEqual({ engine: 'ClamAV 1.4.3', signatures: '27830 (Fri Nov 27 09:27:02 2026)' });
  });

  it('has no signature version with only locally written signatures, and no engine for no answer', () => {
    expect(parseVersion('ClamAV 1.4.3')).toEqual({ engine: 'ClamAV 1.4.3', signatures: null });
    expect(parseVersion('')).toEqual({ engine: null, signatures: null });
  });
});

describe('interpretReply', () => {
  const read = (reply: string) => interpretReply(reply, official, { scannedBytes: 10 });

  it('is clean only when every line says OK', () => {
    expect(read('stream: OK')).toMatchObject({ status: 'clean', ...official, scannedBytes: 10 });
    expect(read('stdin: OK\nstdin: OK\n').status).toBe('clean');
  });

  it('names every matched signature', () => {
    expect(read('stream: Win.Test.EICAR_HDB-1 FOUND')).toMatchObject({
      status: 'infected',
      threats: ['Win.Test.EICAR_HDB-1'],
    });
  });

  it('reports a file over ClamAV’s limits as not scanned, not as a virus and not as clean', () => {
    const result = read('stream: Heuristics.Limits.Exceeded.MaxScanSize FOUND');
    expect(result).toMatchObject({ status: 'not_scanned', threats: [] });
    expect(result.reason).toMatch(/Heuristics\.Limits\.Exceeded\.MaxScanSize/);
    // A real match wins over a limit reached elsewhere in the same file.
    expect(read('stdin: Heuristics.Limits.Exceeded.MaxFileSize FOUND\nstdin: Eicar FOUND').status).toBe(
      'infected',
    );
  });

  it('turns the stream limit, an error and an empty answer into no verdict', () => {
    expect(read('INSTREAM size limit exceeded. ERROR').status).toBe('not_scanned');
    expect(read("stream: Can't allocate memory ERROR").status).toBe('error');
    expect(read('').status).toBe('error');
    expect(read('stream: OK\nstream: Access denied. ERROR').status).toBe('error');
  });
});
