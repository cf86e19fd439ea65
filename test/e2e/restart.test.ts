/**
 * `npm start`'s process killed with SIGKILL in the middle of an upload, then started again on the
 * same data directory: the upload resumes where it stopped and finishes with identical bytes.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lambdas/adapters/aws-clients.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import { ApiClient, chunksOf } from '../support/api-client.js';
import { digestOf, patternBytes } from '../support/bytes.js';
import { exitOf, freePort, startChildStack } from '../support/child-stack.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  // Also when an assertion failed half-way: no stack may outlive the test run.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('restart after kill -9', () => {
  it('resumes the upload where it stopped and completes with identical bytes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'upload-restart-'));
    dirs.push(dataDir);
    const env = { DATA_DIR: dataDir, CHUNK_SIZE: '65536' };
    const file = patternBytes(40 * 65536 + 999, 11);
    const chunks = chunksOf(file, 65536);

    const first = await startChildStack({ ...env, PORT: String(await freePort()) });
    children.push(first.child);
    const api = new ApiClient(first.url);
    const uploadId = (await api.init({ filename: 'resume.dat', totalSize: file.length })).body
      .uploadId as string;
    const beforeCrash = [...chunks.keys()].filter((index) => index % 3 !== 0);
    for (const index of beforeCrash)
      await api.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunks[index]);
    first.child.kill('SIGKILL');
    await exitOf(first.child);

    // A fresh port: another test worker may have taken the first one meanwhile.
    const second = await startChildStack({ ...env, PORT: String(await freePort()) });
    children.push(second.child);
    const resumed = new ApiClient(second.url);
    const status = await resumed.status(uploadId);
    const missing = [...chunks.keys()].filter((index) => !beforeCrash.includes(index));
    for (const index of missing)
      await resumed.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunks[index]);
    const done = await resumed.complete(uploadId);
    const { s3 } = createAwsClients({ s3Endpoint: second.s3Endpoint });
    const stored = await new S3ObjectStore(s3, 'uploads').getBytes(`completed/${uploadId}/resume.dat`);
    s3.destroy();
    second.child.kill('SIGINT');
    const exitCode = await exitOf(second.child);

    expect(status.body).toMatchObject({ receivedChunks: beforeCrash, state: 'uploading' });
    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({
      size: file.length,
      checksum: createHash('sha256').update(file).digest('hex'),
    });
    expect(digestOf(stored)).toBe(digestOf(file));
    expect(exitCode).toBe(0);
  });
});
