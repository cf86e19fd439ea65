/**
 * The S3 key layout, in one place. Chunks keep the old service's layout; every other key lives
 * under the upload's own id, so two users' `data.jsonl` never collide and a filename can never
 * escape its prefix (it is sanitized before it gets here, see `filename.ts`).
 */
export const keys = {
  chunk: (uploadId: string, index: number): string => `uploads/${uploadId}/${index}.chunk`,
  chunkPrefix: (uploadId: string): string => `uploads/${uploadId}/`,
  /** Where assembly writes the file before it is verified. Never read by consumers. */
  staging: (uploadId: string, filename: string): string => `staging/${uploadId}/${filename}`,
  /** ETag manifest of one assembly batch (keeps Step Functions state small). */
  partManifest: (uploadId: string, batchIndex: number): string =>
    `staging/${uploadId}/.parts/${batchIndex}.json`,
  /**
   * The analysis report next to the staging file. Sanitized filenames never start with a dot,
   * so no upload's own name can be `.analysis.json`.
   */
  stagingReport: (uploadId: string): string => `staging/${uploadId}/.analysis.json`,
  /** Where verified files are published: the only prefix consumers read. */
  completed: (uploadId: string, filename: string): string => `completed/${uploadId}/${filename}`,
  /** Where a file found dangerous is kept: consumers never read this prefix. */
  quarantine: (uploadId: string, filename: string): string => `quarantine/${uploadId}/${filename}`,
  quarantineReport: (uploadId: string): string => `quarantine/${uploadId}/.analysis.json`,
  /** The analysis report of a published file, next to it. */
  completedReport: (uploadId: string): string => `completed/${uploadId}/.analysis.json`,
  /**
   * A registered JSON Schema with its version and creation time (`core/schema-registry.ts`).
   * Names match `^[a-z0-9][a-z0-9._-]{0,63}$` before they get here, so a name never holds a `/`.
   */
  schema: (name: string): string => `schemas/${name}.json`,
  /**
   * ClamAV's signature database (AWS only): the files freshclam downloaded and a manifest naming
   * them, written by `UpdateVirusDefinitions` and read by the scanning function at cold start.
   */
  virusDefinitions: (name: string): string => `clamav/${name}`,
  virusDefinitionsManifest: 'clamav/manifest.json',
};

/**
 * A registered schema's name (`keys.schema`): lowercase, at most 64 characters, never a `/`, so
 * it stays one key under `schemas/`. Here rather than in `schema-registry.ts` so the request
 * schemas can use it without pulling Ajv into every function's bundle.
 */
export const schemaNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;
