/**
 * The stack props for alarm notifications: where the CloudWatch alarms of `upload-alarms.ts` send
 * their state changes. Kept apart from `upload-stack-props.ts` (the upload settings) like
 * `downstream-props.ts`; flat, readonly, and validated before any construct exists.
 */
import { UploadStackPropsError } from './upload-stack-props.js';

export interface AlarmNotificationProps {
  /**
   * Email address that receives every alarm and recovery: the stack creates an SNS topic
   * (encrypted with a KMS key it creates, TLS-only) and subscribes the address, which must confirm
   * the subscription from the email SNS sends. Not together with `alarmTopicArn`.
   * @default - no topic: the alarms exist and show in the CloudWatch console, without actions
   */
  readonly alarmEmail?: string;
  /**
   * ARN of an existing SNS topic, in the stack's region, that receives every alarm and recovery
   * (its access policy must let `cloudwatch.amazonaws.com` publish, and a KMS key encrypting it
   * must let CloudWatch use it, see docs/operations.md). Not together with `alarmEmail`.
   * @default - no topic: the alarms exist and show in the CloudWatch console, without actions
   */
  readonly alarmTopicArn?: string;
}

/** Where alarm actions go: nowhere, a topic the stack creates for an email address, or a given topic. */
export type AlarmNotificationSettings =
  | { readonly kind: 'none' }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'topic'; readonly topicArn: string; readonly region: string };

// Deliberately loose: SNS itself checks the address, and the subscriber confirms it.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const topicArnPattern = /^arn:aws[\w-]*:sns:([a-z0-9-]+):\d{12}:[\w.-]{1,256}$/;

/** Checks the alarm props; throws {@link UploadStackPropsError} naming the prop. */
export function resolveAlarmNotificationSettings(
  props: AlarmNotificationProps = {},
): AlarmNotificationSettings {
  const { alarmEmail, alarmTopicArn } = props;
  if (alarmEmail !== undefined && alarmTopicArn !== undefined) {
    throw new UploadStackPropsError(
      'UploadStackProps.alarmEmail and alarmTopicArn exclude each other: give the address, or subscribe it to your own topic',
    );
  }
  if (alarmEmail !== undefined) {
    if (!emailPattern.test(alarmEmail)) {
      throw new UploadStackPropsError(
        `UploadStackProps.alarmEmail must be an email address, got ${alarmEmail}`,
      );
    }
    return { kind: 'email', email: alarmEmail };
  }
  if (alarmTopicArn !== undefined) {
    const region = topicArnPattern.exec(alarmTopicArn)?.[1];
    if (region === undefined) {
      throw new UploadStackPropsError(
        `UploadStackProps.alarmTopicArn must be the ARN of an SNS topic (arn:aws:sns:<region>:<account>:<name>), got ${alarmTopicArn}`,
      );
    }
    return { kind: 'topic', topicArn: alarmTopicArn, region };
  }
  return { kind: 'none' };
}
