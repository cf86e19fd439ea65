/**
 * `UpdateVirusDefinitions` (AWS only): runs on a schedule (and once by hand after the first
 * deployment: the stack output `UpdateVirusDefinitionsCommand`). It
 * fills /tmp from the signatures already in S3, runs freshclam, and uploads the files and a new
 * manifest under `clamav/` for the scanning function (`ScanForMalware`) to load.
 */

import { runFreshclam } from '../adapters/clamav/freshclam.js';
import { downloadDefinitions, uploadDefinitions } from '../adapters/clamav/s3-definitions.js';
import { getDeps } from '../runtime/deps.js';
import { logger } from '../runtime/logger.js';

const workDir = '/tmp/clamav';
const databaseDir = `${workDir}/update`;

export const handler = async () => {
  const { objects } = getDeps();
  const log = logger.child({ task: 'UpdateVirusDefinitions' });
  const previous = await downloadDefinitions(objects, databaseDir);
  const version = await runFreshclam(databaseDir, workDir);
  const manifest = await uploadDefinitions(objects, databaseDir, version);
  log.info('virus signatures updated', {
    previous: previous?.version ?? null,
    version,
    files: manifest.files.map((file) => `${file.name} (${file.size} bytes)`),
  });
  return { version, files: manifest.files.length };
};
