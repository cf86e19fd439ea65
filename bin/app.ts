#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it with tsx): `npm run synth`, `npm run deploy`. cdk-nag's AWS
 * Solutions checks run at every synthesis; an unacknowledged finding fails it.
 */
import { addNagChecks } from '../lib/nag-checks.js';
import { createUploadApp } from '../lib/upload-app.js';

const { app } = createUploadApp();
addNagChecks(app);
