export { findSecrets } from './find-secrets.js';
export { secretRules } from './rules.js';
export { createSecretsVisitor, type SecretsVisitor } from './secrets-visitor.js';
