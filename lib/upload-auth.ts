/**
 * Who may call the API: the authorizer every route but the health check gets.
 *
 * - `jwt`: an HTTP API JWT authorizer for any OIDC provider (`jwtIssuerUrl`, `jwtAudience`).
 * - `cognito` (no issuer given): the stack creates an Amazon Cognito user pool (no self sign-up,
 *   strong passwords, TOTP MFA required) and an app client, and accepts their tokens.
 * - `iam`: SigV4-signed requests, for service-to-service use.
 *
 * With a JWT the handlers read the caller from `requestContext.authorizer.jwt.claims.sub`, with IAM
 * from `requestContext.authorizer.iam.userArn` (`lambdas/http/handler.ts`).
 */
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpIamAuthorizer,
  HttpJwtAuthorizer,
  HttpUserPoolAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AccountRecovery, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { UploadAuthSettings } from './upload-stack-props.js';

export interface UploadAuthProps {
  readonly settings: UploadAuthSettings;
}

/** The API's authorizer, and the Cognito user pool when the stack creates one. */
export class UploadAuth extends Construct {
  public readonly authorizer: IHttpRouteAuthorizer;
  /** Only when no `jwtIssuerUrl` was given and authorization is `jwt`. */
  public readonly userPool?: UserPool;
  public readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: UploadAuthProps) {
    super(scope, id);
    const settings = props.settings;
    if (settings.kind === 'iam') {
      this.authorizer = new HttpIamAuthorizer();
      return;
    }
    if (settings.kind === 'jwt') {
      this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', settings.issuerUrl, {
        jwtAudience: [...settings.audience],
      });
      return;
    }
    this.userPool = new UserPool(this, 'UserPool', {
      // Users are created by an administrator: an upload service is not open to anyone who signs up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('AppClient', {
      // A public client (CLIs, browsers): no secret to leak; SRP so passwords never cross the wire.
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.authorizer = new HttpUserPoolAuthorizer('UserPoolAuthorizer', this.userPool, {
      userPoolClients: [this.userPoolClient],
    });
    // Named as the README names them (an output inside a construct otherwise gets a path-hashed id).
    new CfnOutput(this, 'UserPoolId', {
      value: this.userPool.userPoolId,
      description: 'Cognito user pool of the API',
    }).overrideLogicalId('UserPoolId');
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.userPoolClient.userPoolClientId,
      description: 'App client whose tokens the API accepts',
    }).overrideLogicalId('UserPoolClientId');
  }
}
