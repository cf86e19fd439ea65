/**
 * The one entry point the pass uses for text datasets: picks the parser for the detected format.
 * Every parser takes bytes in chunks of any size (a line or a UTF-8 character may span chunks),
 * reports problems as findings (never throws on bad input), hands each well-formed record to
 * every visitor with its 1-based start line, calls `onEnd` once, and returns the record count.
 */
import type { AnalysisOptions, DatasetParser, FindingSink, RecordVisitor } from '../types.js';
import { createCsvParser } from './csv-parser.js';
import { createJsonArrayParser } from './json-array-parser.js';
import { createJsonlParser } from './jsonl-parser.js';

export type TextDatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv';

export function createDatasetParser(
  format: TextDatasetFormat,
  context: { visitors: RecordVisitor[]; findings: FindingSink; options?: AnalysisOptions },
): DatasetParser {
  switch (format) {
    case 'jsonl':
      return createJsonlParser(context);
    case 'json':
      return createJsonArrayParser(context);
    case 'csv':
      return createCsvParser(context, ',');
    case 'tsv':
      return createCsvParser(context, '\t');
  }
}
