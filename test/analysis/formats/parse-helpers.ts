import { FindingCollector } from '../../../lambdas/analysis/findings.js';
import {
  createDatasetParser,
  type TextDatasetFormat,
} from '../../../lambdas/analysis/formats/dataset-parser.js';
import type {
  AnalysisOptions,
  Finding,
  RecordLocation,
  RecordVisitor,
} from '../../../lambdas/analysis/types.js';

export interface Parsed {
  count: number;
  records: { record: unknown; at: RecordLocation }[];
  findings: Finding[];
  ends: number;
}

/** Pushes `input` in chunks of `chunkBytes` (all at once when omitted) and collects everything. */
export async function parse(
  format: TextDatasetFormat,
  input: string | Uint8Array,
  {
    chunkBytes,
    options,
    visitors = [],
  }: { chunkBytes?: number; options?: AnalysisOptions; visitors?: RecordVisitor[] } = {},
): Promise<Parsed> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const findings: Finding[] = [];
  const records: Parsed['records'] = [];
  let ends = 0;
  const collector = { report: (finding: Finding) => findings.push(finding) };
  const parser = createDatasetParser(format, {
    visitors: [{ onRecord: (record, at) => records.push({ record, at }), onEnd: () => ends++ }, ...visitors],
    findings: collector,
    ...(options ? { options } : {}),
  });
  const step = chunkBytes ?? Math.max(1, bytes.length);
  for (let offset = 0; offset < bytes.length; offset += step)
    await parser.push(bytes.subarray(offset, offset + step));
  const count = await parser.end();
  return { count, records, findings, ends };
}

export function codes(findings: Finding[]): string[] {
  return findings.map((finding) => finding.code);
}

export function summaryOf(findings: Finding[]) {
  const collector = new FindingCollector();
  for (const finding of findings) collector.report(finding);
  return collector.summary();
}

export function jsonl(...records: unknown[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}

export function chat(user: string, assistant: string, system?: string) {
  return {
    messages: [
      ...(system ? [{ role: 'system', content: system }] : []),
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  };
}
