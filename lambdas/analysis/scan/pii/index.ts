export { findPii, PII_TYPES, type PiiType } from './find-pii.js';
export { createPiiVisitor, type PiiVisitor } from './pii-visitor.js';
