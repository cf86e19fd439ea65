import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { createUploadApp } from '../../lib/upload-app.js';
import { UploadStack } from '../../lib/upload-stack.js';
import { resolveUploadSettings, UploadStackPropsError } from '../../lib/upload-stack-props.js';
import { buildTemplate, logicalIdOf } from './fixture.js';

const MiB = 1024 * 1024;

describe('UploadStack props', () => {
  it('defaults to 1 MiB chunks, 10 GiB uploads, 24 h sessions, a 10 s wait and 30-day results', () => {
    expect(resolveUploadSettings()).toMatchObject({
      chunkSizeBytes: MiB,
      maxUploadSizeBytes: 10 * 1024 * MiB,
      sessionTtlHours: 24,
      completeWaitSeconds: 10,
      resultRetentionDays: 30,
      chunkExpirationDays: 2,
    });
  });

  it.each([
    [{ chunkSizeMiB: 5 }, /chunkSizeMiB must be between .* and 4 .*6 MB.*got 5/],
    [{ chunkSizeMiB: 0 }, /chunkSizeMiB must be between/],
    [{ completeWaitSeconds: 26 }, /completeWaitSeconds must be between 0 and 25 .*30 s.*got 26/],
    [{ sessionTtlHours: -1 }, /sessionTtlHours must be between/],
    [{ maxUploadSizeGiB: 6000 }, /maxUploadSizeGiB must be between .*5 TiB/],
    [{ resultRetentionDays: 1.5 }, /resultRetentionDays must be a whole number, got 1.5/],
    [{ resultRetentionDays: Number.NaN }, /resultRetentionDays must be between 1 and 3650, got NaN/],
    [{ throttleBurstLimitRequests: 0 }, /throttleBurstLimitRequests must be between/],
  ])('rejects %o with a message naming the prop and its bound', (props, message) => {
    expect(() => resolveUploadSettings(props)).toThrow(message);
    expect(() => new UploadStack(new App(), 'Invalid', props)).toThrow(UploadStackPropsError);
  });

  it('configures the functions and the chunk lifecycle rule from the props', () => {
    const { stack, template } = buildTemplate({
      chunkSizeMiB: 4,
      maxUploadSizeGiB: 100,
      sessionTtlHours: 72,
      completeWaitSeconds: 25,
      resultRetentionDays: 7,
    });
    const resources = template.toJSON().Resources;
    const variables =
      resources[logicalIdOf(stack.functions.InitUpload ?? stack)].Properties.Environment.Variables;
    expect(variables).toMatchObject({
      CHUNK_SIZE: String(4 * MiB),
      MAX_UPLOAD_SIZE: String(100 * 1024 * MiB),
      SESSION_TTL_HOURS: '72',
      COMPLETE_WAIT_SECONDS: '25',
      RESULT_RETENTION_DAYS: '7',
    });
    // 72 h is 3 days; chunks stay one more day.
    expect(resources[logicalIdOf(stack.bucket)].Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 4 })]),
    );
  });
});

describe('settings from CDK context', () => {
  it('takes -c chunkSizeMiB=2 and sessionTtlHours=48 as stack props', () => {
    const { stack } = createUploadApp({
      appProps: { context: { 'aws:cdk:bundling-stacks': [], chunkSizeMiB: '2', sessionTtlHours: '48' } },
    });

    expect(stack.settings.chunkSizeBytes).toBe(2 * 1024 * 1024);
    expect(stack.settings.sessionTtlHours).toBe(48);
  });

  it('refuses an invalid context value with the prop name', () => {
    expect(() =>
      createUploadApp({ appProps: { context: { 'aws:cdk:bundling-stacks': [], chunkSizeMiB: '64' } } }),
    ).toThrow(/chunkSizeMiB must be between/);
  });
});
