/**
 * One Lambda function for one entry of the route table or the workflow task table, built the
 * same way for both: newest Node.js runtime on arm64, the handler bundled by esbuild as ESM
 * with source maps, its own log group with a retention, X-Ray active tracing, and an execution
 * role that holds exactly what the entry's `access` asks for.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, IgnoreMode, Size } from 'aws-cdk-lib';
import { type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  DockerImageCode,
  DockerImageFunction,
  type FunctionOptions,
  type Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketAccess } from '../lambdas/routes.js';
import { grantBucketAccess } from './bucket-access.js';

/** The project root (the directory holding `package.json` and `package-lock.json`). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The newest Node.js runtime aws-cdk-lib knows (cdk-nag AwsSolutions-L1 checks exactly this).
 * A named version rather than `NODEJS_LATEST`, so a CDK upgrade never changes the runtime
 * without a reviewed diff.
 */
export const lambdaRuntime = Runtime.NODEJS_24_X;

/** How long function logs are kept. */
export const functionLogRetention = RetentionDays.ONE_MONTH;

/** What the function may touch; the shape shared by `RouteAccess` and the workflow tasks' `access`. */
export interface FunctionAccess {
  readonly table: 'none' | 'read' | 'readUpdate' | 'readWrite';
  /** S3 requests by object key pattern, see {@link grantBucketAccess}. */
  readonly bucket: BucketAccess;
}

export interface UploadFunctionProps {
  /** Handler module relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly access: FunctionAccess;
  readonly table: ITable;
  readonly bucket: IBucket;
  /** The configuration variables of `lambdas/runtime/config.ts`. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * `clamav`: run from the ClamAV container image (`docker/clamav/Dockerfile`, built by `cdk
   * deploy`; `cdk synth` only stages its context) instead of the Node.js runtime. The handler
   * is the entry's file name, which the image's esbuild step bundles.
   */
  readonly image?: 'clamav';
}

/** The ClamAV image's Dockerfile, relative to the project root (the build context). */
export const clamavDockerfile = 'docker/clamav/Dockerfile';

/**
 * ESM output needs `require` for the CommonJS dependencies esbuild inlines (busboy and parts
 * of the AWS SDK call `require('stream')` and friends); without it they fail at cold start
 * with "Dynamic require of ... is not supported".
 */
const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** A bundled handler, its log group and its least-privilege execution role. */
export class UploadFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly logGroup: LogGroup;
  public readonly role: Role;
  /** What the role was granted (the cdk-nag acknowledgements are derived from it). */
  public readonly access: FunctionAccess;

  constructor(scope: Construct, id: string, props: UploadFunctionProps) {
    super(scope, id);
    this.access = props.access;

    this.logGroup = new LogGroup(this, 'Logs', { retention: functionLogRetention });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy (AwsSolutions-IAM4):
    // the function may write to its own log group only, not create or write any log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    this.logGroup.grantWrite(this.role);

    const common: FunctionOptions = {
      description: props.description,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMiB,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
    };
    this.function =
      props.image === 'clamav'
        ? new DockerImageFunction(this, 'Function', {
            ...common,
            code: DockerImageCode.fromImageAsset(projectRoot, {
              file: clamavDockerfile,
              platform: Platform.LINUX_ARM64,
              ignoreMode: IgnoreMode.DOCKER,
              cmd: [`${path.basename(props.entry, '.ts')}.handler`],
            }),
            // clamd spools each stream to a temporary file (files up to 2 GiB) and keeps its
            // signatures (about 400 MB on disk) in /tmp.
            ephemeralStorageSize: Size.gibibytes(6),
            environment: {
              ...props.environment,
              // A scan that would outlive the function is stopped first, and reported as an error:
              // the function's time less a cold start (signatures from S3, clamd loading them:
              // up to 2 minutes) and a minute for the rest.
              CLAMAV_TIMEOUT_SECONDS: String(Math.max(props.timeoutSeconds - 180, 30)),
            },
          })
        : this.nodejsFunction(props, common);

    grantTable(this, props.table, this.role, props.access.table);
    grantBucketAccess(props.bucket, this.role, props.access.bucket);
  }

  private nodejsFunction(props: UploadFunctionProps, common: FunctionOptions): NodejsFunction {
    return new NodejsFunction(this, 'Function', {
      ...common,
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: lambdaRuntime,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        target: 'node24',
        // The SDK is bundled at the version the tests ran with rather than taken from the
        // runtime, whose SDK changes under us (its S3 checksum defaults did, for one).
        bundleAwsSDK: true,
      },
    });
  }
}

/**
 * Table grants. With a customer-managed key, the table's own grants would add `kms:ReEncrypt*` and
 * `kms:GenerateDataKey*` (action wildcards, cdk-nag IAM5): the table is granted through a reference
 * without the key instead, and the key with exactly the actions DynamoDB uses on the caller's
 * behalf: `kms:Decrypt` and `kms:DescribeKey` to read, plus `kms:Encrypt` and `kms:GenerateDataKey`
 * to write.
 */
function grantTable(scope: Construct, table: ITable, role: Role, access: FunctionAccess['table']): void {
  if (access === 'none') return;
  const key = table.encryptionKey;
  const target = key ? Table.fromTableArn(scope, 'TableWithoutKey', table.tableArn) : table;
  if (access === 'readWrite') target.grantReadWriteData(role);
  else target.grantReadData(role);
  if (access === 'readUpdate') target.grant(role, 'dynamodb:UpdateItem');
  if (key === undefined) return;
  const keyActions = ['kms:Decrypt', 'kms:DescribeKey'];
  if (access !== 'read') keyActions.push('kms:Encrypt', 'kms:GenerateDataKey');
  key.grant(role, ...keyActions);
}
