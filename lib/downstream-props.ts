/**
 * The stack props for downstream systems: which fine-tuning target starts jobs and where the
 * data-curation webhook is. Kept apart from `upload-stack-props.ts` (the upload settings); both
 * are flat, readonly, and validated before any construct exists.
 */
import { UploadStackPropsError } from './upload-stack-props.js';

/** An Amazon Bedrock model customization job per fine-tuning dataset. */
export interface BedrockFineTuningProps {
  /** Foundation model id (e.g. `amazon.titan-text-express-v1`) or ARN to customize. */
  readonly baseModelIdentifier: string;
  /**
   * Service role Bedrock assumes for the job. The stack grants it s3:GetObject on `completed/*`
   * of the upload bucket; it must be able to write `outputS3Uri` itself.
   */
  readonly roleArn: string;
  /** `s3://bucket/prefix` where Bedrock writes the job's output. */
  readonly outputS3Uri: string;
  /**
   * Hyperparameters as Bedrock takes them, e.g. `{epochCount: '2', learningRate: '0.00001'}`.
   * @default - the base model's defaults
   */
  readonly hyperParameters?: Readonly<Record<string, string>>;
  /**
   * Prefix of each custom model's name (the upload id follows), at most 26 characters.
   * @default 'upload'
   */
  readonly customModelNamePrefix?: string;
}

export interface DownstreamProps {
  /**
   * What a completed fine-tuning dataset starts: a message on the stack's fine-tuning jobs queue
   * (`sqs`), an Amazon Bedrock model customization job (`bedrock`, needs `bedrockFineTuning`), or
   * nothing (`none`).
   * @default 'sqs' - a message on the FineTuningJobs queue; its message id is `downstreamJobId`
   */
  readonly fineTuningTarget?: 'sqs' | 'bedrock' | 'none';
  /**
   * The Bedrock job's settings, when `fineTuningTarget` is `bedrock`.
   * @default - none
   */
  readonly bedrockFineTuning?: BedrockFineTuningProps;
  /**
   * HTTPS URL of the data-curation system's webhook, notified of every completed upload.
   * @default - no webhook
   */
  readonly curationWebhookUrl?: string;
  /**
   * Complete ARN of the Secrets Manager secret (a plain string) that signs the webhook.
   * Required with `curationWebhookUrl`.
   * @default - none
   */
  readonly curationWebhookSecretArn?: string;
  /**
   * Attempts per webhook delivery, with exponential backoff from one second.
   * @default 4
   */
  readonly curationWebhookMaxAttempts?: number;
}

/** The validated downstream settings. */
export interface DownstreamSettings {
  readonly fineTuningTarget: 'sqs' | 'bedrock' | 'none';
  readonly bedrockFineTuning?: BedrockFineTuningProps;
  readonly curationWebhook?: {
    readonly url: string;
    readonly secretArn: string;
    readonly maxAttempts: number;
  };
}

const fail = (message: string): never => {
  throw new UploadStackPropsError(`UploadStackProps.${message}`);
};

export function resolveDownstreamSettings(props: DownstreamProps = {}): DownstreamSettings {
  const fineTuningTarget = props.fineTuningTarget ?? 'sqs';
  if (!['sqs', 'bedrock', 'none'].includes(fineTuningTarget)) {
    fail(`fineTuningTarget must be sqs, bedrock or none, got ${String(fineTuningTarget)}`);
  }
  const bedrock = props.bedrockFineTuning;
  if (fineTuningTarget === 'bedrock') {
    if (!bedrock) fail('bedrockFineTuning is required when fineTuningTarget is bedrock');
    if (!bedrock?.baseModelIdentifier) fail('bedrockFineTuning.baseModelIdentifier must name a model');
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(bedrock?.roleArn ?? '')) {
      fail(`bedrockFineTuning.roleArn must be an IAM role ARN, got ${String(bedrock?.roleArn)}`);
    }
    if (!/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(bedrock?.outputS3Uri ?? '')) {
      fail(`bedrockFineTuning.outputS3Uri must be an s3:// URI, got ${String(bedrock?.outputS3Uri)}`);
    }
    if (!/^[a-zA-Z0-9-]{1,26}$/.test(bedrock?.customModelNamePrefix ?? 'upload')) {
      fail('bedrockFineTuning.customModelNamePrefix must be 1 to 26 letters, digits or dashes');
    }
  }
  let curationWebhook: DownstreamSettings['curationWebhook'];
  if (props.curationWebhookUrl !== undefined) {
    if (!/^https:\/\/[^\s/]+/.test(props.curationWebhookUrl)) {
      fail(`curationWebhookUrl must be an https:// URL, got ${props.curationWebhookUrl}`);
    }
    // A complete ARN (with the six-character suffix), so the grant names exactly this secret.
    const secretArn = props.curationWebhookSecretArn ?? '';
    if (!/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(secretArn)) {
      fail('curationWebhookSecretArn must be the complete ARN of a Secrets Manager secret');
    }
    const maxAttempts = props.curationWebhookMaxAttempts ?? 4;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
      fail(`curationWebhookMaxAttempts must be a whole number from 1 to 10, got ${maxAttempts}`);
    }
    curationWebhook = { url: props.curationWebhookUrl, secretArn, maxAttempts };
  }
  return {
    fineTuningTarget,
    ...(fineTuningTarget === 'bedrock' ? { bedrockFineTuning: bedrock } : {}),
    ...(curationWebhook ? { curationWebhook } : {}),
  };
}
