/**
 * ClamAV's signatures for the scanning function, the pattern of cdk-serverless-clamscan: a
 * function from the same ClamAV container image runs freshclam every few hours and keeps the
 * database under `clamav/` in the upload bucket, where `ScanForMalware` loads it at cold start.
 * Until the first update has run, scans answer `not_scanned`, which the default policy
 * quarantines: run it once right after the first deployment (the stack prints the command). A
 * CDK `Trigger` would do that by itself, but brings a provider function with the
 * AWSLambdaBasicExecutionRole managed policy, which this stack avoids everywhere.
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UploadFunction } from './upload-function.js';

export interface VirusDefinitionsProps {
  readonly table: ITable;
  readonly bucket: IBucket;
  readonly environment: Readonly<Record<string, string>>;
  /** How often freshclam runs (ClamAV publishes daily updates several times a day). */
  readonly refreshEvery?: Duration;
}

export class VirusDefinitions extends Construct {
  public readonly updater: UploadFunction;
  public readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: VirusDefinitionsProps) {
    super(scope, id);
    this.updater = new UploadFunction(this, 'UpdateVirusDefinitions', {
      entry: 'lambdas/scheduled/update-virus-definitions.ts',
      image: 'clamav',
      description: "Runs freshclam and keeps ClamAV's signatures under clamav/ in the upload bucket.",
      timeoutSeconds: 900,
      memoryMiB: 2048,
      // Reads the current signatures and manifest (missing before the first run: 404, hence the
      // prefix-bound list), and writes the refreshed ones. Nothing else in the bucket.
      access: { table: 'none', bucket: { read: ['clamav/*'], put: ['clamav/*'], list: ['clamav/*'] } },
      table: props.table,
      bucket: props.bucket,
      environment: props.environment,
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Refreshes the ClamAV signatures of the upload scanner.',
      schedule: Schedule.rate(props.refreshEvery ?? Duration.hours(6)),
      targets: [new LambdaFunction(this.updater.function, { retryAttempts: 2 })],
    });
  }
}
