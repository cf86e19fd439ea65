/**
 * Comprehend PII sampling in AnalyzeFile (stack prop `comprehendPii`): what text is sampled,
 * what is kept (counts, never text), and that a failing call is reported, not fatal.
 */
import { describe, expect, it } from 'vitest';
import {
  maxSampleBytes,
  type PiiEntity,
  type PiiEntityDetector,
  sampleText,
} from '../../../lambdas/core/completion/comprehend-sample.js';
import { createDeps, runWorkflow, seedUpload } from './fixtures.js';

class RecordingDetector implements PiiEntityDetector {
  readonly engine = 'test detector';
  texts: string[] = [];
  constructor(private readonly answer: () => Promise<PiiEntity[]>) {}
  detect(text: string) {
    this.texts.push(text);
    return this.answer();
  }
}

const jsonl = (rows: object[]) => Buffer.from(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);

describe('sampleText', () => {
  it("takes the string values of JSON lines and the raw text of other lines, within Comprehend's limit", () => {
    expect(sampleText('{"text":"Jane Doe","meta":{"city":"Paris","n":3}}\nname,city\n')).toEqual({
      text: 'Jane Doe\nParis\nname,city',
      records: 2,
    });
    const long = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({ text: `${i} ${'word '.repeat(40)}` }),
    ).join('\n');
    const { text, records } = sampleText(long);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxSampleBytes);
    expect(records).toBeGreaterThan(100);
    expect(records).toBeLessThan(1000);
  });

  it('samples the beginning of a first record longer than the budget instead of nothing', () => {
    const { text, records } = sampleText(`${JSON.stringify({ text: 'é'.repeat(200_000) })}\n`);
    expect(records).toBe(1);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(maxSampleBytes);
    expect(Buffer.byteLength(text)).toBeGreaterThan(maxSampleBytes - 4);
    expect(text).not.toContain('\uFFFD');
  });
});

describe('AnalyzeFile with Comprehend sampling', () => {
  it('counts confident entities by type on a dataset, keeping no text', async () => {
    const deps = createDeps();
    const detector = new RecordingDetector(async () => [
      { type: 'NAME', score: 0.99 },
      { type: 'NAME', score: 0.95 },
      { type: 'ADDRESS', score: 0.9 },
      { type: 'NAME', score: 0.3 },
    ]);
    const bytes = jsonl([{ text: 'Jane Doe lives at 1 Main Street' }, { text: 'John Roe' }]);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: 1024, filename: 'people.jsonl' });
    const run = await runWorkflow({ ...deps, piiEntityDetector: detector }, uploadId);
    expect(run.verification?.ok).toBe(true);
    expect(detector.texts).toEqual(['Jane Doe lives at 1 Main Street\nJohn Roe']);
    const session = await deps.sessions.get(uploadId);
    const body = session?.result?.body as { metadata: { scan: { pii: Record<string, unknown> } } };
    const pii = body.metadata.scan.pii;
    expect(pii.comprehend).toEqual({
      status: 'scanned',
      engine: 'test detector',
      sampledRecords: 2,
      sampledBytes: 40,
      counts: { NAME: 2, ADDRESS: 1 },
    });
    expect(JSON.stringify(session?.result)).not.toContain('Jane Doe');
  });

  it('reports a failed call as an error and still publishes the file', async () => {
    const deps = createDeps();
    const failing = new RecordingDetector(() =>
      Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
    );
    const { uploadId } = await seedUpload(deps, {
      bytes: jsonl([{ text: 'hi' }]),
      chunkSize: 1024,
      filename: 'a.jsonl',
    });
    const run = await runWorkflow({ ...deps, piiEntityDetector: failing }, uploadId);
    expect(run.verification?.ok).toBe(true);
    const report = JSON.parse(
      Buffer.from((await deps.objects.getBytes(`completed/${uploadId}/.analysis.json`)) ?? []).toString(
        'utf8',
      ),
    );
    expect(report.scan.pii.comprehend).toMatchObject({
      status: 'error',
      reason: 'test detector failed: ThrottlingException',
    });
  });

  it('does not call Comprehend for files that are not datasets', async () => {
    const deps = createDeps();
    const detector = new RecordingDetector(async () => []);
    const { uploadId } = await seedUpload(deps, { bytes: Buffer.from('binary'), chunkSize: 1024 });
    await runWorkflow({ ...deps, piiEntityDetector: detector }, uploadId);
    expect(detector.texts).toEqual([]);
  });
});
