/**
 * ClamAV's signature database kept in S3 (the pattern of cdk-serverless-clamscan): the
 * `UpdateVirusDefinitions` function runs freshclam on a schedule and uploads the database files
 * with a manifest; the scanning function downloads them at cold start (and when the manifest
 * changes) into /tmp, where its clamd loads them. The manifest is written last, so a reader never
 * sees a manifest naming files that are not there yet.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { keys } from '../../core/keys.js';
import type { ObjectStore } from '../../core/ports.js';

export interface DefinitionsManifest {
  /** When freshclam last refreshed the files (ISO 8601). */
  updatedAt: string;
  /** The database version freshclam reported, e.g. `ClamAV 1.4.3/27830/...`. */
  version: string;
  files: { name: string; size: number }[];
}

/** Database files freshclam writes: the official `.cvd` / `.cld` containers. */
const databaseFile = /^[a-z0-9_-]+\.(cvd|cld|cud)$/;

export async function readManifest(objects: ObjectStore): Promise<DefinitionsManifest | undefined> {
  const bytes = await objects.getBytes(keys.virusDefinitionsManifest);
  return bytes === undefined
    ? undefined
    : (JSON.parse(Buffer.from(bytes).toString('utf8')) as DefinitionsManifest);
}

/** Downloads the manifest's files into `dir` (replacing what was there); returns the manifest. */
export async function downloadDefinitions(
  objects: ObjectStore,
  dir: string,
): Promise<DefinitionsManifest | undefined> {
  const manifest = await readManifest(objects);
  if (manifest === undefined) return undefined;
  const incoming = `${dir}.incoming`;
  await rm(incoming, { recursive: true, force: true });
  await mkdir(incoming, { recursive: true });
  for (const file of manifest.files) {
    if (!databaseFile.test(file.name))
      throw new Error(`Unexpected file ${file.name} in the definitions manifest`);
    await pipeline(
      await objects.getStream(keys.virusDefinitions(file.name)),
      createWriteStream(join(incoming, file.name)),
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(incoming, dir);
  return manifest;
}

/** Uploads the database files of `dir`, then the manifest. */
export async function uploadDefinitions(
  objects: ObjectStore,
  dir: string,
  version: string,
): Promise<DefinitionsManifest> {
  const files: DefinitionsManifest['files'] = [];
  for (const name of (await readdir(dir)).filter((file) => databaseFile.test(file)).sort()) {
    const bytes = await readFile(join(dir, name));
    await objects.put(keys.virusDefinitions(name), bytes, 'application/octet-stream');
    files.push({ name, size: (await stat(join(dir, name))).size });
  }
  if (files.length === 0) throw new Error(`freshclam left no database files in ${dir}`);
  const manifest: DefinitionsManifest = { updatedAt: new Date().toISOString(), version, files };
  await objects.put(keys.virusDefinitionsManifest, JSON.stringify(manifest, null, 2), 'application/json');
  return manifest;
}
