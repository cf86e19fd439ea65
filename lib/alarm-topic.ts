/**
 * The SNS topic the stack creates for alarm notifications when the `alarmEmail` prop is given:
 * encrypted with a KMS key of its own (rotated yearly) and refusing publishes that do not use TLS
 * (cdk-nag AwsSolutions-SNS2 and SNS3), with the address subscribed.
 *
 * Why a key of its own: CloudWatch publishes alarm notifications as the service principal
 * `cloudwatch.amazonaws.com`, which cannot use the AWS-managed key `alias/aws/sns` (its policy
 * cannot be changed), so a topic encrypted with that key drops every alarm silently. The key
 * policy lets CloudWatch `kms:GenerateDataKey*` and `kms:Decrypt` as the SNS developer guide
 * shows for AWS services publishing to encrypted topics ("Enable compatibility between event
 * sources from AWS services and encrypted topics"). The key encrypts this topic and nothing else.
 *
 * Why a publish statement: the topic policy CDK writes (for the TLS deny) replaces the default
 * policy, so CloudWatch is allowed explicitly, only for this account's alarms whose names start
 * with the stack's name (`aws:SourceAccount`, `aws:SourceArn`: the confused-deputy guard).
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Who receives the notifications; SNS sends a confirmation email first. */
  readonly email: string;
  /** The prefix of every alarm name allowed to publish (the alarms are named `<prefix>-...`). */
  readonly alarmNamePrefix: string;
}

export class AlarmTopic extends Construct {
  public readonly topic: Topic;
  public readonly key: Key;
  /** The email subscription (pending until the address confirms it). */
  public readonly subscription: Subscription;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the alarm notification topic',
      enableKeyRotation: true,
      // Nothing but in-flight notifications is encrypted with it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Only this stack's alarms, in this account, may have CloudWatch use the key: the same
    // confused-deputy conditions as the topic policy below (CloudWatch sends both keys to KMS).
    const thisStacksAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${props.alarmNamePrefix}-*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: thisStacksAlarms,
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: thisStacksAlarms,
      }),
    );
    this.subscription = this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
