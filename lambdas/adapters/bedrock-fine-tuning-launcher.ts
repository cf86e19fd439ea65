/**
 * `FineTuningLauncher` that starts an Amazon Bedrock model customization job
 * (`CreateModelCustomizationJob`) on the published dataset; the job ARN is the job id.
 *
 * Started from the NotifyDownstream function with the SDK rather than by a Step Functions
 * service integration: the same code then runs in the local stack and in unit tests (with
 * aws-sdk-client-mock), and a failure is recorded as a failed notification like any target's.
 * The job name and `clientRequestToken` derive from the upload id, so a retried call cannot
 * start a second job for one upload.
 */
import { type BedrockClient, CreateModelCustomizationJobCommand } from '@aws-sdk/client-bedrock';
import type { FineTuningJobRequest, FineTuningLauncher } from '../core/downstream/ports.js';

export interface BedrockFineTuningSettings {
  /** Foundation model id or ARN to customize, e.g. `amazon.titan-text-express-v1`. */
  baseModelIdentifier: string;
  /** Service role Bedrock assumes: reads `completed/` of the upload bucket, writes the output location. */
  roleArn: string;
  /** `s3://bucket/prefix` where Bedrock writes the job's output. */
  outputS3Uri: string;
  /** Hyperparameters as Bedrock takes them (strings), e.g. `{epochCount: '2'}`. */
  hyperParameters: Record<string, string>;
  /** Prefix of the custom model's name; the upload id follows. */
  customModelNamePrefix: string;
}

export class BedrockFineTuningLauncher implements FineTuningLauncher {
  readonly kind = 'bedrock';

  constructor(
    private readonly client: BedrockClient,
    private readonly settings: BedrockFineTuningSettings,
  ) {}

  async start(request: FineTuningJobRequest): Promise<string> {
    const { jobArn } = await this.client.send(
      new CreateModelCustomizationJobCommand({
        jobName: `upload-${request.uploadId}`,
        customModelName: `${this.settings.customModelNamePrefix}-${request.uploadId}`,
        clientRequestToken: request.uploadId,
        roleArn: this.settings.roleArn,
        baseModelIdentifier: this.settings.baseModelIdentifier,
        customizationType: 'FINE_TUNING',
        trainingDataConfig: { s3Uri: request.s3Uri },
        outputDataConfig: { s3Uri: this.settings.outputS3Uri },
        hyperParameters: this.settings.hyperParameters,
      }),
    );
    if (!jobArn) throw new Error('Bedrock answered CreateModelCustomizationJob without a jobArn');
    return jobArn;
  }
}
