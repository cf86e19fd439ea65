/**
 * Registers cdk-nag's AWS Solutions and Serverless packs on an app. cdk-nag 3 runs as a CDK validation plugin:
 * any unacknowledged error fails `cdk synth`. Kept apart from `upload-app.ts` so the local
 * stack, which builds the app only for its ASL, does not load cdk-nag's rules.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
