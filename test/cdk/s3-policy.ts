/**
 * A small evaluator of what a role's synthesized identity policies allow in one S3 bucket, so
 * tests can ask "may this role GetObject `uploads/u1/0.chunk`?" instead of comparing statement
 * JSON (which `@aws-cdk/aws-iam:minimizePolicies` merges and reorders).
 *
 * It knows only the forms this stack synthesizes: Allow statements, `Action` with `*` wildcards,
 * `Resource` as `*`, the bucket ARN (`Fn::GetAtt`) or the bucket ARN joined with `/<key
 * pattern>`, and a `StringLike` condition on `s3:prefix`. Anything else throws, so a statement
 * it cannot judge never passes silently.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { type PolicyStatementJson, statementsOfRole } from './fixture.js';

/** An S3 request as IAM authorizes it: an object action on a key, or a listing under a prefix. */
export type S3Request = { action: string; key: string } | { action: 's3:ListBucket'; prefix: string };

/** One action allowed on the bucket or on a key pattern, optionally only for an `s3:prefix` pattern. */
export interface S3Grant {
  action: string;
  resource: { bucket: true } | { keyPattern: string } | { any: true };
  prefixPattern?: string;
}

const globToRegExp = (glob: string, flags = ''): RegExp =>
  new RegExp(
    `^${glob
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')}$`,
    flags,
  );

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function isBucketArn(value: unknown, bucketLogicalId: string): boolean {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  return getAtt?.[0] === bucketLogicalId && getAtt[1] === 'Arn';
}

/** The resource a statement names, as far as this bucket is concerned; `undefined` for another resource. */
function resourceOf(resource: unknown, bucketLogicalId: string): S3Grant['resource'] | undefined {
  if (resource === '*') return { any: true };
  if (isBucketArn(resource, bucketLogicalId)) return { bucket: true };
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) {
    const [separator, [arn, suffix, ...rest]] = join;
    if (separator === '' && rest.length === 0 && typeof suffix === 'string' && suffix.startsWith('/')) {
      return isBucketArn(arn, bucketLogicalId) ? { keyPattern: suffix.slice(1) } : undefined;
    }
  }
  if (
    typeof resource === 'object' &&
    resource !== null &&
    JSON.stringify(resource).includes(bucketLogicalId)
  ) {
    throw new Error(`Cannot evaluate a resource of the bucket: ${JSON.stringify(resource)}`);
  }
  return undefined;
}

/** The `s3:prefix` patterns a statement is limited to, or `undefined` when it has no condition. */
function prefixPatternsOf(statement: PolicyStatementJson): string[] | undefined {
  if (statement.Condition === undefined) return undefined;
  const { StringLike, ...others } = statement.Condition as Record<string, Record<string, unknown>>;
  const { 's3:prefix': prefixes, ...otherKeys } = StringLike ?? {};
  if (Object.keys(others).length > 0 || Object.keys(otherKeys).length > 0 || prefixes === undefined) {
    throw new Error(`Cannot evaluate the condition ${JSON.stringify(statement.Condition)}`);
  }
  return asArray(prefixes as string | string[]);
}

/** Every S3 action the role's policies allow, one grant per action, resource and prefix pattern. */
export function s3GrantsOfRole(
  template: Template,
  roleLogicalId: string,
  bucketLogicalId: string,
): S3Grant[] {
  return statementsOfRole(template, roleLogicalId).flatMap((statement) => {
    const raw = statement as PolicyStatementJson & Record<string, unknown>;
    if (raw.NotAction !== undefined || raw.NotResource !== undefined || statement.Effect !== 'Allow') {
      throw new Error(`Cannot evaluate the statement ${JSON.stringify(statement)}`);
    }
    const actions = asArray(statement.Action).filter((action) => action === '*' || /^s3:/i.test(action));
    if (actions.length === 0) return [];
    const resources = asArray(statement.Resource)
      .map((resource) => resourceOf(resource, bucketLogicalId))
      .filter((resource) => resource !== undefined);
    const prefixPatterns = prefixPatternsOf(statement);
    return actions.flatMap((action) =>
      resources.flatMap((resource) =>
        prefixPatterns === undefined
          ? [{ action, resource }]
          : prefixPatterns.map((prefixPattern) => ({ action, resource, prefixPattern })),
      ),
    );
  });
}

/** Whether `grant` allows `request` (IAM: a condition on a key the request lacks does not match). */
export function grantAllows(grant: S3Grant, request: S3Request): boolean {
  if (!globToRegExp(grant.action, 'i').test(request.action)) return false;
  if ('prefix' in request) {
    const onBucket = 'bucket' in grant.resource || 'any' in grant.resource;
    return (
      onBucket &&
      (grant.prefixPattern === undefined || globToRegExp(grant.prefixPattern).test(request.prefix))
    );
  }
  if (grant.prefixPattern !== undefined) return false;
  if ('any' in grant.resource) return true;
  return 'keyPattern' in grant.resource && globToRegExp(grant.resource.keyPattern).test(request.key);
}

/** Whether any of `grants` allows `request`. */
export const allows = (grants: readonly S3Grant[], request: S3Request): boolean =>
  grants.some((grant) => grantAllows(grant, request));

/** A grant or request as one line, for readable test failures. */
export function describeGrant(grant: S3Grant): string {
  const on =
    'keyPattern' in grant.resource
      ? grant.resource.keyPattern
      : 'bucket' in grant.resource
        ? '<bucket>'
        : '*';
  return grant.prefixPattern === undefined
    ? `${grant.action} ${on}`
    : `${grant.action} ${on} if s3:prefix like ${grant.prefixPattern}`;
}

export const describeRequest = (request: S3Request): string =>
  'prefix' in request ? `${request.action} prefix ${request.prefix}` : `${request.action} ${request.key}`;
