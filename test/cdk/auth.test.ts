/**
 * The API's authorization on AWS: the authorizer on every route but the health check, the
 * Cognito fallback, an OIDC provider's JWTs, the IAM switch; and the other API hardening (route
 * throttles, CORS only for configured origins, the optional customer-managed key).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.js';
import { createUploadApp } from '../../lib/upload-app.js';
import { resolveUploadSettings, UploadStackPropsError } from '../../lib/upload-stack-props.js';
import { buildTemplate, logicalIdOf, noBundling } from './fixture.js';

type Resource = { Properties: Record<string, unknown> };

function routesByKey(template: Template): Record<string, Resource['Properties']> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>).map(
      (route) => [route.Properties.RouteKey as string, route.Properties],
    ),
  );
}

/** Checks every route but the public one uses the authorizer kind, and the public one none. */
function expectAuthorizerOnEveryRouteButHealth(template: Template, authorizationType: 'JWT' | 'AWS_IAM') {
  const byKey = routesByKey(template);
  expect(Object.keys(byKey).sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  for (const route of routes) {
    const properties = byKey[`${route.method} ${route.path}`] ?? {};
    if (route.public) {
      expect(properties.AuthorizationType ?? 'NONE', route.id).toBe('NONE');
      expect(properties.AuthorizerId, route.id).toBeUndefined();
    } else {
      expect(properties.AuthorizationType, route.id).toBe(authorizationType);
    }
  }
  expect(routes.filter((route) => route.public).map((route) => route.id)).toEqual(['Health']);
}

describe('authorization on AWS', () => {
  it('by default creates a Cognito user pool and app client, and a JWT authorizer on every route but health', () => {
    const { stack, template } = buildTemplate();

    expectAuthorizerOnEveryRouteButHealth(template, 'JWT');
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
    const userPool = logicalIdOf(stack.auth.userPool ?? stack);
    const client = logicalIdOf(stack.auth.userPoolClient ?? stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: client }],
        Issuer: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: userPool }])] }),
      },
    });
    for (const route of Object.values(routesByKey(template)).filter((r) => r.AuthorizationType === 'JWT')) {
      expect(route.AuthorizerId).toEqual({ Ref: expect.stringMatching(/Authorizer/) });
    }
    // The outputs the README tells operators to read, under those exact names.
    template.hasOutput('UserPoolId', { Value: { Ref: userPool } });
    template.hasOutput('UserPoolClientId', { Value: { Ref: client } });
  });

  it('uses the issuer and audiences given by props, and creates no user pool', () => {
    const { template } = buildTemplate({
      jwtIssuerUrl: 'https://login.example.com/realms/ml',
      jwtAudience: ['upload-api', 'cli'],
    });

    expectAuthorizerOnEveryRouteButHealth(template, 'JWT');
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://login.example.com/realms/ml', Audience: ['upload-api', 'cli'] },
    });
  });

  it('takes the issuer and audiences as -c context too', () => {
    const { stack } = createUploadApp({
      appProps: {
        context: { ...noBundling, jwtIssuerUrl: 'https://login.example.com', jwtAudience: 'a, b' },
      },
    });

    expect(stack.settings.auth).toEqual({
      kind: 'jwt',
      issuerUrl: 'https://login.example.com',
      audience: ['a', 'b'],
    });
  });

  it('switches every route but health to IAM authorization, with no authorizer resource or user pool', () => {
    const { template } = buildTemplate({ authorization: 'iam' });

    expectAuthorizerOnEveryRouteButHealth(template, 'AWS_IAM');
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it.each([
    [{ jwtIssuerUrl: 'http://login.example.com', jwtAudience: ['a'] }, /must be an https URL/],
    [{ jwtIssuerUrl: 'https://login.example.com' }, /jwtAudience must name at least one audience/],
    [{ jwtAudience: ['a'] }, /jwtAudience needs jwtIssuerUrl/],
    [
      { authorization: 'iam' as const, jwtIssuerUrl: 'https://x.example.com', jwtAudience: ['a'] },
      /leave them out/,
    ],
    [{ corsAllowedOrigins: ['*'] }, /exact origins/],
    [{ corsAllowedOrigins: ['https://app.example.com/'] }, /exact origins/],
    [{ maxRequestBodySizeMiB: 11 }, /maxRequestBodySizeMiB must be between/],
    [{ maxOpenUploadsPerOwner: 0 }, /maxOpenUploadsPerOwner must be between 1 and 1000/],
  ])('refuses %o naming the prop', (props, message) => {
    expect(() => resolveUploadSettings(props)).toThrow(UploadStackPropsError);
    expect(() => resolveUploadSettings(props)).toThrow(message);
  });
});

describe('API hardening', () => {
  it('throttles the stage and, below it, the init route', () => {
    const { template } = buildTemplate({
      initThrottleRateLimitPerSecond: 5,
      initThrottleBurstLimitRequests: 7,
    });

    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      RouteSettings: { 'POST /api/upload/init': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 7 } },
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as {
      DependsOn?: string[];
    }[];
    expect(stage?.DependsOn?.some((id) => id.includes('apiuploadinit'))).toBe(true);
  });

  it('configures no CORS by default, and only the configured origins when given', () => {
    const plain = buildTemplate().template;
    const withCors = buildTemplate({ corsAllowedOrigins: ['https://app.example.com'] }).template;

    plain.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
    withCors.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: ['authorization', 'content-type'],
      }),
    });
  });

  it('passes the limits to the functions', () => {
    const { stack, template } = buildTemplate({
      maxOpenUploadsPerOwner: 3,
      maxChunkCount: 99,
      maxRequestBodySizeMiB: 6,
    });
    const variables = (
      template.toJSON().Resources[logicalIdOf(stack.functions.InitUpload ?? stack)] as Resource
    ).Properties.Environment as { Variables: Record<string, string> };

    expect(variables.Variables).toMatchObject({
      MAX_OPEN_UPLOADS_PER_OWNER: '3',
      MAX_CHUNK_COUNT: '99',
      MAX_REQUEST_BODY_SIZE: String(6 * 1024 * 1024),
    });
  });

  it('encrypts the file bucket and the table with a rotated customer-managed key when asked', () => {
    const { stack, template } = buildTemplate({ customerManagedKey: true });
    const key = logicalIdOf(stack.storage.encryptionKey ?? stack);

    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] },
            },
          }),
        ],
      },
    });
    const table = template.toJSON().Resources[logicalIdOf(stack.table)] as Resource;
    expect(JSON.stringify(table.Properties)).toContain(key);
  });
});
