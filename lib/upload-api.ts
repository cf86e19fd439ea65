/**
 * The HTTP API: one Lambda function and one route per entry of the route table
 * (`lambdas/routes.ts`), integrated with payload format 2.0, on a `$default` stage with access
 * logs and throttling. The local server routes requests with the same table.
 */
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
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
  /**
   * Started by the routes whose access has `startWorkflow`; its executions described by those with
   * `describesExecutions`.
   */
  readonly stateMachine: IStateMachine;
  /** The configuration variables every function reads (`lambdas/runtime/config.ts`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly throttleRateLimitPerSecond: number;
  readonly throttleBurstLimitRequests: number;
  /** The authorizer of every route but the public health check. */
  readonly authorizer: IHttpRouteAuthorizer;
  /** Route throttles below the stage's, by route id (`lambdas/routes.ts`). */
  readonly routeThrottles?: Readonly<Record<string, { rateLimit: number; burstLimit: number }>>;
  /** Browser origins allowed by CORS; none: no CORS configuration at all. */
  readonly corsAllowedOrigins?: readonly string[];
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
    authorizerError: '$context.authorizer.error',
    caller: '$context.authorizer.claims.sub',
  }),
);

/** The HTTP API, its stage and one function per route. */
export class UploadApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  /** The route functions, by route id. */
  public readonly functions: Readonly<Record<string, UploadFunction>>;
  /** The HTTP API routes, by route id (one per method of the entry). */
  public readonly routes: Readonly<Record<string, readonly HttpRoute[]>>;

  constructor(scope: Construct, id: string, props: UploadApiProps) {
    super(scope, id);

    const origins = props.corsAllowedOrigins ?? [];
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Resumable, chunked upload API',
      // The stage is created below, with access logs and throttling the default stage lacks.
      createDefaultStage: false,
      // Only configured origins; without any, browsers on other origins get no CORS headers at all.
      ...(origins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...origins],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
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
    const httpRoutes: Record<string, HttpRoute[]> = {};
    for (const route of routes) {
      [functions[route.id], httpRoutes[route.id]] = this.addRoute(route, props);
    }
    this.functions = functions;
    this.routes = httpRoutes;

    // Route throttles (stage route settings, keyed by route key). CloudFormation refuses settings
    // for a route that does not exist yet, so the stage waits for those routes.
    const routeSettings: Record<string, unknown> = {};
    for (const [routeId, throttle] of Object.entries(props.routeThrottles ?? {})) {
      const route = routes.find((candidate) => candidate.id === routeId);
      if (!route) throw new Error(`routeThrottles names no route: ${routeId}`);
      routeSettings[`${route.method} ${route.path}`] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      for (const httpRoute of httpRoutes[routeId] ?? []) this.stage.node.addDependency(httpRoute);
    }
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    }
  }

  /** The API's invoke URL, ending in `/`. */
  public get url(): string {
    return this.stage.url;
  }

  private addRoute(route: RouteDefinition, props: UploadApiProps): [UploadFunction, HttpRoute[]] {
    const environment: Record<string, string> = { ...props.environment };
    if (route.access.startWorkflow || route.access.describesExecutions) {
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
    if (route.access.startWorkflow) props.stateMachine.grantStartExecution(fn.role);
    if (route.access.describesExecutions) {
      // `complete` (when it would answer 202) and `status` (once an upload has been processing a
      // while) ask how an execution stands, so an execution that ended without recording an
      // outcome is recorded as failed (lambdas/core/reconcile-execution.ts).
      props.stateMachine.grantExecution(fn.role, 'states:DescribeExecution');
    }
    const httpRoutes = this.httpApi.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, fn.function),
      // Every route but the health check: nobody reaches a function without a verified identity.
      ...(route.public ? {} : { authorizer: props.authorizer }),
    });
    return [fn, httpRoutes];
  }
}
