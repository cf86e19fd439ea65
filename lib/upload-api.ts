/**
 * The HTTP API: one Lambda function and one route per entry of the route table
 * (`lambdas/routes.ts`), integrated with payload format 2.0, on a `$default` stage with access
 * logs and throttling. The local server routes requests with the same table.
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type RouteDefinition, routes } from '../lambdas/routes.js';
import { UploadFunction } from './upload-function.js';

export interface UploadApiProps {
  readonly table: ITable;
  readonly bucket: IBucket;
  /** Started by the routes whose access has `startWorkflow`. */
  readonly stateMachine: IStateMachine;
  /** The configuration variables every function reads (`lambdas/runtime/config.ts`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly throttleRateLimitPerSecond: number;
  readonly throttleBurstLimitRequests: number;
}

/** One JSON line per request; HTTP APIs know no `$context.identity.user` and such, so fields are chosen by hand. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integration.latency',
    integrationStatus: '$context.integration.status',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** The HTTP API, its stage and one function per route. */
export class UploadApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** The route functions, by route id. */
  public readonly functions: Readonly<Record<string, UploadFunction>>;

  constructor(scope: Construct, id: string, props: UploadApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Resumable, chunked upload API',
      // The stage is created below, with access logs and throttling the default stage lacks.
      createDefaultStage: false,
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttleRateLimitPerSecond,
        burstLimit: props.throttleBurstLimitRequests,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat,
      },
    });

    const functions: Record<string, UploadFunction> = {};
    for (const route of routes) {
      functions[route.id] = this.addRoute(route, props);
    }
    this.functions = functions;
  }

  /** The API's invoke URL, ending in `/`. */
  public get url(): string {
    return this.stage.url;
  }

  private addRoute(route: RouteDefinition, props: UploadApiProps): UploadFunction {
    const environment: Record<string, string> = { ...props.environment };
    if (route.access.startWorkflow) {
      environment.STATE_MACHINE_ARN = props.stateMachine.stateMachineArn;
    }
    const fn = new UploadFunction(this, route.id, {
      entry: route.entry,
      description: route.description,
      timeoutSeconds: route.timeoutSeconds,
      memoryMiB: route.memoryMiB,
      access: route.access,
      table: props.table,
      bucket: props.bucket,
      environment,
    });
    if (route.access.startWorkflow) {
      props.stateMachine.grantStartExecution(fn.role);
      // `complete` asks how an execution stands when it would answer 202, so an execution that
      // ended without recording an outcome is recorded as failed (lambdas/core/complete-upload.ts).
      props.stateMachine.grantExecution(fn.role, 'states:DescribeExecution');
    }
    this.httpApi.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, fn.function),
    });
    return fn;
  }
}
