import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../lambdas/analysis/analyze-file.js';
import type { AnalysisOptions, RangedReader } from '../../../lambdas/analysis/types.js';
import { sha256Hex } from '../../support/bytes.js';
import { chat } from '../formats/parse-helpers.js';
import { labelledCorpus, seededRandom, sentence } from './pii/labelled-corpus.js';

const bufferReader = (bytes: Buffer): RangedReader => ({
  size: bytes.length,
  read: async (offset, length) => bytes.subarray(offset, offset + length),
});

async function* inPieces(bytes: Buffer, size: number) {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

const analyze = (bytes: Buffer, options: AnalysisOptions, pieceSize: number) =>
  analyzeFile({
    stream: inPieces(bytes, pieceSize),
    reader: bufferReader(bytes),
    filename: 'train.jsonl',
    options,
  });

/** Chat lines full of PII and credentials, with broken, blank, non-object and duplicate lines. */
function messyChatJsonl(): Buffer {
  const random = seededRandom(5);
  const token = (length: number) =>
    Array.from({ length }, () => 'abcdefghijkLMNOPQRSTU0123456789'[Math.floor(random() * 31)]).join('');
  const secrets = [
    `ghp_${token(36)}`,
    `AKIA${'IOSFODNN7EXAMPLE'}`,
    `npm_${token(36)}`,
    `sk_live_${token(24)}`,
  ];
  const items = labelledCorpus();
  const lines = items.slice(0, 1200).map((item, i) => {
    if (i % 97 === 5) return '{"messages": [';
    if (i % 151 === 7) return '';
    if (i % 173 === 9) return '[1, 2]';
    const user = i % 5 === 0 ? `my key is ${secrets[i % secrets.length]}` : sentence(i, item.raw);
    return JSON.stringify(chat(user, `Noted ${i % 40}.`, i % 3 ? 'You are helpful.' : undefined));
  });
  lines.push(lines[10] as string, lines[20] as string);
  return Buffer.from(`\uFEFF${lines.join('\r\n')}`);
}

describe('the scan thread', () => {
  it('gives the same report as one thread, findings, samples, counts and sha256 included', async () => {
    // Prepare
    const file = messyChatJsonl();
    const policies: AnalysisOptions = { piiPolicy: 'reject', secretsPolicy: 'reject', maxFindings: 5 };

    // Act
    const oneThread = await analyze(file, { ...policies, threads: 1 }, 4096);
    const twoThreads = await analyze(file, { ...policies, threads: 2, parallelMinBytes: 0 }, 4096);

    // Assess
    expect(twoThreads).toEqual(oneThread);
    expect(twoThreads.sha256).toBe(sha256Hex(file));
    expect(twoThreads.scan.pii?.total).toBeGreaterThan(100);
    expect(twoThreads.scan.secrets?.total).toBeGreaterThan(100);
    expect(twoThreads.findings.countsByCode).toMatchObject({ PII_FOUND: 1, SECRETS_FOUND: 1 });
  });

  it('fails the pass, and stops, when the stream fails mid-way', async () => {
    // Prepare
    const file = messyChatJsonl();
    async function* failing() {
      yield file.subarray(0, 100_000);
      throw new Error('connection reset');
    }

    // Act
    const pass = analyzeFile({
      stream: failing(),
      reader: bufferReader(file),
      filename: 'train.jsonl',
      options: { threads: 2, parallelMinBytes: 0 },
    });

    // Assess
    await expect(pass).rejects.toThrow('connection reset');
  });
});
