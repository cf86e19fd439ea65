/**
 * The one test that really bundles: the UploadChunk handler (busboy and the AWS SDK, both with
 * CommonJS parts) built as ESM, as `npm run synth` builds every function, then imported.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.js';
import { UploadFunction } from '../../lib/upload-function.js';
import { logicalIdOf } from './fixture.js';

const outdir = mkdtempSync(path.join(tmpdir(), 'upload-bundling-'));

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('function bundling', () => {
  it('bundles a handler as minified ESM (with a require shim) with a source map that Node imports cleanly', async () => {
    const route = routes.find((entry) => entry.id === 'UploadChunk');
    if (!route) throw new Error('no UploadChunk route');
    // Asset metadata (the staged directory of each asset) is written only when asked for, as the CLI does.
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:enable-asset-metadata': true },
    });
    const stack = new Stack(app, 'BundlingTest');
    const fn = new UploadFunction(stack, route.id, {
      ...route,
      table: new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      bucket: new Bucket(stack, 'Bucket'),
      environment: {},
    });
    const assembly = app.synth();
    const template = assembly.getStackByName('BundlingTest').template as {
      Resources: Record<string, { Metadata: Record<string, string>; Properties: Record<string, unknown> }>;
    };
    const resource = template.Resources[logicalIdOf(fn.function)];
    expect(resource?.Properties.Handler).toBe('index.handler');
    const assetDir = path.join(outdir, resource?.Metadata['aws:asset:path'] ?? 'missing');
    expect(existsSync(path.join(assetDir, 'index.mjs'))).toBe(true);
    expect(existsSync(path.join(assetDir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith('import { createRequire')).toBe(true);
    expect(code).toMatch(/export\{\w+ as handler\};/);

    const saved = { ...process.env };
    Object.assign(process.env, { TABLE_NAME: 'table', BUCKET_NAME: 'bucket', AWS_REGION: 'us-east-1' });
    try {
      const bundle = (await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href)) as {
        handler: unknown;
      };
      expect(typeof bundle.handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
